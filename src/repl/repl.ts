// The REPL: reads lines (an enquirer prompt on a terminal, plain lines from a pipe), runs slash commands against a
// chat node, and shows the node's events. It owns no networking and no process lifecycle: the start command
// builds it, awaits `done` and calls `close()`. Its parts: LineReader (where lines come from), LineCommands (what a
// line does), Authors (who is who), and an OutputSink (HumanSink or JsonSink) for everything shown.

import type {ChatMessage, NodeInfo} from '../p2p/types.js'
import type {LinePrinter, OutputSink} from './output.js'
import type {HistoryReader, ReplEventName, ReplInput, ReplListener, ReplNode, ReplOutput} from './types.js'

import {guardPipe} from '../io/broken-pipe.js'
import {chatNodeErrorDetail} from '../p2p/errors.js'
import {sanitize} from '../text/sanitize.js'
import {Authors} from './authors.js'
import {COMMANDS} from './commands.js'
import {complete, type Completion} from './complete.js'
import {writeOutput} from './cork.js'
import {errorMessage, nodeErrorText} from './engine-text.js'
import {HumanSink} from './human-sink.js'
import {type Catalog, catalogs, type Lang} from './i18n.js'
import {IgnoreList} from './ignore-list.js'
import {JsonSink} from './json-sink.js'
import {LineCommands} from './line-commands.js'
import {LineReader} from './line-reader.js'
import {mentions} from './mention.js'
import {ansiStyle, PLAIN, resolveColor, type Style} from './style.js'
import {wrapLine} from './wrap.js'

export interface ReplOptions {
  node: ReplNode
  lang: Lang
  /** NDJSON events on stdout instead of sentences; never shows a prompt. */
  json?: boolean
  /** Shown in the prompt (`Julia> `); defaults to the node's name. */
  name?: string
  input?: ReplInput
  output?: ReplOutput
  errorOutput?: ReplOutput
  /**
   * Colours in the human output. Default: `resolveColor` over the environment and the output's TTY-ness (the start
   * command passes its own decision, from --no-color). Never in JSON mode.
   */
  color?: boolean
  /** Prefix messages, joins and leaves with the local time, `HH:MM `. */
  timestamps?: boolean
  /** No terminal bell when a message mentions you. */
  quiet?: boolean
  /**
   * Where the lines typed at the prompt are kept for ↑/↓ across sessions (one file per node name, under
   * `input-history/`). Without it they are remembered for this session only.
   */
  historyDir?: string
  /** Reads the node's history log for /history; without it /history says it is unavailable. */
  readHistory?: HistoryReader
  /** The history was turned off (--no-log): /history says so. */
  historyOff?: boolean
  /** The authors not shown (/ignore); the start command loads it from beside the identity file. Default: in memory. */
  ignore?: IgnoreList
  /** For tests: the clock behind timestamps. */
  now?: () => number
}

export class Repl {
  /** Resolves when the user quits (/quit, Ctrl+C, Ctrl+D on an empty prompt) or `close()` is called. Never rejects. */
  readonly done: Promise<void>
  readonly lang: Lang
  readonly json: boolean
  /** True when input and output are terminals (and not --json): the enquirer prompt is used. */
  readonly interactive: boolean
  readonly #node: ReplNode
  readonly #catalog: Catalog
  readonly #sink: OutputSink
  readonly #input: ReplInput
  readonly #output: ReplOutput
  readonly #errorOutput: ReplOutput
  readonly #name: string | undefined
  readonly #style: Style
  readonly #ignore: IgnoreList
  readonly #authors: Authors
  readonly #commands: LineCommands
  readonly #reader: LineReader
  readonly #unsubscribe: Array<() => void> = []
  #resolveDone!: () => void
  #started = false
  #quitting = false
  #closed = false

  constructor(options: ReplOptions) {
    this.#node = options.node
    this.lang = options.lang
    this.json = options.json ?? false
    this.#name = options.name
    this.#input = options.input ?? process.stdin
    this.#output = options.output ?? process.stdout
    this.#errorOutput = options.errorOutput ?? process.stderr
    this.interactive = !this.json && Boolean(this.#input.isTTY) && Boolean(this.#output.isTTY)
    this.done = new Promise((resolve) => {
      this.#resolveDone = resolve
    })

    // A closed pipe (`chat start | head`) must not stop the node relaying: output to it just stops.
    guardPipe(this.#output)
    guardPipe(this.#errorOutput)
    this.#catalog = catalogs[this.lang]
    this.#ignore = options.ignore ?? new IgnoreList()
    const color = !this.json && (options.color ?? resolveColor({isTTY: this.#output.isTTY}))
    this.#style = color ? ansiStyle((this.#output.getColorDepth?.() ?? 4) >= 8 ? 256 : 16) : PLAIN
    const printer: LinePrinter = {
      out: (line, hang) => this.#print(this.#output, line, hang),
      err: (line) => this.#print(this.#errorOutput, line),
    }
    this.#sink = this.json
      ? new JsonSink(this.#catalog, printer)
      : new HumanSink(this.#catalog, printer, {
          style: this.#style,
          timestamps: options.timestamps ?? false,
          // The bell is for a person at a terminal; in a piped transcript it would be a stray byte.
          bell: !(options.quiet ?? false) && Boolean(this.#output.isTTY),
          table: Boolean(this.#output.isTTY),
          columns: () => (this.#output.isTTY && this.#output.columns ? this.#output.columns : undefined),
          ownName: () => this.#ownName(),
          now: options.now,
        })

    this.#authors = new Authors(this.#node, () => this.#ownName())
    this.#commands = new LineCommands({
      node: this.#node,
      sink: this.#sink,
      catalog: this.#catalog,
      json: this.json,
      ignore: this.#ignore,
      authors: this.#authors,
      readHistory: options.readHistory,
      historyOff: options.historyOff ?? false,
      isQuitting: () => this.#quitting,
      quit: () => this.#quit(),
      connect: (host, port) => this.connect(host, port),
      ownId: () => this.#ownId(),
      safely: (fn) => this.#safely(fn),
    })

    this.#reader = new LineReader({
      input: this.#input,
      output: this.#output,
      catalog: this.#catalog,
      style: this.#style,
      historyDir: options.historyDir,
      ownName: () => this.#ownName(),
      label: () => this.#label(),
      complete: (text, cursor) => this.#complete(text, cursor),
      run: (line) => this.#commands.run(line),
      quit: () => this.#quit(),
      isQuitting: () => this.#quitting,
      problem: (code, message) => this.#sink.problem(code, message),
    })

    // Subscribed now, not in start(), so the `ready` the node emits while starting is shown.
    this.#listen('ready', (info) => this.#onReady(info))
    this.#listen('message', (message) => this.#onMessage(message))
    // A short-lived sender (`chat send` from a cron job) comes and goes with every message: only its message shows.
    this.#listen('peer_joined', (peer) => {
      if (peer.transient) return
      this.#authors.seen(peer.name)
      this.#sink.peerJoined(peer)
      this.#checkName(peer.name, peer.id)
    })
    this.#listen('peer_left', (peer) => {
      if (!peer.transient) this.#sink.peerLeft(peer)
    })
    this.#listen('warning', (warning) => this.#sink.warning(warning))
    this.#listen('held_released', (released) => this.#sink.heldReleased(released))
    this.#listen('room_joined', (entry) => {
      this.#authors.seen(entry.name)
      this.#sink.roomJoined(entry)
    })
    this.#listen('room_left', (left) => this.#sink.roomLeft(left))
    this.#listen('room_churn', (churn) => this.#sink.roomChurn(churn))
    this.#listen('peer_penalised', (event) => this.#sink.peerPenalised(event))
    this.#listen('clock_skew', (skew) => this.#sink.clockSkew(skew))
    this.#listen('direct', (message) => {
      if (this.#hide(message.from.id)) return
      this.#authors.seen(message.from.name)
      this.#sink.direct(message)
    })
  }

  /** Starts reading input. Idempotent; does nothing after close(). */
  start(): void {
    if (this.#started || this.#closed) return
    this.#started = true
    if (this.interactive) this.#reader.startPrompt()
    else this.#reader.startLines()
  }

  /**
   * Connects to a node and says how it went (used for --join and /connect). Resolves true when connected, false
   * when not; never rejects.
   */
  async connect(host: string, port: number): Promise<boolean> {
    try {
      const peer = await this.#node.connect(host, port)
      this.#sink.connected(peer)
      return true
    } catch (error) {
      const detail = chatNodeErrorDetail(error)
      const failure = detail?.code === 'unreachable' ? detail.failure : undefined
      const reason = failure
        ? this.#catalog.connectionFailure(failure)
        : (nodeErrorText(this.#catalog.engine, error) ?? errorMessage(error))
      this.#sink.error('connect_failed', this.#catalog.connectFailed(reason), failure?.code)
      return false
    }
  }

  /** Prints an informational line (stdout; a `notice` event in JSON mode), above the prompt on a terminal. */
  notice(text: string): void {
    this.#safely(() => this.#sink.notice(text))
  }

  /** Prints a problem (stderr; an `error` event in JSON mode), above the prompt on a terminal. */
  error(code: string, message: string): void {
    this.#safely(() => this.#sink.problem(code, message))
  }

  /** Stops reading, gives the terminal back, stops listening to the node and resolves `done`. Idempotent. */
  close(): void {
    if (this.#closed) return
    this.#closed = true
    this.#quitting = true
    this.#reader.stop()
    for (const off of this.#unsubscribe.splice(0)) off()
    this.#resolveDone()
  }

  #listen<E extends ReplEventName>(event: E, listener: ReplListener<E>): void {
    // A listener that throws would throw inside the node's emit(); print the error instead.
    const safe: ReplListener<E> = (...args) => this.#safely(() => listener(...args))
    this.#node.on(event, safe)
    this.#unsubscribe.push(() => this.#node.off(event, safe))
  }

  #onReady(info: NodeInfo): void {
    this.#sink.ready(info)
    if (this.#name === undefined) this.#reader.prompt?.setLabel(this.#label())
  }

  #onMessage(message: ChatMessage): void {
    // Our own messages are shown as "You: ..." when sent; never show one twice if it comes back.
    if (message.from.id === this.#ownId() || this.#hide(message.from.id)) return
    this.#authors.seen(message.from.name)
    this.#sink.message(message, mentions(message.text, this.#ownName()))
    this.#checkName(message.from.name, message.from.id)
  }

  /** True (and counted) for a message from an ignored author: not shown, not notified. */
  #hide(id: string): boolean {
    if (!this.#ignore.has(id)) return false
    this.#ignore.hidden++
    return true
  }

  /** Flags a display name seen with a second identity key (once per key): names are chosen, keys are not. */
  #checkName(name: string, id: string): void {
    const keys = this.#authors.checkName(name, id)
    if (keys) this.#sink.notice(this.#catalog.nameClash(name, keys))
  }

  #complete(text: string, cursor: number): Completion {
    return complete(text, cursor, {
      commands: COMMANDS,
      peers: this.#authors.peerNames(),
      ignored: this.#ignore.list().map((a) => a.name),
    })
  }

  /** The name others know us by: the prompt's, else the node's. */
  #ownName(): string {
    if (this.#name !== undefined) return this.#name
    try {
      return this.#node.info.name
    } catch {
      return ''
    }
  }

  #ownId(): string | undefined {
    try {
      return this.#node.info.id
    } catch {
      return undefined
    }
  }

  #label(): string {
    return sanitize(this.#catalog.prompt(this.#ownName())).trimEnd()
  }

  /** On a terminal a long line is word-wrapped, continuing under column `hang` (a message's text), by default 0. */
  #print(stream: ReplOutput, line: string, hang = 0): void {
    const columns = stream.isTTY && !this.json ? (stream.columns ?? 0) : 0
    if (columns > 0) line = wrapLine(line, columns, hang)
    const {prompt} = this.#reader
    if (prompt && !prompt.disposed) prompt.printAbove(stream, line, writeOutput)
    else writeOutput(stream, `${line}\n`)
  }

  #safely(fn: () => void): void {
    try {
      fn()
    } catch (error) {
      try {
        this.#sink.problem('internal', errorMessage(error))
      } catch {
        // the sink itself failed: there is nowhere left to report it
      }
    }
  }

  #quit(): void {
    if (this.#quitting) return
    this.#quitting = true
    this.#reader.stop()
    this.#resolveDone()
  }
}
