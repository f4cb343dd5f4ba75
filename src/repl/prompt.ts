// The TTY prompt: one long-lived enquirer Input that never closes between lines.
//
// Stock enquirer prompts close after each answer (raw mode off, pending keys dropped), which loses whatever was
// pasted after the first newline. Here `submit` hands the line to the REPL and empties the input instead.
// enquirer still decodes keys into editing actions (append, delete, cutLeft, ...), but drawing is done here,
// synchronously and always on one terminal row: a long input scrolls sideways (`width.ts`). So a redraw is
// "erase this row, write it again" in one write, which nothing can interleave with, and output printed above the
// prompt is "erase the row, write the lines, draw the prompt again", in one write too, however fast it arrives.

import {emitKeypressEvents} from 'node:readline'

import type {ReplInput, ReplOutput} from './types.js'

import {sanitize} from '../text/sanitize.js'
import {type Completion, complete as defaultComplete} from './complete.js'
import {Input, type Key} from './enquirer-input.js'
import {InputHistory} from './input-history.js'
import {BracketedPaste} from './paste.js'
import {displayWidth, fitLine} from './width.js'
import {codePoints, unitsAt, unitsBefore, wordLeft, wordRight} from './words.js'

const CSI = '\u001B['
/** Erase the whole row and go to its first column. */
export const CLEAR_LINE = `${CSI}2K${CSI}1G`
const CLEAR_SCREEN = `${CSI}H${CSI}2J`
/** Bracketed paste on and off: the terminal wraps pasted text in ESC[200~ … ESC[201~, which Node reports as keys. */
const PASTE_ON = `${CSI}?2004h`
const PASTE_OFF = `${CSI}?2004l`

export interface ChatPromptOptions {
  /** Shown before the input, e.g. `Julia>` (a space follows). Already sanitised. */
  label: string
  /** Colours the label; identity when colour is off. */
  paintLabel?: (label: string) => string
  stdin: ReplInput
  stdout: ReplOutput
  /** Lines for ↑/↓; an in-memory history by default. */
  history?: InputHistory
  /** Tab completion of the line at the cursor; commands only by default. */
  complete?: (text: string, cursor: number) => Completion
  /**
   * Whether a submitted line stays in the scrollback as `Julia> line`. Not for a line whose own output replaces it
   * (a message shows as `You: line`): it would show twice. Every line stays by default.
   */
  keepLine?: (line: string) => boolean
  /** Called with each submitted line, exactly as typed. */
  onLine(line: string): void
  /** Called once on Ctrl+C on an empty line, or Ctrl+D on an empty line. */
  onQuit(): void
  /** What a paste of several lines asks before they are sent (Enter sends, Esc or Ctrl+C cancels). */
  pasteQuestion(lines: number): string
  /** Said when such a paste is cancelled. */
  pasteCancelled: string
}

export class ChatPrompt extends Input {
  #label: string
  readonly #paintLabel: (label: string) => string
  readonly #onLine: (line: string) => void
  readonly #keepLine: (line: string) => boolean
  readonly #onQuit: () => void
  readonly #history: InputHistory
  readonly #complete: (text: string, cursor: number) => Completion
  /** index into the history while browsing with the arrows; its length means "the line being typed" */
  #historyIndex: number
  #draft = ''
  #disposed = false
  #quitted = false
  readonly #stdin: ReplInput
  #wasRaw = false
  #stopKeys: (() => void) | undefined
  #keys: Promise<unknown> = Promise.resolve()
  readonly #paste: BracketedPaste

  constructor(options: ChatPromptOptions) {
    super({name: 'line', message: options.label, stdin: options.stdin, stdout: options.stdout})
    this.#stdin = options.stdin
    this.#label = options.label
    this.#paintLabel = options.paintLabel ?? ((label) => label)
    this.#onLine = options.onLine
    this.#keepLine = options.keepLine ?? (() => true)
    this.#onQuit = options.onQuit
    this.#history = options.history ?? new InputHistory()
    this.#historyIndex = this.#history.lines.length
    this.#complete = options.complete ?? ((text, cursor) => defaultComplete(text, cursor))
    this.#paste = new BracketedPaste(
      {
        insert: (line) =>
          this.#replace(
            this.input.slice(0, this.cursor) + line + this.input.slice(this.cursor),
            this.cursor + line.length,
          ),
        say: (text) => this.printAbove(this.stdout, sanitize(text), (stream, data) => stream.write(data)),
        send: (line) => this.#onLine(line),
        render: () => this.render(),
        alert: () => this.alert(),
      },
      options.pasteQuestion,
      options.pasteCancelled,
    )
  }

  /** Starts reading keys and draws the prompt. Rejects if the terminal cannot be put in raw mode. */
  async open(): Promise<void> {
    this.#wasRaw = this.#stdin.isRaw ?? false
    await this.initialize()
  }

  get disposed(): boolean {
    return this.#disposed
  }

  get #live(): boolean {
    return !this.#disposed && !this.state.closed
  }

  /**
   * Prints `text` (one or more lines, no final newline) above the prompt and redraws the prompt with what was being
   * typed. For the prompt's own stream it is one write; for another stream (stderr on the same terminal) the
   * prompt is erased first and drawn after. `write` does the actual writing and may drop it (a broken stream).
   */
  printAbove(stream: ReplOutput, text: string, write: (stream: ReplOutput, data: string) => void): void {
    if (!this.#live) {
      write(stream, `${text}\n`)
      return
    }

    if (stream === this.stdout) {
      write(stream, `${CLEAR_LINE}${text}\n${this.#frame()}`)
      return
    }

    this.stdout.write(CLEAR_LINE)
    write(stream, `${text}\n`)
    this.stdout.write(this.#frame())
  }

  setLabel(label: string): void {
    this.#label = label
    void this.render()
  }

  /** Erases the prompt line and gives the terminal back (raw mode off, keypress listener removed). Idempotent. */
  dispose(): void {
    if (this.#disposed) return
    if (!this.state.closed) {
      this.stdout.write(CLEAR_LINE)
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
    const {stdout} = this
    emitKeypressEvents(stdin)
    stdin.setRawMode?.(true)
    const onKeypress = (input: string | undefined, key: Key | undefined): void => {
      this.#keys = this.#keys
        .then(() => this.keypress(input ?? '', key ?? {}))
        .catch(() => {
          // a failed key must not stop the following keys; the next render repaints the line
        })
    }

    const onResize = (): void => {
      void this.render()
    }

    stdin.on('keypress', onKeypress)
    stdout.on('resize', onResize)
    stdin.resume()
    stdout.write(PASTE_ON)
    this.#stopKeys = () => {
      stdin.off('keypress', onKeypress)
      stdout.off('resize', onResize)
      stdout.write(PASTE_OFF)
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

  /** Draws the prompt row: synchronous, one write. enquirer's editing actions call it after each change. */
  override render(): Promise<void> {
    if (this.#live) this.stdout.write(this.#frame())
    return Promise.resolve()
  }

  // The terminal's own cursor is used, never hidden: enquirer hides it through an exit hook that calls
  // process.exit() on SIGINT/SIGTERM, which would bypass the start command's graceful shutdown.
  override cursorHide(): void {}

  override async keypress(input: string, key: Key = {}): Promise<unknown> {
    if (this.#disposed) return undefined
    if (this.#paste.wants(key)) return this.#paste.keypress(input, key)
    // Alt+B / Alt+F (readline's), Ctrl+← / Ctrl+→ and Alt+← / Alt+→ (most terminals'): a word left or right.
    if ((key.meta && key.name === 'b') || ((key.ctrl || key.meta) && key.name === 'left')) {
      return this.#moveTo(wordLeft(this.input, this.cursor))
    }

    if ((key.meta && key.name === 'f') || ((key.ctrl || key.meta) && key.name === 'right')) {
      return this.#moveTo(wordRight(this.input, this.cursor))
    }

    if (key.ctrl && !key.meta) {
      switch (key.name) {
        // Ctrl+C clears a half-typed line; on an empty line it leaves, like Ctrl+D.
        case 'c': {
          return this.input === '' ? this.#quit() : this.#clearLine()
        }

        // Ctrl+D on an empty line means "end", as in a shell; on a non-empty line it keeps deleting forward.
        case 'd': {
          return this.input === '' ? this.#quit() : this.deleteForward()
        }

        case 'l': {
          this.stdout.write(CLEAR_SCREEN)
          return this.render()
        }

        case 'n': {
          return this.down()
        }

        case 'p': {
          return this.up()
        }

        case 'u': {
          return this.#replace(this.input.slice(this.cursor), 0)
        }
      }
    }

    if (key.name === 'tab') return key.shift ? this.alert() : this.#tab()
    if (key.name === 'home') return this.first()
    if (key.name === 'end') return this.last()
    // enquirer maps Escape to cancel; leaving a chat by a stray Escape would be a nasty surprise.
    if (key.name === 'escape') return undefined
    return super.keypress(input, key)
  }

  // Keep the prompt open: leave `Julia> /peers` in the scrollback (or nothing, for a message: its `You: text` line
  // takes the place, as in irssi), empty the input, redraw, then hand the line over.
  override async submit(): Promise<void> {
    const line = this.input
    if (this.#keepLine(line)) this.stdout.write(`${CLEAR_LINE}${this.#paintLabel(this.#label)} ${sanitize(line)}\n`)
    this.input = ''
    this.cursor = 0
    this.#history.add(line)
    this.#historyIndex = this.#history.lines.length
    this.#draft = ''
    await this.render()
    this.#onLine(line)
  }

  // Up/Down walk through the recalled lines, like a shell; what was being typed comes back below the newest.
  up(): Promise<void> | void {
    const {lines} = this.#history
    this.#historyIndex = Math.min(this.#historyIndex, lines.length)
    if (this.#historyIndex === 0) return this.alert()
    if (this.#historyIndex === lines.length) this.#draft = this.input
    this.#historyIndex -= 1
    return this.#replace(lines[this.#historyIndex])
  }

  down(): Promise<void> | void {
    const {lines} = this.#history
    if (this.#historyIndex >= lines.length) return this.alert()
    this.#historyIndex += 1
    return this.#replace(this.#historyIndex === lines.length ? this.#draft : lines[this.#historyIndex])
  }

  // enquirer's cursor moves count UTF-16 units; these move by code point, so an emoji is never cut in half.
  left(): Promise<void> | void {
    if (this.cursor <= 0) return this.alert()
    this.cursor -= unitsBefore(this.input, this.cursor)
    return this.render()
  }

  right(): Promise<void> | void {
    if (this.cursor >= this.input.length) return this.alert()
    this.cursor += unitsAt(this.input, this.cursor)
    return this.render()
  }

  first(): Promise<void> {
    this.cursor = 0
    return this.render()
  }

  // (enquirer's puts the cursor before the last character)
  last(): Promise<void> {
    this.cursor = this.input.length
    return this.render()
  }

  delete(): Promise<void> | void {
    if (this.cursor <= 0) return this.alert()
    const n = unitsBefore(this.input, this.cursor)
    return this.#replace(this.input.slice(0, this.cursor - n) + this.input.slice(this.cursor), this.cursor - n)
  }

  override deleteForward(): Promise<void> | void {
    if (this.cursor >= this.input.length) return this.alert()
    const n = unitsAt(this.input, this.cursor)
    return this.#replace(this.input.slice(0, this.cursor) + this.input.slice(this.cursor + n), this.cursor)
  }

  /** `Julia> ` and the visible part of the input, the cursor placed, on a freshly erased row. */
  #frame(): string {
    const label = this.#paintLabel(this.#label)
    const columns = this.stdout.columns && this.stdout.columns > 0 ? this.stdout.columns : 80
    // One column is left free at the end of the row, so the terminal never wraps to a new one.
    const room = columns - displayWidth(this.#label) - 1 - 1
    const shown = [...this.input].map((char) => sanitize(char) || '\uFFFD').join('')
    const view = fitLine(shown, codePoints(this.input, this.cursor), room)
    const back = displayWidth(view.text) - view.cursor
    return `${CLEAR_LINE}${label} ${view.text}${back > 0 ? `${CSI}${back}D` : ''}`
  }

  #moveTo(cursor: number): Promise<void> | void {
    if (cursor === this.cursor) return this.alert()
    this.cursor = cursor
    return this.render()
  }

  /** Empties the line and stops browsing the history, as Ctrl+C does in a shell. */
  #clearLine(): Promise<void> {
    this.#historyIndex = this.#history.lines.length
    this.#draft = ''
    return this.#replace('', 0)
  }

  #replace(text: string, cursor = text.length): Promise<void> {
    this.input = text
    this.cursor = cursor
    return this.render()
  }

  #tab(): Promise<void> | void {
    const result = this.#complete(this.input, this.cursor)
    if (result.text !== this.input || result.cursor !== this.cursor) return this.#replace(result.text, result.cursor)
    if (result.candidates.length < 2) return this.alert()
    // Tab could not decide: show what it could become, above the prompt, as a shell does.
    this.printAbove(this.stdout, result.candidates.map((c) => sanitize(c)).join('  '), (stream, data) =>
      stream.write(data),
    )
  }

  #quit(): void {
    if (this.#quitted) return
    this.#quitted = true
    this.dispose()
    this.#onQuit()
  }
}
