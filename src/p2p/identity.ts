// A node's long-term Ed25519 identity, in memory. The node id is the raw public key in base64url. Storage on disk
// is not the engine's business (src/identity does it); signing and verifying with ids is.

import {LRUCache} from 'lru-cache'
import crypto, {type KeyObject} from 'node:crypto'

export interface Identity {
  /** Node id: base64url of the raw 32-byte Ed25519 public key. */
  id: string
  publicKey: KeyObject
  privateKey: KeyObject
}

const NODE_ID = /^[A-Za-z0-9_-]{43}$/
/** Public keys parsed from ids, kept so a busy relay does not re-parse the same author for every message. */
const MAX_CACHED_KEYS = 4096
const keyCache = new LRUCache<string, KeyObject>({max: MAX_CACHED_KEYS})

/** A new in-memory identity (tests, or a node told not to keep one). */
export function generateIdentity(): Identity {
  return identityFromPrivateKey(crypto.generateKeyPairSync('ed25519').privateKey)
}

/** The identity of an Ed25519 private key; throws a TypeError for any other key type. */
export function identityFromPrivateKey(privateKey: KeyObject): Identity {
  if (privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'ed25519') {
    throw new TypeError(`expected an Ed25519 private key, got ${privateKey.asymmetricKeyType ?? privateKey.type}`)
  }

  const publicKey = crypto.createPublicKey(privateKey)
  return {id: rawPublicKey(publicKey).toString('base64url'), publicKey, privateKey}
}

// DER headers of an Ed25519 key (OID 1.3.101.112) in front of its raw 32 bytes.
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex')

/*
 * Keys are read out as DER, never as JWK. Node 20 deadlocks (a futex wait, no CPU, forever) when a garbage collection
 * runs inside a JWK export of a key made by generateKeyPairSync: the export holds the key's mutex while it allocates
 * the strings, and the collection finalises the key's generation job, whose destructor takes the same mutex. A DER
 * export does not allocate under that lock. Seen in the spam test, which makes 20,000 identities.
 */

/** The raw 32-byte Ed25519 public key. */
export function rawPublicKey(publicKey: KeyObject): Buffer {
  const der = publicKey.export({format: 'der', type: 'spki'})
  if (der.length !== SPKI_PREFIX.length + 32 || !der.subarray(0, SPKI_PREFIX.length).equals(SPKI_PREFIX)) {
    throw new TypeError('not an Ed25519 public key')
  }

  return der.subarray(SPKI_PREFIX.length)
}

/** The raw 32-byte Ed25519 private seed. */
export function rawPrivateSeed(privateKey: KeyObject): Buffer {
  const der = privateKey.export({format: 'der', type: 'pkcs8'})
  if (der.length !== PKCS8_PREFIX.length + 32 || !der.subarray(0, PKCS8_PREFIX.length).equals(PKCS8_PREFIX)) {
    throw new TypeError('not an Ed25519 private key')
  }

  return der.subarray(PKCS8_PREFIX.length)
}

/** True for a well-formed node id (43 base64url characters that decode to exactly 32 bytes). */
export function isNodeId(id: string): boolean {
  return NODE_ID.test(id) && Buffer.from(id, 'base64url').toString('base64url') === id
}

/** The Ed25519 public key behind a node id; undefined for a malformed id. */
export function publicKeyOf(id: string): KeyObject | undefined {
  const cached = keyCache.get(id)
  if (cached) return cached
  if (!isNodeId(id)) return undefined
  let key: KeyObject
  try {
    key = crypto.createPublicKey({format: 'jwk', key: {crv: 'Ed25519', kty: 'OKP', x: id}})
  } catch {
    return undefined
  }

  keyCache.set(id, key)
  return key
}

/** Signs `data` behind a domain prefix, so a signature made for one purpose is never valid for another. */
export function signWithPrefix(identity: Identity, prefix: string, data: Uint8Array): Buffer {
  return crypto.sign(null, Buffer.concat([Buffer.from(prefix, 'utf8'), data]), identity.privateKey)
}

/** Checks a signature made by `signWithPrefix` against the node id of its claimed signer. */
export function verifyWithPrefix(id: string, prefix: string, data: Uint8Array, signature: Uint8Array): boolean {
  const key = publicKeyOf(id)
  if (!key || signature.length !== 64) return false
  try {
    return crypto.verify(null, Buffer.concat([Buffer.from(prefix, 'utf8'), data]), key, signature)
  } catch {
    return false
  }
}

/**
 * A short human fingerprint of a node id: the first 8 hex digits of the SHA-256 of the raw public key, as
 * `ab12:cd34`. For people comparing ids by eye, not for authentication. Throws on a malformed id.
 */
export function fingerprint(nodeId: string): string {
  if (!isNodeId(nodeId)) throw new Error(`not a node id: ${JSON.stringify(nodeId.slice(0, 64))}`)
  const hex = crypto.createHash('sha256').update(Buffer.from(nodeId, 'base64url')).digest('hex')
  return `${hex.slice(0, 4)}:${hex.slice(4, 8)}`
}
