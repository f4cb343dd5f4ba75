// The forked history writer's lifecycle: fork it, give it READY_TIMEOUT_MS to open the file, keep the tail of its
// stderr for a crash report, restart it with a growing delay when it dies, give up after MAX_WRITER_FAILURES exits in
// a row without progress, and stop it (politely, then SIGKILL). Knows nothing of lines or acknowledgements: the
// messages it gets from the writer go to its host.

import {type ChildProcess, fork} from 'node:child_process'
import {fileURLToPath} from 'node:url'
import pTimeout from 'p-timeout'

import {backoffDelay} from '../p2p/backoff.js'
import {type FromWriter, parseFromWriter, type ToWriter} from './writer-protocol.js'

/** How long a writer has to answer `ready`. */
export const READY_TIMEOUT_MS = 5000
/** Consecutive writer failures (exits without progress) before giving up on history for this run. */
export const MAX_WRITER_FAILURES = 5
/** Delays before restart number 1, 2, 3, 4: 50 ms doubling, at most 400 ms. */
export const RESTART_BACKOFF = {initialMs: 50, maxMs: 400}
/** A writer that ran this long before dying is not part of a crash loop. */
const STABLE_WRITER_MS = 5000
/** How much of the writer's stderr to keep for a crash report. */
const STDERR_TAIL_CHARS = 1000
/** After `shutdown` and its deadline, the writer's grace to exit before SIGKILL; then how long to wait for it. */
const EXIT_GRACE_MS = 250
const KILL_WAIT_MS = 500

export interface WriterSupervisorOptions {
  /** the history file, sent in `init` */
  path: string
  /** the HistoryLog's session, sent in `init` */
  session: string
  /** Test hook: the writer module to fork instead of `writer-process.js`. */
  writerPath?: string
  /** the Unix socket the writer serves `chat log tail` on (docs/history.md), sent in `init` */
  tailSocket?: string
}

export interface WriterSupervisorHost {
  /**
   * A message from the current writer: `ready` (once the writer is marked ready), `ack`, or an `error` that is not a
   * crash report (a crash report only explains the exit that follows).
   */
  onMessage(msg: FromWriter): void
  /** The current writer exited (before any restart is scheduled): what it was sent is not known to be written. */
  onExit(): void
  /** The writer cannot be started or keeps dying: history is over for this run. `code` is ERR_HISTORY_WRITER. */
  onFatal(code: string, message: string): void
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

/**
 * The writer's entry point: the `.js` next to this file once built, the `.ts` source when run through tsx. Named from
 * `../history/` rather than `./`: `chat start` runs this code bundled into dist/commands/start.js
 * (scripts/bundle-start.mjs), one directory beside dist/history/.
 */
function defaultWriter(): {path: string; execArgv: string[]} {
  const here = import.meta.url
  if (here.endsWith('.ts')) {
    let tsx = 'tsx'
    try {
      // eslint-disable-next-line n/no-unsupported-features/node-builtins -- before Node 20.6 it throws: caught below
      tsx = import.meta.resolve('tsx')
    } catch {
      // fall back to resolving `tsx` from the working directory
    }

    return {path: fileURLToPath(new URL('../history/writer-process.ts', here)), execArgv: ['--import', tsx]}
  }

  // An empty execArgv: don't pass the parent's flags (an --inspect port, say) to the writer.
  return {path: fileURLToPath(new URL('../history/writer-process.js', here)), execArgv: []}
}

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `killed by ${signal}` : `exit code ${code ?? '?'}`
}

/** True if `exited` settled within `ms`. */
async function exitedWithin(exited: Promise<void>, ms: number): Promise<boolean> {
  return pTimeout(
    exited.then(() => true),
    {milliseconds: ms, fallback: () => false},
  )
}

export class WriterSupervisor {
  readonly #options: WriterSupervisorOptions
  readonly #host: WriterSupervisorHost
  #writer?: Writer
  #restartTimer?: NodeJS.Timeout
  #failures = 0
  #restarts = 0
  /** Set by stop() and abandon(): no more messages to the writer but `shutdown`, no more restarts. */
  #stopped = false

  constructor(options: WriterSupervisorOptions, host: WriterSupervisorHost) {
    this.#options = options
    this.#host = host
  }

  /** The current writer's pid (a test hook: kill it to exercise recovery). */
  get pid(): number | undefined {
    return this.#writer?.child.pid
  }

  /** A writer has answered `ready`: it has the file open. */
  get ready(): boolean {
    return this.#writer?.ready === true
  }

  /** The current writer's IPC channel is open. */
  get connected(): boolean {
    return this.#writer?.child.connected === true
  }

  /** Writers forked after the first. */
  get restarts(): number {
    return this.#restarts
  }

  /** True once stop() or abandon() was called. */
  get stopped(): boolean {
    return this.#stopped
  }

  /** The writer wrote something new: the next exit starts a fresh count of failures. */
  progressed(): void {
    this.#failures = 0
  }

  /** Forks a writer and sends it `init`. */
  start(): void {
    this.#restartTimer = undefined
    const {writerPath} = this.#options
    const {path, execArgv} = writerPath ? {path: writerPath, execArgv: defaultWriter().execArgv} : defaultWriter()
    let child: ChildProcess
    try {
      // stdout ignored, stderr kept for crash reports (never shown raw in the chat), IPC for the protocol.
      child = fork(path, [], {execArgv, stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'json'})
    } catch (error) {
      this.#host.onFatal('ERR_HISTORY_WRITER', `could not start the history writer: ${String(error)}`)
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
      if (this.#writer === writer) this.#exited(writer, code, signal)
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
    this.send({
      type: 'init',
      path: this.#options.path,
      session: this.#options.session,
      ...(this.#options.tailSocket ? {tailSocket: this.#options.tailSocket} : {}),
    })
  }

  /**
   * Sends to the current writer if its channel is open. A failed send needs no action here: the writer's exit
   * tells the host that everything unacknowledged is to be sent again.
   */
  send(msg: ToWriter): boolean {
    const child = this.#writer?.child
    if (!child?.connected) return false
    try {
      child.send(msg, () => {})
      return true
    } catch {
      return false
    }
  }

  /**
   * Tells the writer to write what it has and exit, waits until `deadline` (at least EXIT_GRACE_MS) for it to exit,
   * then SIGKILLs it and waits KILL_WAIT_MS more. No restarts after this.
   */
  async stop(deadline: number): Promise<void> {
    this.#stopped = true
    clearTimeout(this.#restartTimer)
    const writer = this.#writer
    if (!writer) return
    this.send({type: 'shutdown'})
    if (!(await exitedWithin(writer.exited, Math.max(deadline - Date.now(), EXIT_GRACE_MS)))) {
      writer.child.kill('SIGKILL')
      await exitedWithin(writer.exited, KILL_WAIT_MS)
    }
  }

  /** History is given up: no restarts; the writer, which has nothing left to write, is stopped and soon killed. */
  abandon(): void {
    this.#stopped = true
    clearTimeout(this.#restartTimer)
    const writer = this.#writer
    if (writer) {
      this.send({type: 'shutdown'})
      // Don't let a stuck one outlive us.
      setTimeout(() => writer.child.kill('SIGKILL'), KILL_WAIT_MS).unref()
    }
  }

  #onMessage(writer: Writer, msg: FromWriter | undefined): void {
    if (!msg) return
    if (msg.type === 'ready') {
      clearTimeout(writer.readyTimer)
      writer.ready = true
      writer.readyAt = Date.now()
    } else if (msg.type === 'error' && msg.code === 'ERR_WRITER_CRASHED') {
      // It exits next; #exited decides whether to try again.
      writer.crash = msg.message
      return
    }

    this.#host.onMessage(msg)
  }

  #exited(writer: Writer, code: number | null, signal: NodeJS.Signals | null): void {
    this.#writer = undefined
    this.#host.onExit()
    if (this.#stopped) return

    if (writer.ready && Date.now() - writer.readyAt > STABLE_WRITER_MS) this.#failures = 0
    this.#failures++
    const why = [describeExit(code, signal), writer.crash, writer.stderr.trim().split('\n').at(-1)]
      .filter(Boolean)
      .join('; ')
    if (this.#failures >= MAX_WRITER_FAILURES) {
      this.#host.onFatal('ERR_HISTORY_WRITER', `the history writer stopped ${this.#failures} times in a row (${why})`)
      return
    }

    this.#restarts++
    this.#restartTimer = setTimeout(() => this.start(), backoffDelay(this.#failures - 1, RESTART_BACKOFF))
  }
}
