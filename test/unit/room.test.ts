import {expect} from 'chai'
import crypto from 'node:crypto'

import {fingerprint} from '../../src/p2p/identity.js'
import {deriveRoomKey, newInviteCode, parseInviteCode, passphraseWarning} from '../../src/p2p/room.js'

const PROTOCOL = 'Noise_XXpsk0_25519_ChaChaPoly_SHA256'

describe('room keys', () => {
  it('derives the same key for the same passphrase and another for a different one', async () => {
    const [a, b, c] = await Promise.all([
      deriveRoomKey('purple elephants dance at noon'),
      deriveRoomKey('purple elephants dance at noon'),
      deriveRoomKey('purple elephants dance at midnight'),
    ])
    expect(a.key).to.have.length(32)
    expect(a.key.equals(b.key)).to.equal(true)
    expect(a.roomId).to.equal(b.roomId)
    expect(a.isPublic).to.equal(false)
    expect(a.key.equals(c.key)).to.equal(false)
    expect(a.roomId).to.not.equal(c.roomId)
  })

  it('pins the scrypt parameters with a known answer', async () => {
    // Computed here from the documented parameters, independently of src: a change to any of them would split every
    // existing passphrase room, so it must be deliberate and fail this test.
    const passphrase = 'correct horse battery staple 42'
    const expected = crypto.scryptSync(passphrase, `chat/${PROTOCOL}/room-passphrase`, 32, {
      N: 2 ** 15,
      r: 8,
      p: 1,
      maxmem: 64 * 1024 * 1024,
    })
    const room = await deriveRoomKey(passphrase)
    expect(room.key.toString('hex')).to.equal(expected.toString('hex'))
    const expectedId = crypto.createHash('sha256').update(`chat/${PROTOCOL}/room-id:`).update(expected).digest('hex')
    expect(room.roomId).to.equal(expectedId)
  })

  it('ignores surrounding whitespace and Unicode composition in a passphrase', async () => {
    const composed = await deriveRoomKey('caf\u00E9 com p\u00E3o e leite')
    const decomposed = await deriveRoomKey('  cafe\u0301 com pa\u0303o e leite\n')
    expect(decomposed.key.equals(composed.key)).to.equal(true)
  })

  it('uses a fixed public key without a secret', async () => {
    const [a, b] = await Promise.all([deriveRoomKey(), deriveRoomKey(undefined)])
    expect(a.isPublic).to.equal(true)
    expect(a.key.equals(b.key)).to.equal(true)
    expect(a.key.toString('hex')).to.equal(
      crypto.createHash('sha256').update(`chat/${PROTOCOL}/public-room`).digest('hex'),
    )
    expect(a.roomId).to.match(/^[0-9a-f]{64}$/)
    expect(a.roomId).to.not.equal(a.key.toString('hex'))
    const secret = await deriveRoomKey('a long and private passphrase')
    expect(secret.key.equals(a.key)).to.equal(false)
  })

  it('derives invite-code keys with HKDF, fast and distinct per code', async () => {
    const code = newInviteCode()
    const raw = parseInviteCode(code)!
    const timed = async (secret: string): Promise<number> => {
      const started = performance.now()
      await deriveRoomKey(secret)
      return performance.now() - started
    }

    const inviteMs = await timed(code)
    const passphraseMs = await timed('a passphrase that goes through scrypt')
    const room = await deriveRoomKey(code)
    const expected = Buffer.from(crypto.hkdfSync('sha256', raw, `chat/${PROTOCOL}/invite`, 'room-key', 32))
    expect(room.key.equals(expected)).to.equal(true)
    expect(room.isPublic).to.equal(false)
    // scrypt with N = 2^15 takes ~100 ms, HKDF well under a millisecond: relative, so a loaded machine stays green.
    expect(inviteMs).to.be.below(passphraseMs / 5)
    expect((await deriveRoomKey(`  ${code}\n`)).key.equals(room.key)).to.equal(true)
    expect((await deriveRoomKey(newInviteCode())).key.equals(room.key)).to.equal(false)
  })

  it('refuses an empty secret and a truncated invite code', async () => {
    for (const secret of ['', '   ', '\t\n']) {
      let error: unknown
      try {
        await deriveRoomKey(secret)
      } catch (error_) {
        error = error_
      }

      expect(error, JSON.stringify(secret)).to.be.instanceOf(Error)
      expect((error as Error).message).to.match(/empty/)
    }

    const truncated = newInviteCode().slice(0, -3)
    let error: unknown
    try {
      await deriveRoomKey(truncated)
    } catch (error_) {
      error = error_
    }

    expect(error).to.be.instanceOf(Error)
    expect((error as Error).message).to.match(/invite code/)
  })
})

describe('invite codes', () => {
  it('round-trips 256 random bits behind a recognisable prefix', () => {
    const a = newInviteCode()
    const b = newInviteCode()
    expect(a).to.match(/^chat-invite-[A-Za-z0-9_-]{43}$/)
    expect(a).to.not.equal(b)
    const raw = parseInviteCode(a)
    expect(raw).to.be.instanceOf(Buffer)
    expect(raw).to.have.length(32)
    expect('chat-invite-' + raw!.toString('base64url')).to.equal(a)
    expect(parseInviteCode(` ${a}\n`)?.equals(raw!)).to.equal(true)
  })

  it('rejects malformed codes', () => {
    const body = crypto.randomBytes(32).toString('base64url')
    // 43 characters hold 258 bits: a last character with a spare bit set is a second spelling of some code.
    const lastIndex = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.indexOf(body.at(-1)!)
    const nonCanonical =
      body.slice(0, -1) + 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'[lastIndex | 1]
    for (const text of [
      '',
      body,
      'chat-invite-',
      'chat-invite-' + body.slice(1),
      'chat-invite-' + body + 'A',
      'chat-invite-' + body.slice(1) + '=',
      'chat-invite-' + body.slice(1) + '+',
      'chat-invite-' + body.slice(1) + '/',
      'chat-invite-' + body.slice(0, 20) + ' ' + body.slice(21),
      'Chat-Invite-' + body,
      'chat-invite:' + body,
      'chat-invite-' + nonCanonical,
      'chat-invite-' + crypto.randomBytes(32).toString('base64'),
    ]) {
      expect(parseInviteCode(text), text).to.equal(undefined)
    }

    expect(parseInviteCode('chat-invite-' + body)).to.have.length(32)
  })
})

describe('passphraseWarning', () => {
  it('warns about short, all-digit, common and repetitive passphrases', () => {
    for (const weak of [
      'hunter2',
      'abc',
      '12345678901234567890',
      'password1234',
      'Password123!',
      'correct horse battery staple',
      'abcabcabcabcabc',
      'aaaaaaaaaaaaaaaa',
      'qwertyuiop123',
    ]) {
      const warning = passphraseWarning(weak)
      expect(warning, weak).to.be.a('string')
      expect(warning).to.not.include('\n')
      expect(warning).to.match(/offline/)
      expect(warning).to.include('chat room invite')
    }

    expect(passphraseWarning('1234')).to.match(/digits/)
    expect(passphraseWarning('short')).to.match(/12 characters/)
    expect(passphraseWarning('password1234')).to.match(/common/)
  })

  it('stays quiet for invite codes and strong passphrases', () => {
    expect(passphraseWarning(newInviteCode())).to.equal(undefined)
    expect(passphraseWarning('violet tractors hum beneath Lisbon')).to.equal(undefined)
    expect(passphraseWarning('Xk9#mQ2!vL7p')).to.equal(undefined)
  })
})

describe('fingerprint', () => {
  it('is the first 8 hex digits of SHA-256 of the raw key, as xxxx:xxxx, and stable', () => {
    const raw = Buffer.alloc(32, 7)
    const nodeId = raw.toString('base64url')
    const hex = crypto.createHash('sha256').update(raw).digest('hex')
    expect(fingerprint(nodeId)).to.equal(`${hex.slice(0, 4)}:${hex.slice(4, 8)}`)
    expect(fingerprint(nodeId)).to.equal(fingerprint(nodeId))

    const id = crypto.generateKeyPairSync('ed25519').publicKey.export({format: 'jwk'}).x!
    expect(fingerprint(id)).to.match(/^[0-9a-f]{4}:[0-9a-f]{4}$/)
    const other = crypto.generateKeyPairSync('ed25519').publicKey.export({format: 'jwk'}).x!
    expect(fingerprint(other)).to.not.equal(fingerprint(id))
  })

  it('rejects something that is not a node id', () => {
    for (const bad of [
      '',
      'abc',
      Buffer.alloc(31).toString('base64url'),
      Buffer.alloc(33).toString('base64url'),
      Buffer.alloc(32).toString('base64'),
    ]) {
      expect(() => fingerprint(bad), bad).to.throw(/not a node id/)
    }
  })
})
