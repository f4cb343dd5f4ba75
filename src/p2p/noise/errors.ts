// One error type for everything the Noise layer rejects, so callers can tell "peer sent garbage / wrong key"
// (close the connection) from a programming bug (anything else). Codes in the engine's one style, snake_case.

export type NoiseErrorCode =
  /** AEAD tag check failed: wrong key, wrong nonce, tampered bytes, or wrong prologue/PSK upstream. */
  | 'decrypt_failed'
  /** X25519 produced an all-zero shared secret (low-order or zero peer key). */
  | 'invalid_dh'
  /** A key had the wrong length or could not be imported. */
  | 'invalid_key'
  /** The nonce counter reached its reserved maximum; the CipherState is unusable. */
  | 'nonce_exhausted'
  | 'message_too_short'
  | 'message_too_large'
  /** writeMessage/readMessage called when it is the other side's turn. */
  | 'out_of_turn'
  /** The handshake already failed, completed, or was split. */
  | 'invalid_state'
  /** Protocol name not parseable or not supported by this implementation. */
  | 'unsupported_protocol'
  /** Wrong number or size of pre-shared keys. */
  | 'invalid_psk'

export class NoiseError extends Error {
  override readonly name = 'NoiseError'
  readonly code: NoiseErrorCode

  constructor(code: NoiseErrorCode, message: string, options?: {cause?: unknown}) {
    super(message, options)
    this.code = code
  }
}
