// Where the REPL's lines come from: an enquirer prompt on a terminal (loaded only then), plain lines from a pipe.
// Each line goes to the REPL's `run`; piped lines strictly in order, a bounded number read ahead.

import {createInterface, type Interface} from 'node:readline'

import type {Completion} from './complete.js'
import type {Catalog} from './i18n.js'
import type {ChatPrompt} from './prompt.js'
import type {Style} from './style.js'
import type {ReplInput, ReplOutput} from './types.js'

import {parseLine} from './commands.js'
import {errorMessage} from './engine-text.js'
import {InputHistory, inputHistoryPath} from './input-history.js'

/** Commands whose outcome is a line of their own (`You: hi`, `* Julia waves`, `[you → Pedro]: hi`). */
const OWN_LINE_KINDS: ReadonlySet<string> = new Set(['message', 'me', 'msg'])

/** Lines read ahead of the one being handled before a piped input is paused (a long /connect holds the queue). */
const MAX_QUEUED_LINES = 64

/** What the reader needs from its REPL. */
export interface ReaderHost {
  readonly input: ReplInput
  readonly output: ReplOutput
  readonly catalog: Catalog
  readonly style: Style
  /** Where typed lines are kept for ↑/↓ across sessions; undefined: this session only. */
  readonly historyDir: string | undefined
  ownName(): string
  /** The prompt's label, sanitised. */
  label(): string
  complete(text: string, cursor: number): Completion
  /** Handles one line; never rejects. */
  run(line: string): Promise<void>
  quit(): void
  isQuitting(): boolean
  problem(code: string, message: string): void
}

export class LineReader {
  readonly #host: ReaderHost
  #prompt: ChatPrompt | undefined
  #lines: Interface | undefined
  /** Piped lines are handled strictly in order: each waits for the previous one (a /connect included). */
  #queue: Promise<void> = Promise.resolve()
  #queued = 0

  constructor(host: ReaderHost) {
    this.#host = host
  }

  /** The terminal prompt, once open. */
  get prompt(): ChatPrompt | undefined {
    return this.#prompt
  }

  /** Reads plain lines (a pipe, a file, a terminal with --json), handled one after the other. */
  startLines(): void {
    const lines = createInterface({input: this.#host.input, crlfDelay: Number.POSITIVE_INFINITY, terminal: false})
    this.#lines = lines
    // A read error (EIO from a vanished terminal) ends input like EOF does; it must not crash the node.
    this.#host.input.on('error', () => lines.close())
    lines.on('line', (line) => {
      this.#queued += 1
      if (this.#queued >= MAX_QUEUED_LINES) lines.pause()
      this.#queue = this.#queue.then(async () => {
        await this.#host.run(line)
        this.#queued -= 1
        if (this.#queued === 0 && !this.#host.isQuitting()) lines.resume()
      })
    })
    // End of input is not a quit: the node keeps relaying until /quit or a signal.
  }

  /** Opens the enquirer prompt (a terminal); falls back to plain lines if it cannot. */
  startPrompt(): void {
    const history = new InputHistory({
      path:
        this.#host.historyDir === undefined ? undefined : inputHistoryPath(this.#host.historyDir, this.#host.ownName()),
      onProblem: (message) => this.#host.problem('input_history', this.#host.catalog.inputHistoryFailed(message)),
    })
    // Loaded only for a terminal: enquirer is the biggest module a bot or a pipe (--json) never needs.
    import('./prompt.js')
      .then(({ChatPrompt}) => {
        if (this.#host.isQuitting()) return
        this.#openPrompt(ChatPrompt, history)
      })
      .catch((error: unknown) => {
        this.#host.problem('internal', errorMessage(error))
        if (!this.#host.isQuitting()) this.startLines()
      })
  }

  #openPrompt(ChatPrompt: typeof import('./prompt.js').ChatPrompt, history: InputHistory): void {
    const prompt = new ChatPrompt({
      label: this.#host.label(),
      paintLabel: (label) => this.#host.style.own(label),
      stdin: this.#host.input,
      stdout: this.#host.output,
      history,
      complete: (text, cursor) => this.#host.complete(text, cursor),
      // Lines typed at a terminal are handled at once: a slow /connect must not hold back the next message.
      onLine: (line) => {
        void this.#host.run(line)
      },
      // A message, /me and /msg print their own line (`You: hi`): the typed one would show the text twice.
      keepLine: (line) => !OWN_LINE_KINDS.has(parseLine(line).kind),
      onQuit: () => this.#host.quit(),
      pasteQuestion: (lines) => this.#host.catalog.pasteQuestion(lines),
      pasteCancelled: this.#host.catalog.pasteCancelled,
    })
    this.#prompt = prompt
    prompt.open().catch((error: unknown) => {
      // No raw mode (an odd terminal): read plain lines rather than not at all.
      prompt.dispose()
      this.#prompt = undefined
      this.#host.problem('internal', errorMessage(error))
      if (!this.#host.isQuitting()) this.startLines()
    })
  }

  /** Stops reading and gives the terminal back. */
  stop(): void {
    this.#lines?.close()
    this.#prompt?.dispose()
  }
}
