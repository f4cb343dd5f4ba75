// What `chat log tail` does, apart from flags and exit codes: print the last events of a node's history, readable
// or raw, and optionally follow it. Works whether or not the node is running: it only reads.

import type {Writable} from 'node:stream'

import {errnoCode} from '../io/errno.js'
import {escapeJsonLine} from '../text/sanitize.js'
import {reasonFor} from './errors.js'
import {byAuthorTime, historyPath, parseHistoryLine} from './events.js'
import {formatEvent, type LogTexts} from './format.js'
import {followHistory, type HistoryRecord, type LastEvents, readLastEvents} from './reader.js'
import {openTail} from './tail-socket.js'

export const DEFAULT_TAIL_LINES = 20

/** There is no history file for that port in that directory. */
export class HistoryNotFoundError extends Error {
  readonly code = 'ENOENT'

  constructor(
    readonly path: string,
    readonly dir: string,
    readonly port: number,
  ) {
    super(`no history for port ${port} in ${dir} (looked for ${path})`)
    this.name = 'HistoryNotFoundError'
  }
}

/** The history file exists but cannot be read (permissions, a directory in its place…). */
export class HistoryReadError extends Error {
  constructor(
    readonly path: string,
    readonly code: string | undefined,
    detail: string,
  ) {
    super(`cannot read history ${path}: ${reasonFor(code, detail)}`)
    this.name = 'HistoryReadError'
  }
}

export interface TailOptions {
  /** directory holding `chat_history_<port>.log` */
  dir: string
  port: number
  /** how many of the last events to print (0: none) */
  lines: number
  /** keep printing new events until `signal` aborts */
  follow: boolean
  /** print the raw JSON lines instead of readable ones */
  json: boolean
  /** the words of readable lines, in the reader's language */
  texts: LogTexts
  out: Writable
  signal?: AbortSignal
  /** With `follow`, called once when there is no history yet and we wait for it to be created (like `tail -F`). */
  onWaiting?: () => void
  /** follow polling interval (tests) */
  pollMs?: number
  /** The running node's log-process socket: asked first; the file is read when no node answers there. */
  socket?: string
}

/** Writes `text`, waiting out backpressure. False when the output is gone (EPIPE under `| head`) or we are aborted. */
async function write(out: Writable, text: string, signal?: AbortSignal): Promise<boolean> {
  if (out.destroyed || out.writableEnded || signal?.aborted) return false
  if (text === '' || out.write(text)) return true
  await new Promise<void>((resolve) => {
    const done = (): void => {
      out.off('drain', done)
      out.off('close', done)
      out.off('error', done)
      signal?.removeEventListener('abort', done)
      resolve()
    }

    out.on('drain', done)
    out.on('close', done)
    out.on('error', done)
    signal?.addEventListener('abort', done)
  })
  return !out.destroyed && !signal?.aborted
}

function readError(error: unknown, path: string, dir: string, port: number): Error {
  const code = errnoCode(error)
  if (code === 'ENOENT') return new HistoryNotFoundError(path, dir, port)
  return new HistoryReadError(path, code, error instanceof Error ? error.message : String(error))
}

/**
 * Prints what the running node's log process sends (tail-socket.ts). False when no node answers on that socket.
 */
async function tailFromNode(
  socket: string,
  options: TailOptions,
  render: (r: HistoryRecord) => string,
): Promise<boolean> {
  const stream = await openTail(socket, {n: options.lines, follow: options.follow}, options.signal)
  if (!stream) return false
  for await (const message of stream) {
    let text: string
    if (message.type === 'skipped') {
      text = options.json
        ? JSON.stringify({skipped: message.count}) + '\n'
        : `-- ${message.count} events skipped: this tail read too slowly\n`
    } else {
      const event = parseHistoryLine(message.line)
      if (!event) continue
      text = render({event, line: message.line})
    }

    if (!(await write(options.out, text, options.signal))) break
  }

  return true
}

/**
 * Prints the last `lines` events of the history for `port` in `dir`, then, with `follow`, each new one until
 * `signal` aborts. Rejects with HistoryNotFoundError or HistoryReadError, whose messages are sentences for the user.
 */
export async function tailHistory(options: TailOptions): Promise<void> {
  const {dir, port, out, signal} = options
  const path = historyPath(dir, port)
  const render = (r: HistoryRecord): string =>
    (options.json ? escapeJsonLine(r.line) : formatEvent(r.event, options.texts)) + '\n'
  if (options.socket && (await tailFromNode(options.socket, options, render))) return

  let last: LastEvents
  try {
    last = await readLastEvents(path, options.lines)
  } catch (error) {
    const failure = readError(error, path, dir, port)
    if (!(failure instanceof HistoryNotFoundError) || !options.follow) throw failure
    // A node not started yet: wait for its log and print it from its first line, as `tail -F` does.
    options.onWaiting?.()
    last = {records: [], end: 0}
  }

  // The last events in the order they were said: a message that arrived late sits at its author's time.
  if (
    !(await write(
      out,
      byAuthorTime(last.records)
        .map((r) => render(r))
        .join(''),
      signal,
    )) ||
    !options.follow
  )
    return

  try {
    for await (const record of followHistory(path, {from: last.end, pollMs: options.pollMs, signal})) {
      if (!(await write(out, render(record), signal))) break
    }
  } catch (error) {
    throw readError(error, path, dir, port)
  }
}
