// X25519 for Noise on node:crypto. Private keys stay KeyObjects (never exported); public keys are raw 32 bytes,
// which is what goes on the wire.

import crypto, {type KeyObject} from 'node:crypto'

import {NoiseError} from './errors.js'

/** Noise DHLEN for 25519. */
export const DHLEN = 32

// DER headers for an X25519 key (OID 1.3.101.110) around the raw 32 bytes: the simplest import node:crypto offers
// for a raw scalar (JWK would also need the public `x` we are trying to derive).
const PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex')
const SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex')

export interface X25519KeyPair {
  /** Raw 32-byte public key. */
  readonly publicKey: Buffer
  readonly privateKey: KeyObject
}

function rawPublicKey(key: KeyObject): Buffer {
  const spki = key.export({format: 'der', type: 'spki'})
  return Buffer.from(spki.subarray(SPKI_PREFIX.length))
}

export function generateKeyPair(): X25519KeyPair {
  const {privateKey, publicKey} = crypto.generateKeyPairSync('x25519')
  return {privateKey, publicKey: rawPublicKey(publicKey)}
}

/** Imports a raw 32-byte private scalar (test vectors, fixed keys) and derives its public key. */
export function keyPairFromPrivateKey(raw: Uint8Array): X25519KeyPair {
  if (raw.length !== DHLEN) throw new NoiseError('invalid_key', `X25519 private key must be ${DHLEN} bytes`)
  let privateKey: KeyObject
  try {
    privateKey = crypto.createPrivateKey({key: Buffer.concat([PKCS8_PREFIX, raw]), format: 'der', type: 'pkcs8'})
  } catch (error) {
    throw new NoiseError('invalid_key', 'cannot import X25519 private key', {cause: error})
  }

  return {privateKey, publicKey: rawPublicKey(crypto.createPublicKey(privateKey))}
}

/** Imports a raw 32-byte public key. Any 32 bytes import; bad points are caught by {@link dh}. */
export function publicKeyFromRaw(raw: Uint8Array): KeyObject {
  if (raw.length !== DHLEN) throw new NoiseError('invalid_key', `X25519 public key must be ${DHLEN} bytes`)
  try {
    return crypto.createPublicKey({key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki'})
  } catch (error) {
    throw new NoiseError('invalid_key', 'cannot import X25519 public key', {cause: error})
  }
}

/**
 * X25519(privateKey, remotePublicKey). OpenSSL refuses an all-zero result (low-order or zero peer key) with a
 * generic error; that is a hostile or broken peer, so it becomes a NoiseError and the handshake aborts.
 */
export function dh(privateKey: KeyObject, remotePublicKey: Uint8Array): Buffer {
  const publicKey = publicKeyFromRaw(remotePublicKey)
  let shared: Buffer
  try {
    shared = crypto.diffieHellman({privateKey, publicKey})
  } catch (error) {
    throw new NoiseError('invalid_dh', 'X25519 failed: low-order or invalid peer public key', {cause: error})
  }

  // Belt and braces should a different OpenSSL build return zeros instead of failing.
  let acc = 0
  for (const byte of shared) acc |= byte
  if (acc === 0) throw new NoiseError('invalid_dh', 'X25519 produced an all-zero shared secret')
  return shared
}
