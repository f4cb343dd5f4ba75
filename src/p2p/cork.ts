// Batching writes per turn of the event loop. The first write a stream gets in a turn goes out at once: a relay's
// forwarded frame must not wait for whatever else the turn does (showing and logging the message). A stream written
// to again in the same turn (a burst: many frames in one read, many events at once) is corked from then on and
// uncorked once the turn's work is done, so the rest of the burst reaches the kernel as one writev.

interface Corkable {
  cork(): void
  uncork(): void
}

/** Above this many bytes waiting in one corked stream, it is written out at once rather than at the turn's end. */
export const MAX_CORKED_BYTES = 64 * 1024

const writtenThisTurn = new Set<Corkable>()
const corked = new Set<Corkable>()
let endOfTurnScheduled = false

/** Call before each write: corks `stream` if it was already written to in this turn. */
export function corkForThisTurn(stream: Corkable): void {
  if (!writtenThisTurn.has(stream)) {
    writtenThisTurn.add(stream)
    scheduleEndOfTurn()
    return
  }

  if (corked.has(stream)) return
  stream.cork()
  corked.add(stream)
}

/** Writes out what `stream` holds now, if it is corked (a big burst need not wait for the turn's end). */
export function uncorkNow(stream: Corkable): void {
  if (!corked.delete(stream)) return
  uncorkQuietly(stream)
}

/** Writes out everything corked, now (at the end of a turn, or before an exit). */
export function uncorkAll(): void {
  endOfTurnScheduled = false
  writtenThisTurn.clear()
  const streams = [...corked]
  corked.clear()
  for (const stream of streams) uncorkQuietly(stream)
}

function scheduleEndOfTurn(): void {
  if (endOfTurnScheduled) return
  endOfTurnScheduled = true
  // setImmediate, not nextTick: the p-queue jobs queued as microtasks and the rest of this poll phase's reads
  // come first, and their writes join the batch.
  setImmediate(uncorkAll)
}

function uncorkQuietly(stream: Corkable): void {
  try {
    stream.uncork()
  } catch {
    // A stream that fails reports it through its own 'error' event, which its owner handles.
  }
}
