// One error type for everything the Noise layer rejects, so callers can tell "peer sent garbage / wrong key"
// (close the connection) from a programming bug (anything else).

export type NoiseErrorCode =
  /** AEAD tag check failed: wrong key, wrong nonce, tampered bytes, or wrong prologue/PSK upstream. */
  | 'decrypt-failed'
  /** X25519 produced an all-zero shared secret (low-order or zero peer key). */
  | 'invalid-dh'
  /** A key had the wrong length or could not be imported. */
  | 'invalid-key'
  /** The nonce counter reached its reserved maximum; the CipherState is unusable. */
  | 'nonce-exhausted'
  | 'message-too-short'
  | 'message-too-large'
  /** writeMessage/readMessage called when it is the other side's turn. */
  | 'out-of-turn'
  /** The handshake already failed, completed, or was split. */
  | 'invalid-state'
  /** Protocol name not parseable or not supported by this implementation. */
  | 'unsupported-protocol'
  /** Wrong number or size of pre-shared keys. */
  | 'invalid-psk'

export class NoiseError extends Error {
  override readonly name = 'NoiseError'
  readonly code: NoiseErrorCode

  constructor(code: NoiseErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
  }
}
