/**
 * Noise protocol framework core (rev 34) on node:crypto: `Noise_XX[pskN…]_25519_ChaChaPoly_SHA256`.
 *
 * - {@link HandshakeState}: `new HandshakeState({initiator, staticKeyPair, prologue, psks})`, then alternate
 *   `writeMessage(payload)` / `readMessage(message)` (initiator writes first) until `isComplete`, then `split()`
 *   gives `{send, recv}` CipherStates for this side; `handshakeHash` and `remoteStaticPublicKey` identify the session.
 * - {@link CipherState}: `encryptWithAd(ad, pt)` / `decryptWithAd(ad, ct)` with a 64-bit counter nonce; watch
 *   `nonce` against {@link NONCE_RECONNECT_THRESHOLD}.
 * - X25519 helpers: {@link generateKeyPair}, {@link keyPairFromPrivateKey}.
 * - Everything the peer can cause (bad tag, low-order key, wrong size, out of turn) throws {@link NoiseError};
 *   treat any of them as "close the connection". Framing, size caps below 64 KiB and key signing live above this.
 */

export {CipherState, KEYLEN, MAX_MESSAGE_LEN, MAX_NONCE, NONCE_RECONNECT_THRESHOLD, TAGLEN} from './cipher-state.js'
export {NoiseError, type NoiseErrorCode} from './errors.js'
export {HandshakeState, PSKLEN, type HandshakeOptions, type TransportCiphers} from './handshake-state.js'
export {
  DEFAULT_PROTOCOL_NAME,
  parseProtocolName,
  type HandshakePattern,
  type MessagePattern,
  type Token,
} from './patterns.js'
export {HASHLEN, SymmetricState, hkdf} from './symmetric-state.js'
export {DHLEN, dh, generateKeyPair, keyPairFromPrivateKey, type X25519KeyPair} from './x25519.js'
