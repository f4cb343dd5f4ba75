// The forked log writer serves `chat log tail` while its node runs ("a forked log process serves `log tail` too"):
// over a Unix domain socket (mode 0600, one per port) a tail asks for the last N events and, with --follow, gets every
// line as it is written, late messages included. Several tails at once; a slow tail never slows the writer: what it
// cannot take is skipped (bounded buffer) and it is told how much. When no node runs on the port, `log tail` reads
// the file as before.
//
// Protocol: the client sends one JSON line `{"n":N,"follow":bool}`; the server answers with history lines (the
// file's own JSON lines, in author-time order for the last N), then live ones; `{"skipped":K}` says K lines were
// dropped for this tail.

import {chmod, unlink} from 'node:fs/promises'
import {connect, createServer, type Server, type Socket} from 'node:net'
import {join} from 'node:path'
import {createInterface} from 'node:readline'

import {byAuthorTime, isShownEvent, parseHistoryLine} from './events.js'
import {readLastEvents} from './reader.js'

/** Bytes a tail may leave unread before lines are skipped for it. */
export const MAX_TAIL_BUFFER_BYTES = 256 * 1024
/** Tails served at once; more are refused. */
export const MAX_TAILS = 16
/** The most events a tail may ask for. */
export const MAX_TAIL_EVENTS = 100_000

/** `<dir>/chat-log-<port>.sock`, in `tailSocketDir()`. */
export function tailSocketPath(dir: string, port: number): string {
  return join(dir, `chat-log-${port}.sock`)
}

/** Where the sockets go: `$XDG_RUNTIME_DIR/chat` (the user's, 0700, cleared at logout), else the data directory. */
export function tailSocketDir(dataDir: string): string {
  const runtime = process.env.XDG_RUNTIME_DIR
  return runtime ? join(runtime, 'chat') : dataDir
}

/** A line the file holds that a tail shows (not the message store's records). */
function shown(line: string): boolean {
  if (!line.includes('"frame_stored"')) return true
  const event = parseHistoryLine(line)
  return event === undefined || isShownEvent(event)
}

interface Tail {
  socket: Socket
  /** Lines published while the backlog was being read: sent after it (minus those it already had). */
  waiting: string[] | undefined
  skipped: number
}

export class TailServer {
  readonly #historyFile: string
  readonly #tails = new Set<Tail>()
  #server: Server | undefined
  #path: string | undefined

  constructor(historyFile: string) {
    this.#historyFile = historyFile
  }

  /** Listens on `path` (0600). A stale socket of a dead writer is replaced; a live one (another node) is left alone. */
  async listen(path: string): Promise<boolean> {
    const server = createServer((socket) => this.#accept(socket))
    const tryListen = (): Promise<void> =>
      new Promise((resolve, reject) => {
        server.once('error', reject)
        server.listen(path, () => {
          server.off('error', reject)
          resolve()
        })
      })
    try {
      await tryListen()
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || (await isLive(path))) return false
      await unlink(path).catch(() => {})
      await tryListen()
    }

    await chmod(path, 0o600)
    server.on('error', () => {})
    this.#server = server
    this.#path = path
    return true
  }

  /** Lines just written to the file, in order. */
  publish(lines: string[]): void {
    for (const tail of this.#tails) {
      for (const line of lines) {
        if (!shown(line)) continue
        if (tail.waiting) tail.waiting.push(line)
        else this.#send(tail, line)
      }
    }
  }

  async close(): Promise<void> {
    for (const tail of this.#tails) tail.socket.end()
    this.#tails.clear()
    const server = this.#server
    this.#server = undefined
    if (server)
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
      })
    if (this.#path) await unlink(this.#path).catch(() => {})
  }

  #accept(socket: Socket): void {
    socket.on('error', () => {})
    if (this.#tails.size >= MAX_TAILS) {
      socket.end(JSON.stringify({error: `this node already serves ${MAX_TAILS} tails`}) + '\n')
      return
    }

    const lines = createInterface({input: socket, crlfDelay: Infinity})
    lines.once('line', (request) => {
      lines.close()
      void this.#serve(socket, request)
    })
  }

  async #serve(socket: Socket, request: string): Promise<void> {
    let n = 0
    let follow = false
    try {
      const parsed = JSON.parse(request) as {follow?: unknown; n?: unknown}
      n = Number.isSafeInteger(parsed.n) ? Math.min(Math.max(0, parsed.n as number), MAX_TAIL_EVENTS) : 0
      follow = parsed.follow === true
    } catch {
      socket.end()
      return
    }

    const tail: Tail = {socket, waiting: [], skipped: 0}
    this.#tails.add(tail)
    socket.once('close', () => this.#tails.delete(tail))
    let backlog: string[] = []
    try {
      if (n > 0) backlog = byAuthorTime((await readLastEvents(this.#historyFile, n)).records).map((r) => r.line)
    } catch {
      // No file yet: nothing to show before the live lines.
    }

    const had = new Set(backlog)
    for (const line of backlog) this.#send(tail, line)
    const waiting = tail.waiting ?? []
    tail.waiting = undefined
    for (const line of waiting) if (!had.has(line)) this.#send(tail, line)
    if (!follow) {
      this.#tails.delete(tail)
      socket.end()
    }
  }

  #send(tail: Tail, line: string): void {
    const {socket} = tail
    if (socket.destroyed) return
    if (socket.writableLength > MAX_TAIL_BUFFER_BYTES) {
      // This tail is not keeping up: drop, count, and say so once it drains. The writer never waits for it.
      if (tail.skipped++ === 0) socket.once('drain', () => this.#reportSkipped(tail))
      return
    }

    socket.write(line + '\n')
  }

  #reportSkipped(tail: Tail): void {
    const count = tail.skipped
    tail.skipped = 0
    if (count > 0 && !tail.socket.destroyed) tail.socket.write(JSON.stringify({skipped: count}) + '\n')
  }
}

function isLive(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path)
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

/** What a tail receives: a history line, or a count of lines skipped because this tail was too slow. */
export type TailMessage = {line: string; type: 'line'} | {count: number; type: 'skipped'}

/**
 * Asks the node's log process for the last `n` events (and the live ones with `follow`). Resolves with the lines, or
 * undefined when no node serves that socket (the caller reads the file instead).
 */
export async function openTail(
  path: string,
  request: {follow: boolean; n: number},
  signal?: AbortSignal,
): Promise<AsyncGenerator<TailMessage> | undefined> {
  const socket = await new Promise<Socket | undefined>((resolve) => {
    const s = connect(path)
    s.once('connect', () => resolve(s))
    s.once('error', () => resolve(undefined))
  })
  if (!socket) return undefined
  socket.on('error', () => {})
  socket.write(JSON.stringify(request) + '\n')
  const abort = (): void => {
    socket.destroy()
  }

  signal?.addEventListener('abort', abort, {once: true})
  return (async function* (): AsyncGenerator<TailMessage> {
    try {
      for await (const line of createInterface({input: socket, crlfDelay: Infinity})) {
        if (line.startsWith('{"skipped":')) {
          const {skipped} = JSON.parse(line) as {skipped: number}
          yield {type: 'skipped', count: skipped}
        } else if (line !== '') {
          yield {type: 'line', line}
        }
      }
    } finally {
      signal?.removeEventListener('abort', abort)
      socket.destroy()
    }
  })()
}
