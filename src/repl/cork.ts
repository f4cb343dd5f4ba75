// Batching output lines per turn of the event loop. The first line a stream gets in a turn goes out at once, so a
// bot (or the bench) sees a message as soon as it is shown. A stream written to again in the same turn (a burst of
// events) is corked from then on and uncorked once the turn's work is done: the rest of the burst reaches the pipe
// as one writev instead of one system call per line.

import type {ReplOutput} from './types.js'

import {isBroken, markBroken} from '../io/broken-pipe.js'

interface Corkable {
  cork(): void
  uncork(): void
}

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

/** Writes out everything corked, now (at the end of a turn, or before an exit). */
export function uncorkAll(): void {
  endOfTurnScheduled = false
  writtenThisTurn.clear()
  const streams = [...corked]
  corked.clear()
  for (const stream of streams) {
    try {
      stream.uncork()
    } catch {
      // A stream that fails reports it through its own 'error' event, which its owner handles.
    }
  }
}

function scheduleEndOfTurn(): void {
  if (endOfTurnScheduled) return
  endOfTurnScheduled = true
  // setImmediate, not nextTick: the rest of this poll phase's events come first, and their lines join the batch.
  setImmediate(uncorkAll)
}

/**
 * Writes to an output stream of the REPL: a pipe (a bot, a script) gets a turn's lines in one system call, a terminal
 * each line as it comes; a broken stream (`chat start | head`) is dropped quietly.
 */
export function writeOutput(stream: ReplOutput, data: string): void {
  if (isBroken(stream) || !stream.writable) return
  try {
    if (!stream.isTTY) corkUntilTurnEnds(stream)
    stream.write(data)
  } catch {
    markBroken(stream)
  }
}

let flushedOnExit = false

function corkUntilTurnEnds(stream: ReplOutput): void {
  if (!('cork' in stream && 'uncork' in stream)) return
  if (!flushedOnExit) {
    flushedOnExit = true
    // process.exit() does not wait for the turn to end: write out what is corked first.
    process.once('exit', uncorkAll)
  }

  corkForThisTurn(stream as ReplOutput & {cork(): void; uncork(): void})
}
