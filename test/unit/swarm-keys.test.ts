import {expect} from 'chai'
import {createRequire} from 'node:module'

import {generateIdentity, verifyWithPrefix} from '../../src/p2p/identity.js'
import {deriveRoomKey, newInviteCode, PUBLIC_ROOM} from '../../src/p2p/room.js'
import {nodeIdOfSwarmKey, relaySeed, swarmKeyPair, swarmTopic} from '../../src/p2p/swarm/keys.js'
import {parseRelayKey} from '../../src/p2p/swarm/relay.js'

const require = createRequire(import.meta.url)
const sodium = require('sodium-universal') as {
  crypto_sign_detached(sig: Buffer, message: Buffer, secretKey: Buffer): void
  crypto_sign_seed_keypair(pk: Buffer, sk: Buffer, seed: Buffer): void
}

describe('swarm keys', () => {
  it('the swarm key pair is the identity in sodium form: its public key is the node id, and sodium signs as the identity', () => {
    const identity = generateIdentity()
    const pair = swarmKeyPair(identity)
    expect(pair.publicKey).to.have.length(32)
    expect(pair.secretKey).to.have.length(64)
    expect(nodeIdOfSwarmKey(pair.publicKey)).to.equal(identity.id)
    // sodium derives the same pair from the seed, and its signature verifies against the node id.
    const pk = Buffer.alloc(32)
    const sk = Buffer.alloc(64)
    sodium.crypto_sign_seed_keypair(pk, sk, pair.secretKey.subarray(0, 32))
    expect(sk.equals(pair.secretKey)).to.equal(true)
    const signature = Buffer.alloc(64)
    sodium.crypto_sign_detached(signature, Buffer.from('prefix:hello'), pair.secretKey)
    expect(verifyWithPrefix(identity.id, 'prefix:', Buffer.from('hello'), signature)).to.equal(true)
  })

  it('the topic is a hash of the room key of its own: not the room id, the same for every member, another for another secret', async () => {
    const code = newInviteCode()
    const room = await deriveRoomKey(code)
    expect(swarmTopic(room)).to.have.length(32)
    expect(swarmTopic(room).toString('hex')).to.not.equal(room.roomId)
    expect(swarmTopic(room).equals(swarmTopic(await deriveRoomKey(code)))).to.equal(true)
    expect(swarmTopic(room).equals(swarmTopic(await deriveRoomKey(newInviteCode())))).to.equal(false)
    // The public room has one fixed topic anyone can compute (pinned: changing it splits the public swarm).
    expect(swarmTopic(PUBLIC_ROOM).toString('hex')).to.equal(
      '6d2c759889f5f2651d04ea585cc70162186855dcb219b905fa13902f2ac2faf5',
    )
    expect(swarmTopic(PUBLIC_ROOM).equals(swarmTopic(room))).to.equal(false)
  })

  it('a relay key is stable for an identity and unrelated to its chat key; relay keys are typed as 64 hex digits', () => {
    const identity = generateIdentity()
    expect(relaySeed(identity).equals(relaySeed(identity))).to.equal(true)
    expect(relaySeed(identity).equals(swarmKeyPair(identity).secretKey.subarray(0, 32))).to.equal(false)
    expect(parseRelayKey('ab'.repeat(32))).to.have.length(32)
    for (const bad of ['', 'ab', 'zz'.repeat(32), 'ab'.repeat(33)]) expect(parseRelayKey(bad)).to.equal(undefined)
  })
})
