// The REPL: reads lines (an enquirer prompt on a terminal, plain lines from a pipe), runs slash commands against a
// chat node, and shows the node's events. It owns no networking and no process lifecycle: the start command
// builds it, awaits `done` and calls `close()`.

import {createInterface, type Interface} from 'node:readline'

import {LRUCache} from 'lru-cache'

import {chatNodeErrorDetail} from '../p2p/errors.js'
import {guardPipe, isBroken, markBroken} from '../io/broken-pipe.js'
import {errnoCode} from '../io/errno.js'
import {formatAddress} from '../p2p/address.js'
import type {ChatMessage, NodeInfo} from '../p2p/types.js'
import {sanitize} from '../text/sanitize.js'
import {COMMANDS, isCommandName, parseLine} from './commands.js'
import {complete, type Completion} from './complete.js'
import {corkForThisTurn, uncorkAll} from './cork.js'
import {errorMessage, nodeErrorText} from './engine-text.js'
import {type Catalog, catalogs, type Lang} from './i18n.js'
import {IgnoreList, MAX_IGNORED} from './ignore-list.js'
import {InputHistory, inputHistoryPath} from './input-history.js'
import {mentions} from './mention.js'
import {HumanSink, JsonSink, type LinePrinter, type OutputSink, safeFingerprint} from './output.js'
import type {ChatPrompt} from './prompt.js'
import {type MsgTarget, resolveRecipient} from './recipient.js'
import {ansiStyle, PLAIN, resolveColor, type Style} from './style.js'
import type {HistoryReader, ReplEventName, ReplInput, ReplListener, ReplNode, ReplOutput} from './types.js'
import {wrapLine} from './wrap.js'

/** Commands whose outcome is a line of their own (`You: hi`, `* Julia waves`, `[you → Pedro]: hi`). */
const OWN_LINE_KINDS: ReadonlySet<string> = new Set(['message', 'me', 'msg'])

/** Lines read ahead of the one being handled before a piped input is paused (a long /connect holds the queue). */
const MAX_QUEUED_LINES = 64
/** Names of message authors remembered for @completion (they may be several hops away, not direct peers). */
const MAX_SEEN_NAMES = 256

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

function write(stream: ReplOutput, data: string): void {
  if (isBroken(stream) || !stream.writable) return
  try {
    // A pipe (a bot, a script) gets a turn's events in one system call; a terminal gets each line as it comes.
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
  readonly #historyDir: string | undefined
  readonly #readHistory: HistoryReader | undefined
  readonly #historyOff: boolean
  readonly #ignore: IgnoreList
  /** Names of recent authors for @completion: set() makes a name the most recent; the least recent goes when full. */
  readonly #seenNames = new LRUCache<string, true>({max: MAX_SEEN_NAMES})
  readonly #unsubscribe: Array<() => void> = []
  /** Display name → the identity keys seen using it. Read with peek and set once per name: full, the name seen
   * first goes. */
  readonly #keysByName = new LRUCache<string, Set<string>>({max: MAX_SEEN_NAMES})
  #resolveDone!: () => void
  #prompt: ChatPrompt | undefined
  #lines: Interface | undefined
  /** Piped lines are handled strictly in order: each waits for the previous one (a /connect included). */
  #queue: Promise<void> = Promise.resolve()
  #queued = 0
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
    this.#historyDir = options.historyDir
    this.#readHistory = options.readHistory
    this.#historyOff = options.historyOff ?? false
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

    // Subscribed now, not in start(), so the `ready` the node emits while starting is shown.
    this.#listen('ready', (info) => this.#onReady(info))
    this.#listen('message', (message) => this.#onMessage(message))
    // A short-lived sender (`chat send` from a cron job) comes and goes with every message: only its message shows.
    this.#listen('peer_joined', (peer) => {
      if (peer.transient) return
      this.#seen(peer.name)
      this.#sink.peerJoined(peer)
      this.#checkName(peer.name, peer.id)
    })
    this.#listen('peer_left', (peer) => {
      if (!peer.transient) this.#sink.peerLeft(peer)
    })
    this.#listen('warning', (warning) => this.#sink.warning(warning))
    this.#listen('held_released', (released) => this.#sink.heldReleased(released))
    this.#listen('room_joined', (entry) => {
      this.#seen(entry.name)
      this.#sink.roomJoined(entry)
    })
    this.#listen('room_left', (left) => this.#sink.roomLeft(left))
    this.#listen('room_churn', (churn) => this.#sink.roomChurn(churn))
    this.#listen('peer_penalised', (event) => this.#sink.peerPenalised(event))
    this.#listen('clock_skew', (skew) => this.#sink.clockSkew(skew))
    this.#listen('direct', (message) => {
      if (this.#hide(message.from.id)) return
      this.#seen(message.from.name)
      this.#sink.direct(message)
    })
  }

  /** Starts reading input. Idempotent; does nothing after close(). */
  start(): void {
    if (this.#started || this.#closed) return
    this.#started = true
    if (this.interactive) this.#startPrompt()
    else this.#startLines()
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
      const reason = failure ? this.#catalog.connectionFailure(failure) : (nodeErrorText(this.#catalog.engine, error) ?? errorMessage(error))
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
    this.#stopInput()
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
    if (this.#name === undefined) this.#prompt?.setLabel(this.#label())
  }

  #onMessage(message: ChatMessage): void {
    // Our own messages are shown as "You: ..." when sent; never show one twice if it comes back.
    if (message.from.id === this.#ownId() || this.#hide(message.from.id)) return
    this.#seen(message.from.name)
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
    const known = this.#keysByName.peek(name)
    const ids = known ?? new Set<string>()
    if (ids.has(id)) return
    ids.add(id)
    if (!known) this.#keysByName.set(name, ids)
    if (ids.size > 1) this.#sink.notice(this.#catalog.nameClash(name, [...ids].slice(-4).map((key) => safeFingerprint(key))))
  }

  #seen(name: string): void {
    this.#seenNames.set(name, true)
  }

  /**
   * Names Tab completes after `@` and for peer arguments: connected peers first, then the nodes a direct message can
   * reach (most recently heard first), then recent authors.
   */
  #peerNames(): string[] {
    let connected: string[] = []
    let reachable: string[] = []
    try {
      connected = this.#node.peers().map((peer) => peer.name)
      reachable = this.#node.directory().map((node) => node.name).reverse()
    } catch {
      // completion without the peer list is still completion
    }

    const names = [...connected, ...reachable, ...this.#seenNames.keys()]
    return [...new Set(names)].filter((name) => name !== this.#ownName())
  }

  #complete(text: string, cursor: number): Completion {
    return complete(text, cursor, {commands: COMMANDS, peers: this.#peerNames(), ignored: this.#ignore.list().map((a) => a.name)})
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
    const prompt = this.#prompt
    if (prompt && !prompt.disposed) prompt.printAbove(stream, line, write)
    else write(stream, `${line}\n`)
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

  #startLines(): void {
    const lines = createInterface({input: this.#input, crlfDelay: Number.POSITIVE_INFINITY, terminal: false})
    this.#lines = lines
    // A read error (EIO from a vanished terminal) ends input like EOF does; it must not crash the node.
    this.#input.on('error', () => lines.close())
    lines.on('line', (line) => {
      this.#queued += 1
      if (this.#queued >= MAX_QUEUED_LINES) lines.pause()
      this.#queue = this.#queue.then(async () => {
        await this.#handleLine(line)
        this.#queued -= 1
        if (this.#queued === 0 && !this.#quitting) lines.resume()
      })
    })
    // End of input is not a quit: the node keeps relaying until /quit or a signal.
  }

  #startPrompt(): void {
    const history = new InputHistory({
      path: this.#historyDir === undefined ? undefined : inputHistoryPath(this.#historyDir, this.#ownName()),
      onProblem: (message) => this.#sink.problem('input_history', this.#catalog.inputHistoryFailed(message)),
    })
    // Loaded only for a terminal: enquirer is the biggest module a bot or a pipe (--json) never needs.
    import('./prompt.js')
      .then(({ChatPrompt}) => {
        if (this.#quitting) return
        this.#openPrompt(ChatPrompt, history)
      })
      .catch((error: unknown) => {
        this.#sink.problem('internal', errorMessage(error))
        if (!this.#quitting) this.#startLines()
      })
  }

  #openPrompt(ChatPrompt: typeof import('./prompt.js').ChatPrompt, history: InputHistory): void {
    const prompt = new ChatPrompt({
      label: this.#label(),
      paintLabel: (label) => this.#style.own(label),
      stdin: this.#input,
      stdout: this.#output,
      history,
      complete: (text, cursor) => this.#complete(text, cursor),
      // Lines typed at a terminal are handled at once: a slow /connect must not hold back the next message.
      onLine: (line) => void this.#handleLine(line),
      // A message, /me and /msg print their own line (`You: hi`): the typed one would show the text twice.
      keepLine: (line) => !OWN_LINE_KINDS.has(parseLine(line).kind),
      onQuit: () => this.#quit(),
      pasteQuestion: (lines) => this.#catalog.pasteQuestion(lines),
      pasteCancelled: this.#catalog.pasteCancelled,
    })
    this.#prompt = prompt
    prompt.open().catch((error: unknown) => {
      // No raw mode (an odd terminal): read plain lines rather than not at all.
      prompt.dispose()
      this.#prompt = undefined
      this.#sink.problem('internal', errorMessage(error))
      if (!this.#quitting) this.#startLines()
    })
  }

  #stopInput(): void {
    this.#lines?.close()
    this.#prompt?.dispose()
  }

  #quit(): void {
    if (this.#quitting) return
    this.#quitting = true
    this.#stopInput()
    this.#resolveDone()
  }

  /** Handles one line. Never rejects: every failure becomes a printed, translated error. */
  async #handleLine(line: string): Promise<void> {
    if (this.#quitting) return
    try {
      const command = parseLine(line)
      switch (command.kind) {
        case 'empty': {
          return
        }

        case 'message': {
          this.#send(command.text)
          return
        }

        case 'help': {
          if (command.topic === undefined || isCommandName(command.topic)) this.#sink.help(command.topic)
          else this.#sink.error('unknown_command', this.#catalog.unknownCommand(command.topic))
          return
        }

        case 'me': {
          this.#send(command.action, {action: true})
          return
        }

        case 'msg': {
          this.#sendDirect(command.target)
          return
        }

        case 'history': {
          await this.#history(command.count)
          return
        }

        case 'peers': {
          this.#sink.peers(this.#node.peers(), this.#node.cooldowns?.())
          return
        }

        case 'ignore': {
          if (command.who === undefined) this.#sink.ignoreList(this.#ignore.list(), this.#ignore.hidden)
          else this.#ignoreAuthor(command.who)
          return
        }

        case 'unignore': {
          this.#unignore(command.who)
          return
        }

        case 'retry': {
          const cleared = this.#node.clearCooldown?.(command.host === undefined ? undefined : {host: command.host, port: command.port!}) ?? 0
          this.#sink.notice(cleared === 0 ? this.#catalog.retryNothing : this.#catalog.retryCleared(cleared))
          return
        }

        case 'who': {
          this.#sink.who(this.#node.roster())
          return
        }

        case 'quit': {
          // Queued before the goodbye: the node writes out what is queued before it tells peers `bye`.
          if (command.message !== undefined) this.#send(command.message)
          this.#quit()
          return
        }

        case 'connect': {
          await this.connect(command.host, command.port)
          return
        }

        case 'usage': {
          const usage = {
            connect: this.#catalog.connectUsage,
            me: this.#catalog.meUsage,
            history: this.#catalog.historyUsage,
            msg: this.#catalog.msgUsage,
            retry: this.#catalog.retryUsage,
            unignore: this.#catalog.unignoreUsage,
          }
          this.#sink.error('usage', usage[command.command])
          return
        }

        case 'unknown': {
          this.#sink.error('unknown_command', this.#catalog.unknownCommand(command.name))
        }
      }
    } catch (error) {
      this.#safely(() => this.#sink.problem('internal', errorMessage(error)))
    }
  }

  async #history(count: number): Promise<void> {
    if (!this.#readHistory) {
      this.#sink.error('history_unavailable', this.#historyOff ? this.#catalog.historyOff : this.#catalog.historyUnavailable)
      return
    }

    let entries
    try {
      entries = await this.#readHistory(count)
    } catch (error) {
      this.#sink.error('history_failed', this.#catalog.historyFailed(errorMessage(error)))
      return
    }

    if (!this.#quitting) this.#sink.history(entries.filter((e) => e.fromId === undefined || !this.#ignore.has(e.fromId)).slice(-count))
  }

  /** Authors this REPL can name: peers, nodes that announced a key, and everyone seen writing; id → latest name. */
  #knownAuthors(): Map<string, string> {
    const names = new Map<string, string>()
    for (const [name, ids] of this.#keysByName) for (const id of ids) names.set(id, name)
    try {
      for (const n of [...this.#node.directory(), ...this.#node.peers(), this.#node.info]) names.set(n.id, n.name)
    } catch {
      // a node not running yet knows nobody
    }

    return names
  }

  /** `who` as a fingerprint or a name (case-insensitively) among `authors`: the ids it can mean. */
  #resolve(who: string, authors: Map<string, string>): string[] {
    const wanted = who.toLowerCase()
    const byKey = [...authors.keys()].filter((id) => safeFingerprint(id) === wanted)
    if (byKey.length > 0) return byKey
    return [...authors].filter(([, name]) => name.toLowerCase() === wanted).map(([id]) => id)
  }

  #ignoreAuthor(who: string): void {
    const authors = this.#knownAuthors()
    const ids = this.#resolve(who, authors)
    const describe = (id: string): string => `${sanitize(authors.get(id) ?? '?')} ${safeFingerprint(id)}`
    if (ids.length === 0) return this.#sink.error('unknown_author', this.#catalog.ignoreUnknown(sanitize(who)))
    if (ids.length > 1) return this.#sink.error('ambiguous_author', this.#catalog.ignoreAmbiguous(sanitize(who), ids.map((id) => describe(id))))
    const [id] = ids
    const name = authors.get(id) ?? who
    if (id === this.#ownId()) return this.#sink.error('ignore_self', this.#catalog.ignoreSelf)
    if (this.#ignore.has(id)) {
      this.#sink.notice(this.#catalog.ignoreAlready(name, safeFingerprint(id)))
    } else if (this.#ignore.add({id, name})) {
      this.#sink.notice(this.#catalog.ignoreAdded(name, safeFingerprint(id)))
    } else {
      return this.#sink.error('ignore_full', this.#catalog.ignoreFull(MAX_IGNORED))
    }

    if (this.json) this.#sink.ignoreList(this.#ignore.list(), this.#ignore.hidden)
  }

  #unignore(who: string): void {
    const listed = new Map(this.#ignore.list().map((a) => [a.id, a.name]))
    const ids = this.#resolve(who, listed)
    if (ids.length !== 1) {
      const error = ids.length === 0 ? this.#catalog.ignoreNotListed(sanitize(who)) : this.#catalog.ignoreAmbiguous(sanitize(who), ids.map((id) => `${sanitize(listed.get(id)!)} ${safeFingerprint(id)}`))
      return this.#sink.error('not_ignored', error)
    }

    this.#ignore.remove(ids[0])
    this.#sink.notice(this.#catalog.ignoreRemoved(listed.get(ids[0])!, safeFingerprint(ids[0])))
    if (this.json) this.#sink.ignoreList(this.#ignore.list(), this.#ignore.hidden)
  }

  /** Resolves the recipient among the nodes that announced a key (never a guess), then seals the text to it. */
  #sendDirect(target: MsgTarget): void {
    const known = this.#node.directory()
    const describe = (n: NodeInfo): string => sanitize(`${n.name} (${formatAddress(n)}) ${safeFingerprint(n.id)}`)
    const recipient = resolveRecipient(target, known)
    switch (recipient.kind) {
      case 'unknown': {
        this.#sink.error('unknown_recipient', this.#catalog.msgUnknown(sanitize(recipient.name), known.map((n) => describe(n))))
        return
      }

      case 'ambiguous': {
        const candidates = recipient.candidates.map((n) => describe(n))
        this.#sink.error('ambiguous_recipient', this.#catalog.msgAmbiguous(sanitize(recipient.name), candidates))
        return
      }

      case 'usage': {
        this.#sink.error('usage', this.#catalog.msgUsage)
        return
      }

      case 'found': {
        try {
          this.#sink.directSent(this.#node.sendDirect(recipient.node.id, recipient.text))
        } catch (error) {
          this.#sink.error('send_failed', this.#sendFailed(error))
        }
      }
    }
  }

  /** empty and too_long are whole sentences; any other refusal is "could not send: why". */
  #sendFailed(error: unknown): string {
    const reason = nodeErrorText(this.#catalog.engine, error)
    const code = chatNodeErrorDetail(error)?.code
    if (reason !== undefined && (code === 'empty' || code === 'too_long')) return reason
    return this.#catalog.sendFailed(reason ?? errorMessage(error))
  }

  #send(text: string, options: {action?: boolean} = {}): void {
    let message: ChatMessage
    try {
      message = this.#node.send(text, options)
    } catch (error) {
      this.#sink.error('send_failed', this.#sendFailed(error))
      return
    }

    this.#sink.sent(message)
  }
}
