// HistoryLog: the main process's side of the history. It stamps events, keeps each one in memory until the forked
// writer acknowledges it (`SendWindow`), has the writer restarted if it dies (`WriterSupervisor`) and re-sends what
// was not acknowledged. It never throws into the chat and never stops it: when history cannot be written it says so
// once (`problem`) and carries on.

import {randomBytes} from 'node:crypto'
import {EventEmitter} from 'node:events'

import type {FromWriter} from './writer-protocol.js'

import {reasonFor} from './errors.js'
import {type HistoryEventInput, historyPath, serializeEvent} from './events.js'
import {MAX_QUEUE_BYTES, SendWindow} from './send-window.js'
import {READY_TIMEOUT_MS, WriterSupervisor} from './writer-supervisor.js'

export {ACK_WINDOW, BATCH_MS, MAX_BATCH_BYTES, MAX_QUEUE_BYTES} from './send-window.js'
export {MAX_WRITER_FAILURES, READY_TIMEOUT_MS} from './writer-supervisor.js'

/** How long `close()` waits for the writer to catch up; then it gets a short grace to exit before SIGKILL. */
export const CLOSE_TIMEOUT_MS = 3000

/** Something the user should know about their history: it is not being written, or some of it was lost. */
interface HistoryProblem {
  /** an errno code (EACCES, ENOSPC…) or ERR_HISTORY_* for the log's own conditions */
  code: string
  /** one sentence, ready to show */
  message: string
  /** the same, as its parts, for a caller that words it in another language */
  detail: HistoryProblemDetail
}

/** A history problem's variable parts, by kind: the caller words each (src/repl/i18n-cli.ts). */
export type HistoryProblemDetail =
  | {kind: 'write'; path: string; code: string; reason: string}
  | {kind: 'event'; event: string; reason: string}
  | {kind: 'overflow'; dropped: number; limitMiB: number}
  | {kind: 'close'; lost: number; path: string}

export interface HistoryLogEvents {
  /**
   * One sentence to show the user, and its code. At most once per kind of trouble (cannot write; queue
   * overflow; events lost at close; an event that could not be serialized).
   */
  problem: [message: string, code: string, detail: HistoryProblemDetail]
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

export class HistoryLog extends EventEmitter<HistoryLogEvents> {
  /** Random per instance: with `seq`, identifies each line so a restarted writer never writes one twice. */
  readonly session = randomBytes(8).toString('hex')
  readonly #path: string
  readonly #writer: WriterSupervisor
  readonly #window: SendWindow
  #phase: Phase = 'new'
  #failed = false
  #looseReported = false
  #nextSeq = 1
  #ackedSeq = 0
  #dropped = 0
  readonly #problems = new Set<'close' | 'event' | 'overflow' | 'write'>()
  readonly #watchers = new Set<() => void>()
  #closing?: Promise<void>

  constructor(options: HistoryLogOptions) {
    super()
    this.#path = historyPath(options.dir, options.port)
    this.#writer = new WriterSupervisor(
      {path: this.#path, session: this.session, writerPath: options.writerPath, tailSocket: options.tailSocket},
      {
        onMessage: (msg) => this.#onMessage(msg),
        onExit: () => {
          // Whatever was in flight is not known to be written: send it again (the next writer skips what it finds).
          this.#window.requeue()
          this.#notify()
        },
        onFatal: (code, message) => this.#giveUp(code, message),
      },
    )
    this.#window = new SendWindow({
      canSend: () => this.#writer.ready && this.#writer.connected,
      send: (batch) => this.#writer.send({type: 'append', ...batch}),
    })
  }

  /** `<dir>/chat_history_<port>.log` */
  get path(): string {
    return this.#path
  }

  /** The current writer's pid (a test hook: kill it to exercise recovery). */
  get writerPid(): number | undefined {
    return this.#writer.pid
  }

  get stats(): HistoryLogStats {
    return {
      lastSeq: this.#nextSeq - 1,
      ackedSeq: this.#ackedSeq,
      inFlight: this.#window.inFlight,
      queued: this.#window.queued,
      queuedBytes: this.#window.queuedBytes,
      dropped: this.#dropped,
      restarts: this.#writer.restarts,
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
      this.#writer.start()
    }

    return this.#until(() => this.#writer.ready || this.#failed || this.#phase === 'closed', READY_TIMEOUT_MS).then(
      () => this.#writer.ready,
    )
  }

  /**
   * Stamps `event` with `ts`, `session` and `seq` and queues it for the writer. Synchronous and never throws.
   * Returns the event's seq, or 0 if it was dropped (history given up on, or the log closed).
   */
  append(event: HistoryEventInput): number {
    // Accepted while closing, until the writer is told to stop: a late message still gets written.
    if (this.#failed || this.#phase === 'closed' || this.#writer.stopped) {
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
        detail: {kind: 'event', event: String(event?.event), reason: String(error)},
      })
      return 0
    }

    this.#nextSeq++
    const dropped = this.#window.push(seq, line)
    if (dropped > 0) {
      this.#dropped += dropped
      this.#problem('overflow', {
        code: 'ERR_HISTORY_OVERFLOW',
        message: `history is falling behind: dropped ${dropped} unwritten event${dropped === 1 ? '' : 's'} (over ${MAX_QUEUE_BYTES / 1024 / 1024} MiB waiting); some history is lost`,
        detail: {kind: 'overflow', dropped, limitMiB: MAX_QUEUE_BYTES / 1024 / 1024},
      })
    }

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
      if (this.#window.pending === 0) {
        this.#phase = 'closed'
        return
      }

      // Appended but never opened: start a writer so those events are not lost.
      this.#writer.start()
    }

    this.#phase = 'closing'
    this.#window.pump()
    this.#writer.send({type: 'flush'})
    await this.#until(() => this.#failed || this.#window.pending === 0, deadline - Date.now())
    await this.#writer.stop(deadline)

    const lost = this.#window.pending
    if (lost > 0 && !this.#failed) {
      this.#problem('close', {
        code: 'ERR_HISTORY_CLOSE_TIMEOUT',
        message: `${lost} history event${lost === 1 ? ' was' : 's were'} not written to ${this.#path} before shutdown`,
        detail: {kind: 'close', lost, path: this.#path},
      })
    }

    this.#phase = 'closed'
    this.#window.clear()
    this.#notify()
    this.#watchers.clear()
  }

  #onMessage(msg: FromWriter): void {
    switch (msg.type) {
      case 'ready': {
        // Lines the previous writer wrote but did not get to acknowledge.
        this.#acked(msg.lastSeq)
        this.#window.skipWritten(msg.lastSeq)
        this.emit('ready', {pid: this.#writer.pid ?? 0, lastSeq: msg.lastSeq})
        // Said once: a restarted writer would find a file it could not tighten just as loose.
        if (msg.loose && !this.#looseReported) {
          this.#looseReported = true
          this.emit('loose', {path: this.#path, ...msg.loose})
        }

        this.#window.pump()
        break
      }

      case 'ack': {
        if (msg.upTo > this.#ackedSeq) this.#writer.progressed()
        this.#acked(msg.upTo)
        this.#window.ack(msg.upTo)
        this.emit('ack', this.#ackedSeq)
        this.#window.pump()
        break
      }

      case 'error': {
        this.#giveUp(msg.code, msg.message)
        break
      }
    }

    this.#notify()
  }

  #acked(upTo: number): void {
    if (upTo > this.#ackedSeq) this.#ackedSeq = upTo
  }

  /** History cannot be written for the rest of this run: say so once, drop what is pending, stop the writer. */
  #giveUp(code: string, detail: string): void {
    if (this.#failed) return
    this.#failed = true
    const reason = reasonFor(code, detail)
    this.#problem('write', {
      code,
      message: `cannot write history to ${this.#path}: ${reason}; chatting goes on without history`,
      detail: {kind: 'write', path: this.#path, code, reason},
    })
    this.#dropped += this.#window.clear()
    this.#writer.abandon()
    this.#notify()
  }

  /** Emits a problem unless one of the same kind was already emitted: a warning repeated per event would flood. */
  #problem(kind: 'close' | 'event' | 'overflow' | 'write', problem: HistoryProblem): void {
    if (this.#problems.has(kind)) return
    this.#problems.add(kind)
    this.emit('problem', problem.message, problem.code, problem.detail)
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
}
