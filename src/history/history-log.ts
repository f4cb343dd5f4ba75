// HistoryLog: the main process's side of the history. It stamps events, keeps each one in memory until the forked
// writer acknowledges it, restarts the writer if it dies and re-sends what was not acknowledged. It never throws
// into the chat and never stops it: when history cannot be written it says so once (`problem`) and carries on.

import {fork, type ChildProcess} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {EventEmitter} from 'node:events'
import {fileURLToPath} from 'node:url'

import {reasonFor} from './errors.js'
import {historyPath, serializeEvent, type HistoryEventInput} from './events.js'
import {MAX_APPEND_LINES, parseFromWriter, type FromWriter, type ToWriter} from './writer-protocol.js'

/** Lines sent to the writer and not yet acknowledged. `child.send()` never refuses (it buffers without limit), so
 * this window is what bounds the IPC channel. */
export const ACK_WINDOW = 1000
/**
 * An appended line waits at most this long for others before it goes to the writer: one IPC message, and one
 * wake-up of the writer process, per batch instead of per line. A node killed with SIGKILL can lose this much.
 */
export const BATCH_MS = 20
/** A batch this big goes at once; also the most bytes of lines in one IPC message. */
export const MAX_BATCH_BYTES = 256 * 1024
/** Bytes of lines waiting in this process beyond the window; past this the oldest are dropped (and said so). */
export const MAX_QUEUE_BYTES = 8 * 1024 * 1024
/** How long `close()` waits for the writer to catch up; then it gets a short grace to exit before SIGKILL. */
export const CLOSE_TIMEOUT_MS = 3000
const EXIT_GRACE_MS = 250
const KILL_WAIT_MS = 500
/** How long a writer has to answer `ready`; also the longest `open()` waits. */
export const READY_TIMEOUT_MS = 5000
/** Consecutive writer failures (exits without progress) before giving up on history for this run. */
export const MAX_WRITER_FAILURES = 5
/** Delay before restart number 1, 2, 3, 4. */
const RESTART_DELAYS_MS = [50, 100, 200, 400]
/** A writer that ran this long before dying is not part of a crash loop. */
const STABLE_WRITER_MS = 5000
/** How much of the writer's stderr to keep for a crash report. */
const STDERR_TAIL_CHARS = 1000

/** Something the user should know about their history: it is not being written, or some of it was lost. */
interface HistoryProblem {
  /** an errno code (EACCES, ENOSPC…) or ERR_HISTORY_* for the log's own conditions */
  code: string
  /** one sentence, ready to show */
  message: string
}

export interface HistoryLogEvents {
  /** One sentence to show the user, and its code. At most once per kind of trouble (cannot write; queue
   * overflow; events lost at close; an event that could not be serialized). */
  problem: [message: string, code: string]
  /** A writer (the first or a restarted one) has the file open; `lastSeq` was already in it. */
  ready: [{pid: number; lastSeq: number}]
  /** Every event with seq ≤ this number is in the file. */
  ack: [number]
  /**
   * The file already existed and others could read it (permission bits `was`); it is now `now`: 0o600, or unchanged
   * when it belongs to someone else. Once per run.
   */
  loose: [{path: string; was: number; now: number}]
}

export interface HistoryLogOptions {
  /** directory of the history file (created if missing) */
  dir: string
  /** the node's listening port: names the file */
  port: number
  /** Test hook: the writer module to fork instead of `writer-process.js`. */
  writerPath?: string
  /** A Unix socket path where the writer serves `chat log tail` while it runs (tail-socket.ts). */
  tailSocket?: string
}

export interface HistoryLogStats {
  /** highest seq handed out so far (0: none) */
  lastSeq: number
  /** highest seq known to be in the file */
  ackedSeq: number
  /** lines sent to the writer, not yet acknowledged */
  inFlight: number
  /** lines waiting in this process */
  queued: number
  queuedBytes: number
  /** events lost: dropped from a full queue, or appended after history stopped */
  dropped: number
  /** writers forked after the first */
  restarts: number
  /** true once history has been given up for this run */
  failed: boolean
}

type Phase = 'new' | 'open' | 'closing' | 'closed'

interface Entry {
  seq: number
  line: string
  bytes: number
}

interface Writer {
  child: ChildProcess
  ready: boolean
  readyAt: number
  exited: Promise<void>
  stderr: string
  crash?: string
  readyTimer?: NodeJS.Timeout
}

/** A FIFO with O(1) shift, for a queue that can hold tens of thousands of lines. */
class Fifo<T> {
  #items: T[] = []
  #head = 0

  get length(): number {
    return this.#items.length - this.#head
  }

  push(item: T): void {
    this.#items.push(item)
  }

  peek(): T | undefined {
    return this.#items[this.#head]
  }

  shift(): T | undefined {
    if (this.#head >= this.#items.length) return undefined
    const item = this.#items[this.#head++]
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head)
      this.#head = 0
    }

    return item
  }

  /** Put `items` (in order) before everything else. */
  prepend(items: T[]): void {
    this.#items = [...items, ...this.#items.slice(this.#head)]
    this.#head = 0
  }

  clear(): void {
    this.#items = []
    this.#head = 0
  }
}

/** The writer's entry point: the `.js` next to this file once built, the `.ts` source when run through tsx. */
function defaultWriter(): {path: string; execArgv: string[]} {
  const here = import.meta.url
  if (here.endsWith('.ts')) {
    let tsx = 'tsx'
    try {
      tsx = import.meta.resolve('tsx')
    } catch {
      // fall back to resolving `tsx` from the working directory
    }

    return {path: fileURLToPath(new URL('writer-process.ts', here)), execArgv: ['--import', tsx]}
  }

  // An empty execArgv: don't pass the parent's flags (an --inspect port, say) to the writer.
  return {path: fileURLToPath(new URL('writer-process.js', here)), execArgv: []}
}

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `killed by ${signal}` : `exit code ${code ?? '?'}`
}

export class HistoryLog extends EventEmitter<HistoryLogEvents> {
  /** Random per instance: with `seq`, identifies each line so a restarted writer never writes one twice. */
  readonly session = randomBytes(8).toString('hex')
  readonly #path: string
  readonly #tailSocket: string | undefined
  readonly #writerPath?: string
  #phase: Phase = 'new'
  #failed = false
  #writer?: Writer
  #restartTimer?: NodeJS.Timeout
  #batchTimer?: NodeJS.Timeout
  #failures = 0
  #restarts = 0
  #shutdownSent = false
  #looseReported = false
  #nextSeq = 1
  #ackedSeq = 0
  #dropped = 0
  /** sent to the current writer, awaiting ack, in seq order */
  #inFlight: Entry[] = []
  /** not yet sent, in seq order */
  readonly #queue = new Fifo<Entry>()
  #queuedBytes = 0
  readonly #problems = new Set<'close' | 'event' | 'overflow' | 'write'>()
  readonly #watchers = new Set<() => void>()
  #closing?: Promise<void>

  constructor(options: HistoryLogOptions) {
    super()
    this.#path = historyPath(options.dir, options.port)
    this.#tailSocket = options.tailSocket
    this.#writerPath = options.writerPath
  }

  /** `<dir>/chat_history_<port>.log` */
  get path(): string {
    return this.#path
  }

  /** The current writer's pid (a test hook: kill it to exercise recovery). */
  get writerPid(): number | undefined {
    return this.#writer?.child.pid
  }

  get stats(): HistoryLogStats {
    return {
      lastSeq: this.#nextSeq - 1,
      ackedSeq: this.#ackedSeq,
      inFlight: this.#inFlight.length,
      queued: this.#queue.length,
      queuedBytes: this.#queuedBytes,
      dropped: this.#dropped,
      restarts: this.#restarts,
      failed: this.#failed,
    }
  }

  /**
   * Forks the writer and waits until it has the file open. Resolves `true` when it is ready, `false` if history
   * cannot be written (a `problem` says why) or the writer is still not ready after READY_TIMEOUT_MS (it keeps
   * trying). Never rejects. Events appended before `open()` are kept and written.
   */
  async open(): Promise<boolean> {
    if (this.#phase === 'new') {
      this.#phase = 'open'
      this.#startWriter()
    }

    return this.#until(() => this.#writer?.ready === true || this.#failed || this.#phase === 'closed', READY_TIMEOUT_MS)
      .then(() => this.#writer?.ready === true)
  }

  /**
   * Stamps `event` with `ts`, `session` and `seq` and queues it for the writer. Synchronous and never throws.
   * Returns the event's seq, or 0 if it was dropped (history given up on, or the log closed).
   */
  append(event: HistoryEventInput): number {
    // Accepted while closing, until the writer is told to stop: a late message still gets written.
    if (this.#failed || this.#phase === 'closed' || this.#shutdownSent) {
      this.#dropped++
      return 0
    }

    const seq = this.#nextSeq
    let line: string
    try {
      line = serializeEvent(event, {ts: new Date().toISOString(), session: this.session, seq})
    } catch (error) {
      // Only a malformed object gets here (a circular or BigInt field): drop it, don't break the chat.
      this.#dropped++
      this.#problem('event', {
        code: 'ERR_HISTORY_EVENT',
        message: `could not record a ${String(event?.event)} event in history: ${String(error)}`,
      })
      return 0
    }

    this.#nextSeq++
    const bytes = Buffer.byteLength(line)
    this.#queue.push({seq, line, bytes})
    this.#queuedBytes += bytes
    this.#enforceQueueCap()
    this.#pumpSoon()
    return seq
  }

  /**
   * Waits (at most CLOSE_TIMEOUT_MS) until the writer has acknowledged every event, stops it and waits for it to
   * exit, killing it if it does not. Appends nothing itself. Idempotent; never rejects.
   */
  async close(): Promise<void> {
    this.#closing ??= this.#close()
    return this.#closing
  }

  async #close(): Promise<void> {
    const deadline = Date.now() + CLOSE_TIMEOUT_MS
    if (this.#phase === 'new') {
      if (this.#queue.length === 0) {
        this.#phase = 'closed'
        return
      }

      // Appended but never opened: start a writer so those events are not lost.
      this.#startWriter()
    }

    this.#phase = 'closing'
    const flushed = (): boolean => this.#failed || (this.#inFlight.length === 0 && this.#queue.length === 0)
    this.#pump()
    this.#send({type: 'flush'})
    await this.#until(flushed, deadline - Date.now())

    clearTimeout(this.#restartTimer)
    this.#shutdownSent = true
    const writer = this.#writer
    if (writer) {
      this.#send({type: 'shutdown'})
      const exited = await this.#wait(writer.exited, Math.max(deadline - Date.now(), EXIT_GRACE_MS))
      if (!exited) {
        writer.child.kill('SIGKILL')
        await this.#wait(writer.exited, KILL_WAIT_MS)
      }
    }

    const lost = this.#inFlight.length + this.#queue.length
    if (lost > 0 && !this.#failed) {
      this.#problem('close', {
        code: 'ERR_HISTORY_CLOSE_TIMEOUT',
        message: `${lost} history event${lost === 1 ? ' was' : 's were'} not written to ${this.#path} before shutdown`,
      })
    }

    this.#phase = 'closed'
    clearTimeout(this.#batchTimer)
    this.#inFlight = []
    this.#queue.clear()
    this.#queuedBytes = 0
    this.#notify()
    this.#watchers.clear()
  }

  #startWriter(): void {
    this.#restartTimer = undefined
    const {path, execArgv} = this.#writerPath ? {path: this.#writerPath, execArgv: defaultWriter().execArgv} : defaultWriter()
    let child: ChildProcess
    try {
      // stdout ignored, stderr kept for crash reports (never shown raw in the chat), IPC for the protocol.
      child = fork(path, [], {execArgv, stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'json'})
    } catch (error) {
      this.#giveUp('ERR_HISTORY_WRITER', `could not start the history writer: ${String(error)}`)
      return
    }

    let gone!: () => void
    const writer: Writer = {
      child,
      ready: false,
      readyAt: 0,
      exited: new Promise<void>((resolve) => {
        gone = resolve
      }),
      stderr: '',
    }
    this.#writer = writer

    let handled = false
    const onGone = (code: number | null, signal: NodeJS.Signals | null): void => {
      if (handled) return
      handled = true
      clearTimeout(writer.readyTimer)
      gone()
      if (this.#writer === writer) this.#writerGone(writer, code, signal)
    }

    child.stderr?.setEncoding('utf8')
    child.stderr?.on('data', (chunk: string) => {
      writer.stderr = (writer.stderr + chunk).slice(-STDERR_TAIL_CHARS)
    })
    child.stderr?.on('error', () => {})
    // 'close' comes after 'exit' and after the IPC channel has delivered its last messages (the final acks).
    child.on('close', onGone)
    child.on('error', (error) => {
      // A spawn failure may emit only 'error'; a failed send is reported to its callback instead.
      if (child.pid === undefined) {
        writer.crash = error.message
        onGone(null, null)
      }
    })
    child.on('message', (raw: unknown) => {
      if (this.#writer === writer) this.#onMessage(writer, parseFromWriter(raw))
    })
    writer.readyTimer = setTimeout(() => {
      writer.crash = `not ready after ${READY_TIMEOUT_MS} ms`
      child.kill('SIGKILL')
    }, READY_TIMEOUT_MS)
    this.#send({type: 'init', path: this.#path, session: this.session, ...(this.#tailSocket ? {tailSocket: this.#tailSocket} : {})})
  }

  #onMessage(writer: Writer, msg: FromWriter | undefined): void {
    if (!msg) return
    switch (msg.type) {
      case 'ready': {
        clearTimeout(writer.readyTimer)
        writer.ready = true
        writer.readyAt = Date.now()
        // Lines the previous writer wrote but did not get to acknowledge.
        this.#acked(msg.lastSeq)
        while ((this.#queue.peek()?.seq ?? Infinity) <= msg.lastSeq) this.#unqueue()
        this.emit('ready', {pid: writer.child.pid ?? 0, lastSeq: msg.lastSeq})
        // Said once: a restarted writer would find a file it could not tighten just as loose.
        if (msg.loose && !this.#looseReported) {
          this.#looseReported = true
          this.emit('loose', {path: this.#path, ...msg.loose})
        }
        this.#pump()
        break
      }

      case 'ack': {
        if (msg.upTo > this.#ackedSeq) this.#failures = 0
        this.#acked(msg.upTo)
        let n = 0
        while (n < this.#inFlight.length && this.#inFlight[n].seq <= msg.upTo) n++
        if (n > 0) this.#inFlight.splice(0, n)
        this.emit('ack', this.#ackedSeq)
        this.#pump()
        break
      }

      case 'error': {
        if (msg.code === 'ERR_WRITER_CRASHED') {
          // It exits next; the restart logic decides whether to try again.
          writer.crash = msg.message
        } else {
          this.#giveUp(msg.code, msg.message)
        }

        break
      }
    }

    this.#notify()
  }

  #acked(upTo: number): void {
    if (upTo > this.#ackedSeq) this.#ackedSeq = upTo
  }

  #writerGone(writer: Writer, code: number | null, signal: NodeJS.Signals | null): void {
    this.#writer = undefined
    // Whatever was in flight is not known to be written: send it again (the next writer skips what it finds).
    for (const e of this.#inFlight) this.#queuedBytes += e.bytes
    this.#queue.prepend(this.#inFlight)
    this.#inFlight = []

    if (this.#failed || this.#phase === 'closed' || this.#shutdownSent) {
      this.#notify()
      return
    }

    if (writer.ready && Date.now() - writer.readyAt > STABLE_WRITER_MS) this.#failures = 0
    this.#failures++
    const why = [describeExit(code, signal), writer.crash, writer.stderr.trim().split('\n').at(-1)]
      .filter(Boolean)
      .join('; ')
    if (this.#failures >= MAX_WRITER_FAILURES) {
      this.#giveUp('ERR_HISTORY_WRITER', `the history writer stopped ${this.#failures} times in a row (${why})`)
      return
    }

    this.#restarts++
    const delay = RESTART_DELAYS_MS[Math.min(this.#failures, RESTART_DELAYS_MS.length) - 1]
    this.#restartTimer = setTimeout(() => this.#startWriter(), delay)
    this.#notify()
  }

  /** History cannot be written for the rest of this run: say so once, drop what is pending, stop the writer. */
  #giveUp(code: string, detail: string): void {
    if (this.#failed) return
    this.#failed = true
    const reason = reasonFor(code, detail)
    this.#problem('write', {
      code,
      message: `cannot write history to ${this.#path}: ${reason}; chatting goes on without history`,
    })
    this.#dropped += this.#inFlight.length + this.#queue.length
    this.#inFlight = []
    this.#queue.clear()
    this.#queuedBytes = 0
    clearTimeout(this.#restartTimer)
    clearTimeout(this.#batchTimer)
    const writer = this.#writer
    if (writer) {
      this.#send({type: 'shutdown'})
      // It has nothing left to write; don't let a stuck one outlive us.
      setTimeout(() => writer.child.kill('SIGKILL'), KILL_WAIT_MS).unref()
    }

    this.#notify()
  }

  /** Emits a problem unless one of the same kind was already emitted: a warning repeated per event would flood. */
  #problem(kind: 'close' | 'event' | 'overflow' | 'write', problem: HistoryProblem): void {
    if (this.#problems.has(kind)) return
    this.#problems.add(kind)
    this.emit('problem', problem.message, problem.code)
  }

  #unqueue(): Entry | undefined {
    const e = this.#queue.shift()
    if (e) this.#queuedBytes -= e.bytes
    return e
  }

  #enforceQueueCap(): void {
    let dropped = 0
    while (this.#queuedBytes > MAX_QUEUE_BYTES && this.#queue.length > 0) {
      this.#unqueue()
      dropped++
    }

    if (dropped > 0) {
      this.#dropped += dropped
      this.#problem('overflow', {
        code: 'ERR_HISTORY_OVERFLOW',
        message: `history is falling behind: dropped ${dropped} unwritten event${dropped === 1 ? '' : 's'} (over ${MAX_QUEUE_BYTES / 1024 / 1024} MiB waiting); some history is lost`,
      })
    }
  }

  /** Pumps within BATCH_MS, or now if a full batch is waiting. */
  #pumpSoon(): void {
    if (this.#queuedBytes >= MAX_BATCH_BYTES) this.#pump()
    else this.#batchTimer ??= setTimeout(() => this.#pump(), BATCH_MS)
  }

  /** Move queued lines into the ack window, in batches of consecutive seqs, while the writer is ready. */
  #pump(): void {
    clearTimeout(this.#batchTimer)
    this.#batchTimer = undefined
    const writer = this.#writer
    if (!writer?.ready) return
    while (this.#inFlight.length < ACK_WINDOW && this.#queue.length > 0 && writer.child.connected) {
      const first = this.#queue.peek()?.seq ?? 0
      const lines: string[] = []
      let bytes = 0
      for (let next = this.#queue.peek(); next && next.seq === first + lines.length; next = this.#queue.peek()) {
        if (lines.length > 0 && (bytes + next.bytes > MAX_BATCH_BYTES || lines.length >= MAX_APPEND_LINES)) break
        if (this.#inFlight.length >= ACK_WINDOW) break
        const e = this.#unqueue()!
        this.#inFlight.push(e)
        lines.push(e.line)
        bytes += e.bytes
      }

      if (!this.#send({type: 'append', first, lines})) break
    }
  }

  /** Sends to the current writer if its channel is open. A failed send needs no action here: the writer's exit
   * puts everything unacknowledged back in the queue. */
  #send(msg: ToWriter): boolean {
    const child = this.#writer?.child
    if (!child?.connected) return false
    try {
      child.send(msg, () => {})
      return true
    } catch {
      return false
    }
  }

  /** Resolves when `ready()` holds (true) or after `ms` (false). Re-checked on every state change. */
  async #until(ready: () => boolean, ms: number): Promise<boolean> {
    if (ready()) return true
    return new Promise<boolean>((resolve) => {
      const done = (value: boolean): void => {
        clearTimeout(timer)
        this.#watchers.delete(check)
        resolve(value)
      }

      const check = (): void => {
        if (ready()) done(true)
      }

      const timer = setTimeout(() => done(false), Math.max(ms, 0))
      this.#watchers.add(check)
    })
  }

  #notify(): void {
    for (const check of [...this.#watchers]) check()
  }

  async #wait(p: Promise<void>, ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), ms)
    })
    const result = await Promise.race([p.then(() => true), timeout])
    clearTimeout(timer)
    return result
  }
}
