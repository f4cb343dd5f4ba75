// Reading a history file while a writer may be appending to it: the last N events (backwards, in chunks, so a
// large file costs what is read, not its size) and following new ones (polling, which also works on filesystems
// where fs.watch does not).

import type {FileHandle} from 'node:fs/promises'

import {open, stat} from 'node:fs/promises'
import {setTimeout as sleep} from 'node:timers/promises'

import {byAuthorTime, type HistoryEvent, isShownEvent, parseHistoryLine} from './events.js'
import {CHUNK_BYTES, completeLinesEnd, linesBackward, LineSplitter, MAX_LINE_BYTES, readAt} from './lines.js'

/** How often `followHistory` looks for new lines. */
export const FOLLOW_POLL_MS = 200

/** A valid event and the exact line it was read from (without `\n`). */
export interface HistoryRecord {
  event: HistoryEvent
  line: string
}

export interface LastEvents {
  /** oldest first */
  records: HistoryRecord[]
  /** offset just after the last complete line: where following should start */
  end: number
}

/**
 * The last `count` valid events of the file at `path`, oldest first. Garbage lines, lines that are not events and a
 * cut last line are skipped. Rejects with the fs error (ENOENT…) if the file cannot be read.
 */
export async function readLastEvents(path: string, count: number): Promise<LastEvents> {
  const fh = await open(path, 'r')
  try {
    const {size} = await fh.stat()
    const end = await completeLinesEnd(fh, size)
    const records: HistoryRecord[] = []
    if (count > 0) {
      for await (const line of linesBackward(fh, end)) {
        const event = parseHistoryLine(line.text)
        if (!event || !isShownEvent(event)) continue
        records.push({event, line: line.text})
        if (records.length >= count) break
      }
    }

    return {records: records.reverse(), end}
  } finally {
    await fh.close()
  }
}

export interface FollowOptions {
  /** Start here (e.g. `LastEvents.end`). Default: the end of the complete lines when following starts. */
  from?: number
  /** Stops following; the generator then closes its file and returns. */
  signal?: AbortSignal
  pollMs?: number
}

interface Open {
  fh: FileHandle
  dev: number
  ino: number
}

async function tryOpen(path: string): Promise<Open | undefined> {
  try {
    const fh = await open(path, 'r')
    const {dev, ino} = await fh.stat()
    return {fh, dev, ino}
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
}

async function sameFile(path: string, file: Open): Promise<boolean> {
  try {
    const st = await stat(path)
    return st.dev === file.dev && st.ino === file.ino
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false
    throw error
  }
}

/**
 * Yields each valid event appended to the file at `path`, until `signal` aborts (or the consumer stops).
 * - Truncated (smaller than what was read, e.g. copytruncate rotation): read it again from the start, as `tail -f`
 *   does, so that lines written since the truncation are not missed.
 * - An unfinished last line is re-read until it is complete, so a line cut by a writer's crash repair is dropped.
 * - Replaced (rotated, or deleted and created again): finish the old file, then read the new one from its start,
 *   as `tail -F` does: a new file is a new log whose lines have not been seen.
 * - Missing: wait for it to appear.
 */
export async function* followHistory(path: string, options: FollowOptions = {}): AsyncGenerator<HistoryRecord> {
  const {signal} = options
  const pollMs = options.pollMs ?? FOLLOW_POLL_MS
  const splitter = new LineSplitter()
  let file: Open | undefined
  let pos = -1
  let first = true

  const readNew = async function* (f: Open, upTo: number): AsyncGenerator<HistoryRecord> {
    while (pos < upTo && !signal?.aborted) {
      const chunk = await readAt(f.fh, pos, Math.min(CHUNK_BYTES, upTo - pos))
      if (chunk.length === 0) break
      pos += chunk.length
      for (const text of splitter.push(chunk)) {
        const event = parseHistoryLine(text)
        if (event && isShownEvent(event)) yield {event, line: text}
      }
    }

    // Don't hold an unfinished line across polls: it may still be written, or cut by a restarted writer (repairing a
    // crash) and followed by other lines. Read it again from its start next time. Only a line already too long to be
    // an event stays consumed, so that it is skipped rather than re-read forever.
    if (splitter.pending > 0 && splitter.pending <= MAX_LINE_BYTES) {
      pos -= splitter.pending
      splitter.reset()
    }
  }

  try {
    while (!signal?.aborted) {
      if (file) {
        const same = await sameFile(path, file)
        const {size} = await file.fh.stat()
        if (size < pos) {
          // Truncated (copytruncate rotation): like `tail -f`, assume it was truncated to 0 and read all of it, so
          // lines written since are not skipped.
          pos = 0
          splitter.reset()
        }

        if (size > pos) {
          yield* readNew(file, size)
        }

        if (!same) {
          await file.fh.close()
          file = undefined
          splitter.reset()
          pos = 0
          continue
        }
      } else {
        file = await tryOpen(path)
        if (file) {
          if (first && options.from !== undefined) pos = options.from
          else if (first) pos = await completeLinesEnd(file.fh, (await file.fh.stat()).size)
          else pos = 0
          first = false
          continue
        }

        first = false
      }

      await sleep(pollMs, undefined, {signal}).catch(() => {})
    }
  } finally {
    await file?.fh.close()
  }
}

/** A chat message from a history file, for /history (the one type the REPL's HistoryReader returns). */
export interface HistoryMessage {
  /** when it was logged, ISO-8601 */
  ts: string
  /** when its author sent it, ms since the epoch (its clock); absent in lines written by older versions */
  sentTs?: number
  own: boolean
  text: string
  /** the author's name; absent for own messages (but for own actions: the name they were sent under) */
  from?: string
  /** the author's node id, when known: it picks the same name colour as live messages */
  fromId?: string
  /** an action (`/me`): shown as `* Name text` */
  action?: boolean
}

const actionOf = (event: {kind?: 'action'}): {action?: true} => (event.kind === 'action' ? {action: true} : {})

/** Reads no further back than this many events looking for messages (joins and leaves count as events). */
const MAX_EVENTS_SCANNED = 20_000

/** The last `count` messages (sent and received) of a history file, oldest first; [] when there is no file. */
export async function readLastMessages(path: string, count: number): Promise<HistoryMessage[]> {
  let scan = Math.max(count * 2, 64)
  for (;;) {
    let records: HistoryRecord[]
    try {
      ;({records} = await readLastEvents(path, scan))
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
      throw error
    }

    const messages: HistoryMessage[] = []
    // In the order they were said: a late message was logged when it arrived, after later ones.
    for (const {event} of byAuthorTime(records)) {
      if (event.event === 'message_sent') {
        const name = event.name === undefined ? {} : {from: event.name}
        messages.push({ts: event.ts, own: true, text: event.text, ...name, ...actionOf(event)})
      } else if (event.event === 'message_received') {
        const sentTs = event.sent_ts === undefined ? {} : {sentTs: event.sent_ts}
        messages.push({
          ts: event.ts,
          ...sentTs,
          own: false,
          text: event.text,
          from: event.from.name,
          fromId: event.from.id,
          ...actionOf(event),
        })
      }
    }

    if (messages.length >= count || records.length < scan || scan >= MAX_EVENTS_SCANNED) return messages.slice(-count)
    scan = Math.min(scan * 4, MAX_EVENTS_SCANNED)
  }
}
