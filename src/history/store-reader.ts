// Reads back the message store an earlier run kept in the history log (`frame_stored` lines), newest first, for
// the node to load at start. A torn last line, garbage and lines of other kinds are skipped; the scan is bounded.

import {open} from 'node:fs/promises'

import {parseHistoryLine, type StoredKind} from './events.js'
import {completeLinesEnd, linesBackward} from './lines.js'

/** How far back from the end the scan goes at most, whatever the limits below. */
export const MAX_STORE_SCAN_BYTES = 256 * 1024 * 1024

export interface StoredFramesOptions {
  /** Most frames to read (the store's size). */
  maxFrames: number
  /** Lines logged before this time (ms) are older than the retention: the scan stops there. */
  sinceMs: number
}

export interface StoredFrames {
  /** newest first */
  frames: Array<{kind: StoredKind; payload: string; sig: string}>
  /**
   * When this node was first in the room, as far as the scan saw: the oldest session start it read, or the start
   * of the retention if it stopped before finding one; undefined for a node that never ran (no file, or empty).
   */
  memberSince: number | undefined
}

export async function readStoredFrames(path: string, options: StoredFramesOptions): Promise<StoredFrames> {
  let fh
  try {
    fh = await open(path, 'r')
  } catch (error) {
    // No file (or no directory) yet: a node that never ran here. HistoryLog reports a directory it cannot create.
    const {code} = error as NodeJS.ErrnoException
    if (code === 'ENOENT' || code === 'ENOTDIR') return {frames: [], memberSince: undefined}
    throw error
  }

  try {
    const end = await completeLinesEnd(fh, (await fh.stat()).size)
    const frames: StoredFrames['frames'] = []
    let oldestStart: number | undefined
    let sawAny = false
    let complete = true
    for await (const line of linesBackward(fh, end)) {
      if (end - line.end > MAX_STORE_SCAN_BYTES || frames.length >= options.maxFrames) {
        complete = false
        break
      }

      // Cheap substring tests first: most lines are other events.
      const isFrame = line.text.includes('"frame_stored"')
      if (!isFrame && !line.text.includes('"session_start"')) continue
      const event = parseHistoryLine(line.text)
      if (!event) continue
      sawAny = true
      const at = Date.parse(event.ts)
      if (at < options.sinceMs) {
        complete = false
        break
      }

      if (event.event === 'frame_stored') frames.push({kind: event.kind, payload: event.payload, sig: event.sig})
      else if (event.event === 'session_start') oldestStart = at
    }

    // Stopped early: the node was already here at the retention's start (or earlier).
    return {frames, memberSince: sawAny ? (complete ? oldestStart : options.sinceMs) : undefined}
  } finally {
    await fh.close()
  }
}
