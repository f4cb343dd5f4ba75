// Noise SymmetricState (§5.2) with SHA-256: the chaining key ck, handshake hash h and the handshake CipherState.

import crypto from 'node:crypto'

import {CipherState} from './cipher-state.js'
import {NoiseError} from './errors.js'

export const HASHLEN = 32

const EMPTY = Buffer.alloc(0)

export function sha256(...parts: Uint8Array[]): Buffer {
  const hash = crypto.createHash('sha256')
  for (const part of parts) hash.update(part)
  return hash.digest()
}

/**
 * Noise HKDF(ck, ikm, n). Noise defines it as temp = HMAC(ck, ikm), out1 = HMAC(temp, 0x01),
 * out_i = HMAC(temp, out_{i-1} ‖ i): exactly RFC 5869 with salt = ck, info empty, L = n·HASHLEN.
 */
export function hkdf(ck: Uint8Array, ikm: Uint8Array, n: 2): [Buffer, Buffer]
export function hkdf(ck: Uint8Array, ikm: Uint8Array, n: 3): [Buffer, Buffer, Buffer]
export function hkdf(ck: Uint8Array, ikm: Uint8Array, n: 2 | 3): Buffer[] {
  // hkdfSync returns an ArrayBuffer, not a Buffer.
  const okm = Buffer.from(crypto.hkdfSync('sha256', ikm, ck, EMPTY, n * HASHLEN))
  const out: Buffer[] = []
  for (let i = 0; i < n; i++) out.push(okm.subarray(i * HASHLEN, (i + 1) * HASHLEN))
  return out
}

export class SymmetricState {
  #ck: Buffer
  #h: Buffer
  readonly #cipher = new CipherState()

  /** Noise InitializeSymmetric: names up to HASHLEN bytes are zero-padded, longer ones hashed. */
  constructor(protocolName: string) {
    const name = Buffer.from(protocolName, 'utf8')
    this.#h = name.length <= HASHLEN ? Buffer.concat([name, Buffer.alloc(HASHLEN - name.length)]) : sha256(name)
    this.#ck = Buffer.from(this.#h)
  }

  mixKey(ikm: Uint8Array): void {
    const [ck, tempK] = hkdf(this.#ck, ikm, 2)
    this.#ck = ck
    this.#cipher.initializeKey(tempK) // HASHLEN = 32 = KEYLEN: no truncation needed
    tempK.fill(0) // initializeKey copied it
  }

  mixHash(data: Uint8Array): void {
    this.#h = sha256(this.#h, data)
  }

  /** Used for psk tokens (Noise §9.2). */
  mixKeyAndHash(ikm: Uint8Array): void {
    const [ck, tempH, tempK] = hkdf(this.#ck, ikm, 3)
    this.#ck = ck
    this.mixHash(tempH)
    this.#cipher.initializeKey(tempK)
    tempK.fill(0)
  }

  hasKey(): boolean {
    return this.#cipher.hasKey()
  }

  /** A copy of h: after the handshake it is the channel binding value. */
  getHandshakeHash(): Buffer {
    return Buffer.from(this.#h)
  }

  encryptAndHash(plaintext: Uint8Array): Buffer {
    const ciphertext = this.#cipher.encryptWithAd(this.#h, plaintext)
    this.mixHash(ciphertext)
    return ciphertext
  }

  decryptAndHash(ciphertext: Uint8Array): Buffer {
    const plaintext = this.#cipher.decryptWithAd(this.#h, ciphertext)
    this.mixHash(ciphertext)
    return plaintext
  }

  /** Noise Split: (initiator→responder, responder→initiator). Wipes ck and the handshake key. */
  split(): [CipherState, CipherState] {
    if (this.#ck.length === 0) throw new NoiseError('invalid_state', 'SymmetricState already split')
    const [k1, k2] = hkdf(this.#ck, EMPTY, 2)
    const pair: [CipherState, CipherState] = [new CipherState(k1), new CipherState(k2)]
    k1.fill(0)
    k2.fill(0)
    this.#ck.fill(0)
    this.#ck = EMPTY
    this.#cipher.destroy()
    return pair
  }
}
