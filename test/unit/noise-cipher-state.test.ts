import {expect} from 'chai'
import * as fc from 'fast-check'
import crypto from 'node:crypto'

import {CipherState, MAX_NONCE, NoiseError, TAGLEN} from '../../src/p2p/noise/index.js'
import {thrownCode} from '../helpers/errors.js'

const AD = Buffer.from('associated data')
const FC = {seed: 42, numRuns: 500}

function sealAt(key: Uint8Array, n: bigint, ad: Uint8Array, pt: Uint8Array, headroom = 0): Buffer {
  const cs = new CipherState(key)
  cs.setNonce(n)
  return cs.encryptWithAd(ad, pt, headroom)
}

function openAt(key: Uint8Array, n: bigint, ad: Uint8Array, ct: Uint8Array): Buffer {
  const cs = new CipherState(key)
  cs.setNonce(n)
  return cs.decryptWithAd(ad, ct)
}

describe('noise: CipherState', () => {
  const key = crypto.randomBytes(32)

  it('seals and opens, counting nonces per direction', () => {
    const tx = new CipherState(key)
    const rx = new CipherState(key)
    for (let i = 0; i < 3; i++) {
      const ct = tx.encryptWithAd(AD, Buffer.from(`msg ${i}`))
      expect(ct.length).to.equal(5 + TAGLEN)
      expect(rx.decryptWithAd(AD, ct).toString()).to.equal(`msg ${i}`)
    }

    expect(tx.nonce).to.equal(3n)
    expect(rx.nonce).to.equal(3n)
  })

  it('leaves headroom for a transport header in front of the same ciphertext, with and without associated data', () => {
    for (const ad of [AD, Buffer.alloc(0)]) {
      const plain = Buffer.from('a frame body')
      const framed = sealAt(key, 7n, ad, plain, 2)
      expect(framed.length).to.equal(2 + plain.length + TAGLEN)
      expect(framed.subarray(0, 2)).to.deep.equal(Buffer.alloc(2))
      expect(framed.subarray(2)).to.deep.equal(sealAt(key, 7n, ad, plain))
      expect(openAt(key, 7n, ad, framed.subarray(2)).toString()).to.equal('a frame body')
    }
  })

  it('uses 4 zero bytes ‖ little-endian counter as the ChaCha20-Poly1305 nonce', () => {
    const n = 0x01_02_03_04_05_06_07_08n
    const nonce = Buffer.from('000000000807060504030201', 'hex')
    const c = crypto.createCipheriv('chacha20-poly1305', key, nonce, {authTagLength: 16})
    c.setAAD(AD, {plaintextLength: 3})
    const expected = Buffer.concat([c.update(Buffer.from('abc')), c.final(), c.getAuthTag()])
    expect(sealAt(key, n, AD, Buffer.from('abc')).equals(expected)).to.equal(true)
  })

  it('without a key passes data through (Noise: the first handshake tokens)', () => {
    const cs = new CipherState()
    expect(cs.hasKey()).to.equal(false)
    expect(cs.encryptWithAd(AD, Buffer.from('x')).toString()).to.equal('x')
    expect(cs.nonce).to.equal(0n)
  })

  it('a failed decryption throws decrypt_failed and does not advance the nonce', () => {
    const tx = new CipherState(key)
    const rx = new CipherState(key)
    const ct = tx.encryptWithAd(AD, Buffer.from('hello'))
    const bad = Buffer.from(ct)
    bad[0]! ^= 1
    expect(thrownCode(NoiseError, () => rx.decryptWithAd(AD, bad))).to.equal('decrypt_failed')
    expect(rx.nonce).to.equal(0n)
    expect(rx.decryptWithAd(AD, ct).toString()).to.equal('hello')
  })

  it('rejects wrong key, wrong nonce, wrong AD, short input', () => {
    const ct = sealAt(key, 5n, AD, Buffer.from('hello'))
    expect(thrownCode(NoiseError, () => openAt(crypto.randomBytes(32), 5n, AD, ct))).to.equal('decrypt_failed')
    expect(thrownCode(NoiseError, () => openAt(key, 4n, AD, ct))).to.equal('decrypt_failed')
    expect(thrownCode(NoiseError, () => openAt(key, 6n, AD, ct))).to.equal('decrypt_failed')
    expect(thrownCode(NoiseError, () => openAt(key, 5n, Buffer.from('other'), ct))).to.equal('decrypt_failed')
    expect(thrownCode(NoiseError, () => openAt(key, 5n, AD, ct.subarray(0, TAGLEN - 1)))).to.equal('message_too_short')
    expect(openAt(key, 5n, AD, ct).toString()).to.equal('hello')
  })

  it('refuses to use the reserved nonce 2^64-1 and never wraps', () => {
    const tx = new CipherState(key)
    tx.setNonce(MAX_NONCE - 1n)
    const ct = tx.encryptWithAd(AD, Buffer.from('last'))
    expect(tx.nonce).to.equal(MAX_NONCE)
    expect(thrownCode(NoiseError, () => tx.encryptWithAd(AD, Buffer.from('one more')))).to.equal('nonce_exhausted')
    expect(tx.nonce).to.equal(MAX_NONCE)
    expect(openAt(key, MAX_NONCE - 1n, AD, ct).toString()).to.equal('last')
    const rx = new CipherState(key)
    rx.setNonce(MAX_NONCE)
    expect(thrownCode(NoiseError, () => rx.decryptWithAd(AD, ct))).to.equal('nonce_exhausted')
    expect(thrownCode(NoiseError, () => rx.setNonce(MAX_NONCE + 1n))).to.equal('invalid_state')
  })

  it('refuses ciphertexts over 65,535 bytes', () => {
    const cs = new CipherState(key)
    expect(cs.encryptWithAd(AD, Buffer.alloc(65_535 - TAGLEN)).length).to.equal(65_535)
    expect(thrownCode(NoiseError, () => cs.encryptWithAd(AD, Buffer.alloc(65_535 - TAGLEN + 1)))).to.equal(
      'message_too_large',
    )
    expect(thrownCode(NoiseError, () => new CipherState(key).decryptWithAd(AD, Buffer.alloc(65_536)))).to.equal(
      'message_too_large',
    )
  })

  it('rekey: both sides stay in step, the key changes, the nonce is kept', () => {
    const tx = new CipherState(key)
    const rx = new CipherState(key)
    rx.decryptWithAd(AD, tx.encryptWithAd(AD, Buffer.from('a')))
    tx.rekey()
    rx.rekey()
    expect(tx.nonce).to.equal(1n)
    const ct = tx.encryptWithAd(AD, Buffer.from('b'))
    expect(rx.decryptWithAd(AD, ct).toString()).to.equal('b')
    expect(thrownCode(NoiseError, () => openAt(key, 1n, AD, ct))).to.equal('decrypt_failed')
  })

  it('rejects keys of the wrong length, and is unusable after destroy()', () => {
    expect(thrownCode(NoiseError, () => new CipherState(Buffer.alloc(31)))).to.equal('invalid_key')
    const cs = new CipherState(key)
    cs.destroy()
    expect(thrownCode(NoiseError, () => cs.encryptWithAd(AD, Buffer.from('x')))).to.equal('invalid_state')
    expect(thrownCode(NoiseError, () => cs.decryptWithAd(AD, Buffer.alloc(16)))).to.equal('invalid_state')
  })

  it('copies the key, so later changes to the caller buffer do not matter', () => {
    const k = Buffer.from(key)
    const cs = new CipherState(k)
    k.fill(0)
    expect(openAt(key, 0n, AD, cs.encryptWithAd(AD, Buffer.from('x'))).toString()).to.equal('x')
  })

  describe('properties (fast-check)', () => {
    const bytes32 = fc.uint8Array({minLength: 32, maxLength: 32})
    const nonce = fc.bigInt({min: 0n, max: MAX_NONCE - 1n})
    const data = fc.uint8Array({maxLength: 256})

    it('a sealed frame never opens under another key or nonce', () => {
      fc.assert(
        fc.property(bytes32, bytes32, nonce, nonce, data, data, (k1, k2, n1, n2, ad, pt) => {
          fc.pre(!Buffer.from(k1).equals(Buffer.from(k2)) || n1 !== n2)
          const ct = sealAt(k1, n1, ad, pt)
          expect(openAt(k1, n1, ad, ct).equals(Buffer.from(pt))).to.equal(true)
          expect(thrownCode(NoiseError, () => openAt(k2, n2, ad, ct))).to.equal('decrypt_failed')
        }),
        FC,
      )
    })

    it('any single-bit tamper of a ciphertext is detected', () => {
      fc.assert(
        fc.property(bytes32, nonce, data, data, fc.nat(), (k, n, ad, pt, bitSeed) => {
          const ct = sealAt(k, n, ad, pt)
          const bit = bitSeed % (ct.length * 8)
          ct[bit >> 3]! ^= 1 << (bit & 7)
          expect(thrownCode(NoiseError, () => openAt(k, n, ad, ct))).to.equal('decrypt_failed')
        }),
        FC,
      )
    })
  })
})
