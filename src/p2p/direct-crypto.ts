// Sealing a direct message to one recipient: an ephemeral X25519 key agreed with the recipient's announced key,
// HKDF-SHA256 into a one-time ChaCha20-Poly1305 key, the sender and recipient ids as associated data. Relays carry
// the box like any flooded frame and cannot open it; the sender's signature over the whole payload says who sent it.

import {createCipheriv, createDecipheriv, hkdfSync} from 'node:crypto'

import {dh, generateKeyPair, type X25519KeyPair} from './noise/index.js'

const INFO = 'chat/2 direct-message'
const NONCE = Buffer.alloc(12) // every key is used once: a fixed nonce is safe
const TAG_BYTES = 16

export interface SealedBox {
  /** The ephemeral public key, base64url. */
  eph: string
  /** Ciphertext and tag, base64url. */
  box: string
}

function keyFor(shared: Buffer, eph: Buffer, recipient: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', shared, Buffer.concat([eph, recipient]), INFO, 32))
}

export function sealTo(recipientKey: Buffer, plaintext: string, associated: string): SealedBox {
  const ephemeral = generateKeyPair()
  const key = keyFor(dh(ephemeral.privateKey, recipientKey), ephemeral.publicKey, recipientKey)
  const cipher = createCipheriv('chacha20-poly1305', key, NONCE, {authTagLength: TAG_BYTES})
  const data = Buffer.from(plaintext, 'utf8')
  cipher.setAAD(Buffer.from(associated, 'utf8'), {plaintextLength: data.length})
  const box = Buffer.concat([cipher.update(data), cipher.final(), cipher.getAuthTag()])
  return {eph: ephemeral.publicKey.toString('base64url'), box: box.toString('base64url')}
}

/** Opens a box sealed to `own`; undefined if it was not for this key or was altered. */
export function openSealed(own: X25519KeyPair, sealed: SealedBox, associated: string): string | undefined {
  try {
    const eph = Buffer.from(sealed.eph, 'base64url')
    const box = Buffer.from(sealed.box, 'base64url')
    if (eph.length !== 32 || box.length < TAG_BYTES) return undefined
    const key = keyFor(dh(own.privateKey, eph), eph, own.publicKey)
    const decipher = createDecipheriv('chacha20-poly1305', key, NONCE, {authTagLength: TAG_BYTES})
    decipher.setAAD(Buffer.from(associated, 'utf8'), {plaintextLength: box.length - TAG_BYTES})
    decipher.setAuthTag(box.subarray(box.length - TAG_BYTES))
    const plain = Buffer.concat([decipher.update(box.subarray(0, box.length - TAG_BYTES)), decipher.final()])
    return new TextDecoder('utf8', {fatal: true}).decode(plain)
  } catch {
    return undefined
  }
}
