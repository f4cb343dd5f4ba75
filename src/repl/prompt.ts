// The TTY prompt: one long-lived enquirer Input that never closes between lines.
//
// Stock enquirer prompts close after each answer (raw mode off, pending keys dropped), which loses whatever was
// pasted after the first newline. Here `submit` hands the line to the REPL and empties the input instead, and
// `printAbove` lets chat output appear above the prompt: erase the prompt line (enquirer's `clear()`, which knows
// how many rows its last render took), write the text, `render()` the prompt again with what the user had typed.

import Enquirer from 'enquirer'
import {EventEmitter} from 'node:events'
import {emitKeypressEvents} from 'node:readline'

import {sanitize} from './sanitize.js'
import type {ReplInput, ReplOutput} from './types.js'

/** A key as Node's keypress decoder reports it (enquirer's keypress() completes it). */
interface Key {
  name?: string
  ctrl?: boolean
  shift?: boolean
  meta?: boolean
}

/** enquirer's prompt state, as far as this module reads or resets it (lib/state.js). */
interface PromptState {
  /** what the last render wrote; `clear()` erases exactly that many terminal rows */
  buffer: string
  /** rows below the prompt line (always 0 here: no header, footer or hint) */
  size: number
  closed: boolean
}

/** The parts of enquirer's StringPrompt (lib/prompt.js, lib/types/string.js) used here. It ships no types for them. */
interface StringPrompt extends EventEmitter {
  state: PromptState
  input: string
  cursor: number
  readonly stdout: ReplOutput
  initialize(): Promise<void>
  render(): Promise<void>
  clear(lines?: number): void
  write(text: string): void
  restore(): void
  alert(): void
  keypress(input: string, key?: Key): Promise<unknown>
  cancel(error?: unknown): Promise<void>
  submit(): Promise<void>
  prefix(): Promise<string> | string
  separator(): Promise<string> | string
  message(): Promise<string> | string
  format(value?: string): Promise<string> | string
  cursorHide(): void
  start(): void
}

type StringPromptClass = new (options: {name: string; message: string; stdin: ReplInput; stdout: ReplOutput}) => StringPrompt

// enquirer is CommonJS and its typings omit the prompt classes; Input is StringPrompt plus optional history.
const Input = (Enquirer as unknown as {Input: StringPromptClass}).Input

const CSI = '\u001B['

/** Terminal columns a string takes: one per code point (what enquirer's own clear() assumes too). */
function columns(text: string): number {
  return [...text].length
}

export interface ChatPromptOptions {
  /** Shown before the input, e.g. `Julia>` (a space follows). */
  label: string
  stdin: ReplInput
  stdout: ReplOutput
  /** Called with each submitted line, exactly as typed. */
  onLine(line: string): void
  /** Called once on Ctrl+C, or Ctrl+D on an empty line. */
  onQuit(): void
}

export class ChatPrompt extends Input {
  #label: string
  readonly #onLine: (line: string) => void
  readonly #history: string[] = []
  /** index into #history while browsing with the arrows; #history.length means "the line being typed" */
  #historyIndex = 0
  #draft = ''
  #disposed = false
  readonly #stdin: ReplInput
  #wasRaw = false
  #stopKeys: (() => void) | undefined
  #keys: Promise<unknown> = Promise.resolve()

  constructor(options: ChatPromptOptions) {
    super({name: 'line', message: options.label, stdin: options.stdin, stdout: options.stdout})
    this.#stdin = options.stdin
    this.#label = options.label
    this.#onLine = options.onLine
    // enquirer's Ctrl+C path: cancel() renders, closes, then emits `cancel` (its promise would reject with '').
    this.once('cancel', () => options.onQuit())
  }

  /** Starts reading keys and draws the prompt. Rejects if the terminal cannot be put in raw mode. */
  async open(): Promise<void> {
    this.#wasRaw = this.#stdin.isRaw ?? false
    await this.initialize()
  }

  get disposed(): boolean {
    return this.#disposed
  }

  /** Writes output above the prompt, keeping what the user is typing intact. */
  printAbove(write: () => void): void {
    if (this.#disposed || this.state.closed) {
      write()
      return
    }

    this.clear(this.state.size)
    write()
    this.render().catch(() => {})
  }

  setLabel(label: string): void {
    this.#label = label
    if (!this.#disposed && !this.state.closed) this.render().catch(() => {})
  }

  /** Erases the prompt line and gives the terminal back (raw mode off, keypress listener removed). Idempotent. */
  dispose(): void {
    if (this.#disposed) return
    if (!this.state.closed) {
      this.clear(this.state.size)
      this.state.closed = true
      // start() registered the key reader's teardown as a one-time `close` listener, as enquirer does
      this.emit('close')
    }

    this.#disposed = true
  }

  // Keys are read here rather than by enquirer's keypress.listen(), which also runs a readline Interface over
  // stdin that edits a line of its own: on Ctrl+C, or Ctrl+D when *its* line is empty, that readline closes
  // itself, pausing stdin (a frozen prompt) and leaving the terminal raw. A long-lived chat prompt can't afford
  // either, so: Node's keypress decoder only, raw mode, and one key handled at a time, in order.
  override start(): void {
    if (this.#stopKeys) return
    const stdin = this.#stdin
    emitKeypressEvents(stdin)
    stdin.setRawMode?.(true)
    const onKeypress = (input: string | undefined, key: Key | undefined): void => {
      this.#keys = this.#keys.then(() => this.keypress(input ?? '', key ?? {})).catch(() => {
        // a failed redraw must not stop the following keys; the next render repaints the line
      })
    }

    stdin.on('keypress', onKeypress)
    stdin.resume()
    this.#stopKeys = () => {
      stdin.off('keypress', onKeypress)
      try {
        if (stdin.isTTY) stdin.setRawMode?.(this.#wasRaw)
      } catch {
        // the terminal is gone: nothing to restore
      }

      stdin.pause()
    }

    this.once('close', this.#stopKeys)
    this.emit('start', this)
  }

  // Plain `Julia> `: no "?" prefix, no "›" separator, no bold.
  override prefix(): string {
    return ''
  }

  override separator(): string {
    return ''
  }

  override message(): string {
    return this.#label
  }

  // The input as typed, with the terminal's own cursor rather than enquirer's drawn one: the drawn cursor needs the
  // real one hidden, and enquirer hides it through an exit hook that calls process.exit() on SIGINT/SIGTERM, which
  // would bypass the start command's graceful shutdown.
  override format(): string {
    return sanitize(this.input)
  }

  override cursorHide(): void {}

  // enquirer's restore() counts every non-ASCII character as two columns (for CJK), which puts the cursor in the
  // wrong place after "não"; one column per code point is right for the scripts this chat is used in.
  override restore(): void {
    if (this.state.closed) return
    this.state.size = 0
    const back = columns(this.input.slice(this.cursor))
    if (back > 0) this.stdout.write(`${CSI}${back}D`)
  }

  // Nothing may be drawn after dispose(), also by a render that was already under way.
  override write(text: string): void {
    if (!this.#disposed) super.write(text)
  }

  override clear(lines?: number): void {
    if (this.#disposed) {
      this.state.buffer = ''
      return
    }

    super.clear(lines)
  }

  override async keypress(input: string, key: Key = {}): Promise<unknown> {
    if (this.#disposed) return undefined
    // Ctrl+D on an empty line means "end", as in a shell; on a non-empty line it keeps deleting forward.
    if (key.ctrl && key.name === 'd' && this.input === '') return this.cancel()
    // enquirer maps Escape to cancel; leaving a chat by a stray Escape would be a nasty surprise.
    if (key.name === 'escape') return undefined
    return super.keypress(input, key)
  }

  // Keep the prompt open: leave `Julia> text` in the scrollback, empty the input, redraw, then hand the line over.
  override async submit(): Promise<void> {
    const line = this.input
    this.clear(this.state.size)
    this.stdout.write(`${this.#label} ${sanitize(line)}\n`)
    this.input = ''
    this.cursor = 0
    if (line.trim() !== '' && line !== this.#history.at(-1)) this.#history.push(line)
    this.#historyIndex = this.#history.length
    this.#draft = ''
    const rendered = this.render()
    this.#onLine(line)
    await rendered
  }

  // Up/Down walk through the lines sent in this session, like a shell.
  up(): Promise<void> | void {
    if (this.#historyIndex === 0) return this.alert()
    if (this.#historyIndex === this.#history.length) this.#draft = this.input
    this.#historyIndex -= 1
    return this.#show(this.#history[this.#historyIndex])
  }

  down(): Promise<void> | void {
    if (this.#historyIndex >= this.#history.length) return this.alert()
    this.#historyIndex += 1
    return this.#show(this.#historyIndex === this.#history.length ? this.#draft : this.#history[this.#historyIndex])
  }

  #show(text: string): Promise<void> {
    this.input = text
    this.cursor = text.length
    return this.render()
  }
}
