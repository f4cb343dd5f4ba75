// Noise CipherState (§5.1) for ChaChaPoly: ChaCha20-Poly1305 via node:crypto with a 64-bit counter nonce.

import crypto from 'node:crypto'

import {NoiseError} from './errors.js'

export const KEYLEN = 32
export const TAGLEN = 16
/** Noise §3: every handshake and transport message is at most this long. */
export const MAX_MESSAGE_LEN = 65_535
/** Reserved by Noise §5.1: once n reaches it, encryption and decryption are refused for good. */
export const MAX_NONCE = 2n ** 64n - 1n
/** Close and reconnect (or rekey) when a transport counter reaches this (js-libp2p-noise; SECURITY.md). */
export const NONCE_RECONNECT_THRESHOLD = 2n ** 32n - 1n

const EMPTY = Buffer.alloc(0)

/** ChaChaPoly nonce: 4 zero bytes ‖ uint64 little-endian counter (Noise §12.3; big-endian is AESGCM's). */
export function chachaNonce(n: bigint): Buffer {
  const nonce = Buffer.alloc(12)
  nonce.writeBigUInt64LE(n, 4)
  return nonce
}

/**
 * `headroom` bytes are left free at the start of the result for the caller's header (a transport frame's length),
 * so a sealed frame is built in one buffer. An empty `ad` is not passed to the cipher: Poly1305 over no associated
 * data is the same either way (RFC 8439 §2.8), and every transport frame has none.
 */
export function aeadEncrypt(key: Uint8Array, n: bigint, ad: Uint8Array, plaintext: Uint8Array, headroom = 0): Buffer {
  const cipher = crypto.createCipheriv('chacha20-poly1305', key, chachaNonce(n), {authTagLength: TAGLEN})
  if (ad.length > 0) cipher.setAAD(ad, {plaintextLength: plaintext.length})
  const out = Buffer.allocUnsafe(headroom + plaintext.length + TAGLEN)
  out.fill(0, 0, headroom)
  let at = headroom + cipher.update(plaintext).copy(out, headroom)
  at += cipher.final().copy(out, at) // nothing for a stream cipher; copied in case
  cipher.getAuthTag().copy(out, at)
  return out
}

/** Returns null on authentication failure rather than throwing, so callers decide what the failure means. */
export function aeadDecrypt(key: Uint8Array, n: bigint, ad: Uint8Array, ciphertext: Uint8Array): Buffer | null {
  // node only checks the tag in final(); a missing or short tag must never reach it.
  if (ciphertext.length < TAGLEN) return null
  const bodyLen = ciphertext.length - TAGLEN
  const decipher = crypto.createDecipheriv('chacha20-poly1305', key, chachaNonce(n), {authTagLength: TAGLEN})
  if (ad.length > 0) decipher.setAAD(ad, {plaintextLength: bodyLen})
  decipher.setAuthTag(ciphertext.subarray(bodyLen))
  const body = decipher.update(ciphertext.subarray(0, bodyLen))
  try {
    const tail = decipher.final()
    return tail.length === 0 ? body : Buffer.concat([body, tail])
  } catch {
    body.fill(0) // unauthenticated plaintext: never let it out
    return null
  }
}

export class CipherState {
  #k: Buffer | null = null
  #n = 0n
  #destroyed = false

  constructor(key?: Uint8Array) {
    if (key !== undefined) this.initializeKey(key)
  }

  /** Sets a new key and resets the nonce (Noise InitializeKey); only the handshake does this. */
  initializeKey(key: Uint8Array): void {
    this.#checkAlive()
    if (key.length !== KEYLEN) throw new NoiseError('invalid_key', `cipher key must be ${KEYLEN} bytes`)
    this.#k?.fill(0)
    this.#k = Buffer.from(key) // copy: the caller's buffer may be reused
    this.#n = 0n
  }

  hasKey(): boolean {
    return this.#k !== null
  }

  /** Next nonce to be used; transports watch this against NONCE_RECONNECT_THRESHOLD. */
  get nonce(): bigint {
    return this.#n
  }

  /** Noise SetNonce: for out-of-order transports and tests; never use it to rewind a live stream. */
  setNonce(n: bigint): void {
    if (n < 0n || n > MAX_NONCE) throw new NoiseError('invalid_state', 'nonce out of range')
    this.#n = n
  }

  /**
   * Without a key this is the identity, as Noise requires for the first handshake tokens. `headroom` bytes are left
   * free (zero) at the start of the result for a transport's header; they are not part of the ciphertext.
   */
  encryptWithAd(ad: Uint8Array, plaintext: Uint8Array, headroom = 0): Buffer {
    this.#checkAlive()
    if (this.#k === null)
      return headroom === 0 ? Buffer.from(plaintext) : Buffer.concat([Buffer.alloc(headroom), plaintext])
    this.#checkNonce()
    if (plaintext.length + TAGLEN > MAX_MESSAGE_LEN) {
      throw new NoiseError('message_too_large', `ciphertext would exceed ${MAX_MESSAGE_LEN} bytes`)
    }

    const out = aeadEncrypt(this.#k, this.#n, ad, plaintext, headroom)
    this.#n += 1n
    return out
  }

  /** Throws NoiseError('decrypt_failed') and leaves the nonce unchanged when authentication fails. */
  decryptWithAd(ad: Uint8Array, ciphertext: Uint8Array): Buffer {
    this.#checkAlive()
    if (this.#k === null) return Buffer.from(ciphertext)
    this.#checkNonce()
    if (ciphertext.length > MAX_MESSAGE_LEN) {
      throw new NoiseError('message_too_large', `ciphertext exceeds ${MAX_MESSAGE_LEN} bytes`)
    }

    if (ciphertext.length < TAGLEN) throw new NoiseError('message_too_short', 'ciphertext shorter than its tag')
    const out = aeadDecrypt(this.#k, this.#n, ad, ciphertext)
    if (out === null) throw new NoiseError('decrypt_failed', 'authentication failed')
    this.#n += 1n
    return out
  }

  /** Noise §4.2 REKEY: k = first 32 bytes of ENCRYPT(k, 2^64-1, empty, zeros). The nonce is kept. */
  rekey(): void {
    this.#checkAlive()
    if (this.#k === null) throw new NoiseError('invalid_state', 'cannot rekey without a key')
    const next = aeadEncrypt(this.#k, MAX_NONCE, EMPTY, Buffer.alloc(KEYLEN)).subarray(0, KEYLEN)
    this.#k.fill(0)
    this.#k = Buffer.from(next)
  }

  /** Wipes the key. Every later call throws: a keyless state would otherwise pass plaintext through. */
  destroy(): void {
    this.#k?.fill(0)
    this.#k = null
    this.#destroyed = true
  }

  #checkAlive(): void {
    if (this.#destroyed) throw new NoiseError('invalid_state', 'CipherState was destroyed')
  }

  #checkNonce(): void {
    if (this.#n >= MAX_NONCE) throw new NoiseError('nonce_exhausted', 'nonce space exhausted; reconnect')
  }
}
