// The engine's errors for its callers (the REPL, the commands).

/** A failure the caller can act on: `code` is stable, `message` says what failed and what to do. */
export class ChatNodeError extends Error {
  readonly code: string
  constructor(code: string, message: string) {
    super(message)
    this.name = 'ChatNodeError'
    this.code = code
  }
}
