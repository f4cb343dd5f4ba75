import {expect} from 'chai'
import * as fc from 'fast-check'
import crypto from 'node:crypto'

import {
  DEFAULT_PROTOCOL_NAME,
  dh,
  generateKeyPair,
  type HandshakeOptions,
  HandshakeState,
  MAX_MESSAGE_LEN,
  NoiseError,
  SymmetricState,
  type X25519KeyPair,
} from '../../src/p2p/noise/index.js'
import {thrownCode} from '../helpers/errors.js'

const XX = 'Noise_XX_25519_ChaChaPoly_SHA256'
const PSK = crypto.randomBytes(32)
const PROLOGUE = Buffer.from('chat/1 room-abc')
const INIT_STATIC = generateKeyPair()
const RESP_STATIC = generateKeyPair()

/** Every small-order u-coordinate (and non-canonical aliases) from libsodium's X25519 blocklist. */
const LOW_ORDER_POINTS = [
  '00'.repeat(32),
  '01' + '00'.repeat(31),
  'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800',
  '5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157',
  'ec' + 'ff'.repeat(30) + '7f',
  'ed' + 'ff'.repeat(30) + '7f',
  'ee' + 'ff'.repeat(30) + '7f',
  '00'.repeat(31) + '80',
  'ed' + 'ff'.repeat(31),
].map((h) => Buffer.from(h, 'hex'))

type Side = Partial<HandshakeOptions>

function pair(shared: Side = {}, init: Side = {}, resp: Side = {}): {init: HandshakeState; resp: HandshakeState} {
  const base = {protocolName: DEFAULT_PROTOCOL_NAME, prologue: PROLOGUE, psks: [PSK], ...shared}
  return {
    init: new HandshakeState({...base, staticKeyPair: INIT_STATIC, ...init, initiator: true}),
    resp: new HandshakeState({...base, staticKeyPair: RESP_STATIC, ...resp, initiator: false}),
  }
}

function flipBit(message: Buffer, bit: number): Buffer {
  const out = Buffer.from(message)
  out[bit >> 3]! ^= 1 << (bit & 7)
  return out
}

const PAYLOADS = [Buffer.alloc(0), Buffer.from('signed static 2'), Buffer.from('signed static 3')]

/** Runs the three XX messages honestly up to (not including) message `upTo`; returns the messages written. */
function runUpTo(hs: {init: HandshakeState; resp: HandshakeState}, upTo: number): void {
  for (let i = 0; i < upTo; i++) {
    const [w, r] = i % 2 === 0 ? [hs.init, hs.resp] : [hs.resp, hs.init]
    r.readMessage(w.writeMessage(PAYLOADS[i]))
  }
}

/**
 * A peer that knows the room key but sends `badStatic` as its static key in message 2: built from SymmetricState
 * because no honest key pair has a low-order public key.
 */
function maliciousMessage2(msg1: Buffer, badStatic: Buffer, psk: boolean): Buffer {
  const sym = new SymmetricState(psk ? DEFAULT_PROTOCOL_NAME : XX)
  sym.mixHash(PROLOGUE)
  if (psk) sym.mixKeyAndHash(PSK)
  const re = msg1.subarray(0, 32)
  sym.mixHash(re)
  if (psk) sym.mixKey(re)
  sym.decryptAndHash(msg1.subarray(32))
  const e: X25519KeyPair = generateKeyPair()
  sym.mixHash(e.publicKey)
  if (psk) sym.mixKey(e.publicKey)
  sym.mixKey(dh(e.privateKey, re))
  return Buffer.concat([e.publicKey, sym.encryptAndHash(badStatic), crypto.randomBytes(16)])
}

describe('noise: HandshakeState (XXpsk0 by default)', () => {
  it('completes, authenticates both statics and yields working transport ciphers both ways', () => {
    const hs = pair()
    expect(hs.init.isMyTurn).to.equal(true)
    expect(hs.resp.isMyTurn).to.equal(false)
    const m1 = hs.init.writeMessage()
    expect(m1.length).to.equal(48) // e + tag over an empty payload: the non-member filter
    expect(hs.resp.readMessage(m1).length).to.equal(0)
    expect(hs.init.remoteStaticPublicKey).to.equal(null)
    const m2 = hs.resp.writeMessage(PAYLOADS[1])
    expect(m2.length).to.equal(32 + 48 + PAYLOADS[1]!.length + 16)
    expect(hs.init.readMessage(m2).equals(PAYLOADS[1]!)).to.equal(true)
    expect(hs.init.remoteStaticPublicKey?.equals(RESP_STATIC.publicKey)).to.equal(true)
    const m3 = hs.init.writeMessage(PAYLOADS[2])
    expect(m3.length).to.equal(48 + PAYLOADS[2]!.length + 16)
    expect(hs.init.isComplete).to.equal(true)
    expect(hs.resp.isComplete).to.equal(false)
    expect(hs.resp.readMessage(m3).equals(PAYLOADS[2]!)).to.equal(true)
    expect(hs.resp.isComplete).to.equal(true)
    expect(hs.resp.remoteStaticPublicKey?.equals(INIT_STATIC.publicKey)).to.equal(true)
    expect(hs.init.handshakeHash.equals(hs.resp.handshakeHash)).to.equal(true)

    const a = hs.init.split()
    const b = hs.resp.split()
    const empty = Buffer.alloc(0)
    expect(b.recv.decryptWithAd(empty, a.send.encryptWithAd(empty, Buffer.from('hi bob'))).toString()).to.equal(
      'hi bob',
    )
    expect(a.recv.decryptWithAd(empty, b.send.encryptWithAd(empty, Buffer.from('hi alice'))).toString()).to.equal(
      'hi alice',
    )
    // Directions have distinct keys: a frame sent back to its sender does not open.
    expect(
      thrownCode(NoiseError, () => a.recv.decryptWithAd(empty, a.send.encryptWithAd(empty, Buffer.from('echo')))),
    ).to.equal('decrypt_failed')
  })

  it('generates a fresh ephemeral per handshake', () => {
    expect(pair().init.writeMessage().equals(pair().init.writeMessage())).to.equal(false)
  })

  it('refuses out-of-turn calls without breaking the handshake', () => {
    const hs = pair()
    expect(thrownCode(NoiseError, () => hs.init.readMessage(Buffer.alloc(100)))).to.equal('out_of_turn')
    expect(thrownCode(NoiseError, () => hs.resp.writeMessage())).to.equal('out_of_turn')
    const m1 = hs.init.writeMessage()
    expect(thrownCode(NoiseError, () => hs.init.writeMessage())).to.equal('out_of_turn')
    hs.resp.readMessage(m1)
    expect(thrownCode(NoiseError, () => hs.resp.readMessage(m1))).to.equal('out_of_turn')
    hs.init.readMessage(hs.resp.writeMessage())
    hs.resp.readMessage(hs.init.writeMessage())
    expect(hs.init.isComplete && hs.resp.isComplete).to.equal(true)
  })

  it('refuses use after completion, split before completion, and a second split', () => {
    const hs = pair()
    expect(thrownCode(NoiseError, () => hs.init.split())).to.equal('invalid_state')
    runUpTo(hs, 3)
    expect(thrownCode(NoiseError, () => hs.init.writeMessage())).to.equal('invalid_state')
    expect(thrownCode(NoiseError, () => hs.resp.readMessage(Buffer.alloc(64)))).to.equal('invalid_state')
    hs.init.split()
    expect(thrownCode(NoiseError, () => hs.init.split())).to.equal('invalid_state')
    expect(hs.init.handshakeHash.equals(hs.resp.handshakeHash)).to.equal(true)
  })

  it('validates PSKs and keys at construction', () => {
    expect(thrownCode(NoiseError, () => pair({psks: []}))).to.equal('invalid_psk')
    expect(thrownCode(NoiseError, () => pair({psks: [PSK, PSK]}))).to.equal('invalid_psk')
    expect(thrownCode(NoiseError, () => pair({psks: [PSK.subarray(1)]}))).to.equal('invalid_psk')
    expect(thrownCode(NoiseError, () => pair({protocolName: XX}))).to.equal('invalid_psk')
    expect(thrownCode(NoiseError, () => pair({protocolName: 'Noise_IK_25519_ChaChaPoly_SHA256'}))).to.equal(
      'unsupported_protocol',
    )
  })

  describe('tampering', () => {
    // One handshake per byte of each message, flipping a different bit position each time.
    for (const index of [0, 1, 2]) {
      it(`a flipped bit anywhere in message ${index + 1} makes the reader throw and the handshake dead`, () => {
        const probe = pair()
        runUpTo(probe, index)
        const {length} = (index % 2 === 0 ? probe.init : probe.resp).writeMessage(PAYLOADS[index])
        for (let byte = 0; byte < length; byte++) {
          const hs = pair()
          runUpTo(hs, index)
          const [writer, reader] = index % 2 === 0 ? [hs.init, hs.resp] : [hs.resp, hs.init]
          const tampered = flipBit(writer.writeMessage(PAYLOADS[index]), byte * 8 + (byte % 8))
          expect(
            thrownCode(NoiseError, () => reader.readMessage(tampered)),
            `byte ${byte}`,
          ).to.equal('decrypt_failed')
          expect(
            thrownCode(NoiseError, () => (reader.isMyTurn ? reader.writeMessage() : reader.readMessage(tampered))),
          ).to.equal('invalid_state')
        }
      })
    }

    it('plain XX cannot see a flip in message 1 until the initiator reads message 2 (why psk0)', () => {
      const hs = pair({protocolName: XX, psks: []})
      const m1 = flipBit(hs.init.writeMessage(Buffer.from('hello')), 33 * 8)
      expect(hs.resp.readMessage(m1).toString()).to.not.equal('hello')
      expect(thrownCode(NoiseError, () => hs.init.readMessage(hs.resp.writeMessage()))).to.equal('decrypt_failed')
    })

    it('a wrong PSK fails at message 1 on the responder, which then cannot answer', () => {
      const hs = pair({}, {}, {psks: [crypto.randomBytes(32)]})
      expect(thrownCode(NoiseError, () => hs.resp.readMessage(hs.init.writeMessage()))).to.equal('decrypt_failed')
      expect(hs.resp.remoteEphemeralPublicKey).to.not.equal(null)
      expect(thrownCode(NoiseError, () => hs.resp.writeMessage())).to.equal('invalid_state')
    })

    it('a prologue mismatch fails at message 1 with psk0, at message 2 with plain XX', () => {
      const other = Buffer.from('chat/2 room-abc')
      const psk0 = pair({}, {}, {prologue: other})
      expect(thrownCode(NoiseError, () => psk0.resp.readMessage(psk0.init.writeMessage()))).to.equal('decrypt_failed')
      const xx = pair({protocolName: XX, psks: []}, {}, {prologue: other})
      xx.resp.readMessage(xx.init.writeMessage())
      expect(thrownCode(NoiseError, () => xx.init.readMessage(xx.resp.writeMessage()))).to.equal('decrypt_failed')
    })

    it('a protocol name mismatch (psk0 vs psk3) fails at message 1', () => {
      const hs = pair({}, {}, {protocolName: 'Noise_XXpsk3_25519_ChaChaPoly_SHA256'})
      expect(thrownCode(NoiseError, () => hs.resp.readMessage(hs.init.writeMessage()))).to.equal('decrypt_failed')
    })
  })

  describe('low-order public keys', () => {
    for (const [i, point] of LOW_ORDER_POINTS.entries()) {
      it(`point #${i} (${point.toString('hex').slice(0, 8)}…) aborts with invalid-dh, not a crash`, () => {
        // As the initiator's e in message 1 (plain XX: no PSK needed to forge it): the responder's ee fails.
        const xx = pair({protocolName: XX, psks: []})
        xx.resp.readMessage(point)
        expect(thrownCode(NoiseError, () => xx.resp.writeMessage())).to.equal('invalid_dh')
        expect(thrownCode(NoiseError, () => xx.resp.writeMessage())).to.equal('invalid_state')

        // As the responder's e in message 2: the initiator's ee fails before anything is decrypted.
        const hs = pair()
        hs.resp.readMessage(hs.init.writeMessage())
        const forged = Buffer.concat([point, crypto.randomBytes(64)])
        expect(thrownCode(NoiseError, () => hs.init.readMessage(forged))).to.equal('invalid_dh')

        // As the responder's static in message 2, from a peer holding the PSK: the initiator's es fails.
        for (const psk of [false, true]) {
          const victim = pair(psk ? {} : {protocolName: XX, psks: []})
          const m1 = victim.init.writeMessage()
          expect(thrownCode(NoiseError, () => victim.init.readMessage(maliciousMessage2(m1, point, psk)))).to.equal(
            'invalid_dh',
          )
        }
      })
    }
  })

  describe('sizes', () => {
    it('rejects short, empty and oversized messages', () => {
      for (const bad of [Buffer.alloc(0), Buffer.alloc(47)]) {
        const hs = pair()
        hs.init.writeMessage()
        expect(thrownCode(NoiseError, () => hs.resp.readMessage(bad))).to.equal('message_too_short')
      }

      const hs = pair()
      hs.resp.readMessage(hs.init.writeMessage())
      hs.resp.writeMessage()
      expect(thrownCode(NoiseError, () => hs.init.readMessage(Buffer.alloc(95)))).to.equal('message_too_short')
      expect(thrownCode(NoiseError, () => pair().resp.readMessage(Buffer.alloc(MAX_MESSAGE_LEN + 1)))).to.equal(
        'message_too_large',
      )
    })

    it('accepts exactly 65,535 bytes; refuses one more before touching state', () => {
      const hs = pair()
      const room = MAX_MESSAGE_LEN - 48
      expect(thrownCode(NoiseError, () => hs.init.writeMessage(Buffer.alloc(room + 1)))).to.equal('message_too_large')
      const m1 = hs.init.writeMessage(Buffer.alloc(room, 1))
      expect(m1.length).to.equal(MAX_MESSAGE_LEN)
      expect(hs.resp.readMessage(m1).length).to.equal(room)
      hs.init.readMessage(hs.resp.writeMessage())
      hs.resp.readMessage(hs.init.writeMessage())
      expect(hs.resp.isComplete).to.equal(true)
    })
  })

  describe('fuzz (fast-check)', () => {
    const outcome = (fn: () => Buffer): string => {
      try {
        fn()
        return 'ok'
      } catch (error) {
        if (error instanceof NoiseError) return error.code
        throw error
      }
    }

    it('arbitrary bytes as message 1 never get past a psk0 responder, and only throw NoiseError', () => {
      fc.assert(
        fc.property(fc.uint8Array({maxLength: 300}), (bytes) => {
          expect(outcome(() => pair().resp.readMessage(bytes))).to.be.oneOf(['message_too_short', 'decrypt_failed'])
        }),
        {seed: 42, numRuns: 500},
      )
    })

    it('arbitrary bytes as message 2 only ever throw NoiseError at the initiator', () => {
      fc.assert(
        fc.property(fc.uint8Array({maxLength: 300}), (bytes) => {
          const victim = pair()
          victim.init.writeMessage()
          expect(outcome(() => victim.init.readMessage(bytes))).to.be.oneOf([
            'message_too_short',
            'decrypt_failed',
            'invalid_dh',
          ])
        }),
        {seed: 42, numRuns: 500},
      )
    })

    it('random payloads round-trip through a full handshake', () => {
      const payload = fc.uint8Array({maxLength: 1024})
      fc.assert(
        fc.property(payload, payload, payload, fc.uint8Array({minLength: 32, maxLength: 32}), (p1, p2, p3, psk) => {
          const hs = pair({psks: [psk]})
          expect(hs.resp.readMessage(hs.init.writeMessage(p1)).equals(p1)).to.equal(true)
          expect(hs.init.readMessage(hs.resp.writeMessage(p2)).equals(p2)).to.equal(true)
          expect(hs.resp.readMessage(hs.init.writeMessage(p3)).equals(p3)).to.equal(true)
          expect(hs.init.handshakeHash.equals(hs.resp.handshakeHash)).to.equal(true)
        }),
        {seed: 42, numRuns: 100},
      )
    })
  })
})
