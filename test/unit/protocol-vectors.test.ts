// The test vectors of docs/protocol.md, checked against the code. Each value is written out here exactly as the doc
// prints it: an implementation in another language can use the doc alone, and a change to a derivation fails here
// (and must then be a deliberate protocol change, with the doc updated).

import {expect} from 'chai'
import crypto from 'node:crypto'

import {generateIdentity, identityFromPrivateKey, signWithPrefix, verifyWithPrefix} from '../../src/p2p/identity.js'
import {authorMessage, messageId, SIGNATURE_PREFIXES} from '../../src/p2p/message-auth.js'
import {HandshakeState, keyPairFromPrivateKey} from '../../src/p2p/noise/index.js'
import {decodeHelloPayload, encodeHelloPayload, lengthPrefixed} from '../../src/p2p/protocol.js'
import {preferredConnection} from '../../src/p2p/registry.js'
import {deriveRoomKey, PUBLIC_ROOM} from '../../src/p2p/room.js'
import {NOISE_PROTOCOL_NAME, SecureSession, STATIC_KEY_SIGNATURE_PREFIX} from '../../src/p2p/secure-session.js'

const PROTOCOL_NAME = 'Noise_XXpsk0_25519_ChaChaPoly_SHA256'

// --- the vectors, as docs/protocol.md prints them ---

const PASSPHRASE = '  correct horse battery staple 42\n'
const PASSPHRASE_KEY = 'c3b086bd9a6e5ba095b48a9ef2dbafc1fabb78c998f9ffc0ff2353cecc0b5ce8'
const PASSPHRASE_ROOM_ID = '2592465ba5b434fe8830b92fd79d172e3ee7ccded0a2bc833c5070bbf8b696dd'
const INVITE = 'chat-invite-QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkI' // 32 bytes of 0x42
const INVITE_KEY = '1cc8938a8f7a5d57e3ce0f10e2dfd7c2a301db35491e79e5ccef890f479506dd'
const INVITE_ROOM_ID = '59a4af7855be06e60e46f9ce70e6766c16fb26ae716117c558efbfbac95af397'
const PUBLIC_KEY = 'af48c5f18cb7f5b25c60c6c16d3c1a68ece25c772b22e3b8b511bbc0489d2abc'
const PUBLIC_ROOM_ID = 'be96883269a3523956aaed9ed55e32dbc881ebf9c69ef165b69671b0d331ba5f'

/** Ed25519 private key: the 32-byte seed 0x01 × 32. */
const IDENTITY_SEED = Buffer.alloc(32, 1)
const NODE_ID = 'iojj3XQJ8ZX9UtstPLpdcspnCb8dlBIb83SIAbQPb1w'
const CHAT_PAYLOAD =
  '{"from":{"id":"iojj3XQJ8ZX9UtstPLpdcspnCb8dlBIb83SIAbQPb1w","name":"Julia","host":"127.0.0.1","port":5000},"text":"ola","ts":1764000000000,"seq":1}'
const CHAT_SIG = 'lgyuIRuD9IrSJx-E7rdu9IaRAIYbUGa49f9QqJYrIc2zyzV__rYnbqr8fk8elBXzrmveol5QmC_EubWuausjBw'
const MESSAGE_ID = '4d9eb380da969f7fa876635ba428e72d'
/** X25519 Noise static private key: 0x02 × 32. */
const STATIC_PRIVATE = Buffer.alloc(32, 2)
const STATIC_PUBLIC = 'ce8d3ad1ccb633ec7b70c17814a5c76ecd029685050d344745ba05870e587d59'
const HELLO_SIG = 'hq0KOvYyDNdsjhkwcUEtmohynsDPqSLqeSmTyrIMURYM0AxbzT3tcNj5FTotpSS4hiqH1rQjQHv0-OVxe-H4Ag'
const HELLO = `{"v":2,"id":"${NODE_ID}","name":"Julia","listen":{"host":"127.0.0.1","port":5000},"sig":"${HELLO_SIG}"}`

// PKCS#8 wrapping of a raw Ed25519 seed (RFC 8410): how node:crypto imports one.
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex')
const identity = identityFromPrivateKey(
  crypto.createPrivateKey({key: Buffer.concat([ED25519_PKCS8_PREFIX, IDENTITY_SEED]), format: 'der', type: 'pkcs8'}),
)

describe('docs/protocol.md test vectors', () => {
  it('names the Noise protocol the labels carry', () => {
    expect(NOISE_PROTOCOL_NAME).to.equal(PROTOCOL_NAME)
  })

  it('room key and id from a passphrase: trimmed, NFC, scrypt N=2^15 r=8 p=1, 32 bytes', async () => {
    const room = await deriveRoomKey(PASSPHRASE)
    expect(room.key.toString('hex')).to.equal(PASSPHRASE_KEY)
    expect(room.roomId).to.equal(PASSPHRASE_ROOM_ID)
    // The same from the documented recipe, without the code.
    const key = crypto.scryptSync(PASSPHRASE.trim().normalize('NFC'), `chat/${PROTOCOL_NAME}/room-passphrase`, 32, {
      N: 2 ** 15,
      r: 8,
      p: 1,
      maxmem: 64 * 1024 * 1024,
    })
    expect(key.toString('hex')).to.equal(PASSPHRASE_KEY)
    expect(crypto.createHash('sha256').update(`chat/${PROTOCOL_NAME}/room-id:`).update(key).digest('hex')).to.equal(
      PASSPHRASE_ROOM_ID,
    )
    // A decomposed "é" is the same passphrase as a composed one.
    const [composed, decomposed] = await Promise.all([
      deriveRoomKey('caf\u00E9 au lait 1234'),
      deriveRoomKey('cafe\u0301 au lait 1234'),
    ])
    expect(decomposed.key.equals(composed.key)).to.equal(true)
  })

  it('refuses an empty passphrase (after trimming)', async () => {
    for (const secret of ['', '   ', '\n\t']) {
      let failed = false
      try {
        await deriveRoomKey(secret)
      } catch (error) {
        failed = true
        expect((error as Error).message).to.match(/empty/)
      }

      expect(failed, JSON.stringify(secret)).to.equal(true)
    }
  })

  it('room key and id from an invite code: HKDF-SHA256 over its 32 bytes', async () => {
    const room = await deriveRoomKey(INVITE)
    expect(room.key.toString('hex')).to.equal(INVITE_KEY)
    expect(room.roomId).to.equal(INVITE_ROOM_ID)
    const raw = Buffer.from(INVITE.slice('chat-invite-'.length), 'base64url')
    expect(raw.equals(Buffer.alloc(32, 0x42))).to.equal(true)
    const key = Buffer.from(crypto.hkdfSync('sha256', raw, `chat/${PROTOCOL_NAME}/invite`, 'room-key', 32))
    expect(key.toString('hex')).to.equal(INVITE_KEY)
  })

  it('the public room key and id', () => {
    expect(PUBLIC_ROOM.key.toString('hex')).to.equal(PUBLIC_KEY)
    expect(PUBLIC_ROOM.roomId).to.equal(PUBLIC_ROOM_ID)
    expect(crypto.createHash('sha256').update(`chat/${PROTOCOL_NAME}/public-room`).digest('hex')).to.equal(PUBLIC_KEY)
  })

  it('node id, signed chat payload and message id', () => {
    expect(identity.id).to.equal(NODE_ID)
    const {frame, message} = authorMessage(identity, {
      from: {id: NODE_ID, name: 'Julia', host: '127.0.0.1', port: 5000},
      text: 'ola',
      ts: 1_764_000_000_000,
      seq: 1,
    })
    expect(frame).to.deep.equal({type: 'chat', payload: CHAT_PAYLOAD, sig: CHAT_SIG})
    expect(message.id).to.equal(MESSAGE_ID)
    expect(messageId(CHAT_PAYLOAD)).to.equal(MESSAGE_ID)
    expect(crypto.createHash('sha256').update(`chat/2 message-id:${CHAT_PAYLOAD}`).digest('hex').slice(0, 32)).to.equal(
      MESSAGE_ID,
    )
    expect(SIGNATURE_PREFIXES.chat).to.equal('chat/2 message:')
    expect(
      verifyWithPrefix(NODE_ID, 'chat/2 message:', Buffer.from(CHAT_PAYLOAD), Buffer.from(CHAT_SIG, 'base64url')),
    ).to.equal(true)
  })

  it('a signed hello: Ed25519 over "chat/2 noise-static:" ‖ the Noise static public key', () => {
    const noiseStatic = keyPairFromPrivateKey(STATIC_PRIVATE)
    expect(noiseStatic.publicKey.toString('hex')).to.equal(STATIC_PUBLIC)
    expect(STATIC_KEY_SIGNATURE_PREFIX).to.equal('chat/2 noise-static:')
    const sig = signWithPrefix(identity, STATIC_KEY_SIGNATURE_PREFIX, noiseStatic.publicKey).toString('base64url')
    expect(sig).to.equal(HELLO_SIG)
    const hello = encodeHelloPayload({v: 2, id: NODE_ID, name: 'Julia', listen: {host: '127.0.0.1', port: 5000}, sig})
    expect(hello.toString('utf8')).to.equal(HELLO)
    expect(decodeHelloPayload(Buffer.from(HELLO)).sig).to.equal(HELLO_SIG)
  })

  it('a responder built from the doc alone (prologue, PSK, hello) completes a handshake with a real node', async () => {
    const room = await deriveRoomKey(INVITE)
    const dialler = new SecureSession({
      initiator: true,
      identity: generateIdentity(),
      name: 'Pedro',
      listen: {host: '127.0.0.1', port: 5001},
      room,
    })
    const responder = new HandshakeState({
      initiator: false,
      staticKeyPair: keyPairFromPrivateKey(STATIC_PRIVATE),
      protocolName: PROTOCOL_NAME,
      prologue: Buffer.from(`chat/2 ${PROTOCOL_NAME} room:${INVITE_ROOM_ID}`, 'utf8'),
      psks: [Buffer.from(INVITE_KEY, 'hex')],
    })
    const [m1] = dialler.start()
    expect(m1.readUInt16BE(0)).to.equal(48)
    expect(responder.readMessage(m1.subarray(2))).to.have.length(0)
    const m2 = lengthPrefixed(responder.writeMessage(Buffer.from(HELLO)))
    const out = dialler.receive(m2)
    expect(out.established).to.deep.equal({id: NODE_ID, name: 'Julia', host: '127.0.0.1', port: 5000})
    const hello = decodeHelloPayload(responder.readMessage(out.write[0].subarray(2)))
    expect(hello.name).to.equal('Pedro')
    expect(hello.listen).to.deep.equal({host: '127.0.0.1', port: 5001})
  })

  it('a duplicate connection keeps the one whose initiator id is smaller as a base64url string (not as bytes)', () => {
    // As strings '-' < '0' < 'A' < '_' < 'a'; as bytes, '-' is 0b111110 and 'A' is 0: the two orders disagree.
    const dash = {peerId: 'x', initiatorId: `-${'A'.repeat(42)}`}
    const letter = {peerId: 'x', initiatorId: `A${'A'.repeat(42)}`}
    expect(Buffer.from(letter.initiatorId, 'base64url').compare(Buffer.from(dash.initiatorId, 'base64url'))).to.equal(
      -1,
    )
    expect(preferredConnection(dash, letter)).to.equal(dash)
    expect(preferredConnection(letter, dash)).to.equal(dash)
    // Two connections opened by the same node (a redial while the first is still up): the one already there stays.
    const again = {peerId: 'x', initiatorId: dash.initiatorId}
    expect(preferredConnection(dash, again)).to.equal(dash)
  })
})
