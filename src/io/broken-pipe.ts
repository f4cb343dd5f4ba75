// `chat … | head` closes stdout under us: the next write fails with EPIPE, reported as an 'error' event that
// crashes the process when nobody listens. Every command that writes to a pipe guards it here, once per stream.

/** A stream that reports a failed write as an 'error' event: process.stdout, process.stderr, any Writable. */
export interface GuardedStream {
  on(event: 'error', listener: (error: Error) => void): unknown
}

/** Streams that already have the guard's listener (process.stdout outlives any one command or REPL). */
const guarded = new WeakSet<GuardedStream>()
/** Streams that failed: the reader went away, nothing more should be written to them. */
const broken = new WeakSet<GuardedStream>()

/**
 * From now on, an 'error' on `stream` (EPIPE and the like) marks it broken instead of crashing the process. The
 * listener stays for the life of the stream: output written after a command returns can fail too.
 */
export function guardPipe(stream: GuardedStream): void {
  if (guarded.has(stream)) return
  guarded.add(stream)
  stream.on('error', () => broken.add(stream))
}

/** Records that writing to `stream` failed (a write that threw rather than emitted). */
export function markBroken(stream: GuardedStream): void {
  broken.add(stream)
}

/** Whether a write to `stream` has failed: the reader is gone. */
export function isBroken(stream: GuardedStream): boolean {
  return broken.has(stream)
}
