// Batching writes per turn of the event loop: a stream written to several times while one batch of I/O is handled
// (a relay forwarding a burst, a node printing a burst of events) is corked at the first write and uncorked once the
// turn's work is done, so the writes reach the kernel as one writev instead of one system call each.

interface Corkable {
  cork(): void
  uncork(): void
}

/** Above this many bytes waiting in one corked stream, it is written out at once rather than at the turn's end. */
export const MAX_CORKED_BYTES = 64 * 1024

const corked = new Set<Corkable>()
let flushScheduled = false

/** Corks `stream` until the end of the current turn (idempotent within a turn). */
export function corkForThisTurn(stream: Corkable): void {
  if (corked.has(stream)) return
  stream.cork()
  corked.add(stream)
  if (!flushScheduled) {
    flushScheduled = true
    // setImmediate, not nextTick: the p-queue jobs queued as microtasks and the rest of this poll phase's reads
    // come first, and their writes join the batch.
    setImmediate(uncorkAll)
  }
}

/** Writes out what `stream` holds now, if it is corked (a big burst need not wait for the turn's end). */
export function uncorkNow(stream: Corkable): void {
  if (!corked.delete(stream)) return
  uncorkQuietly(stream)
}

/** Writes out everything corked, now (before an exit, say). */
export function uncorkAll(): void {
  flushScheduled = false
  const streams = [...corked]
  corked.clear()
  for (const stream of streams) uncorkQuietly(stream)
}

function uncorkQuietly(stream: Corkable): void {
  try {
    stream.uncork()
  } catch {
    // A stream that fails reports it through its own 'error' event, which its owner handles.
  }
}
