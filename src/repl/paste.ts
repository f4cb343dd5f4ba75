// Bracketed paste at the prompt: the terminal wraps pasted text in ESC[200~ … ESC[201~, which Node reports as the
// keys `paste-start` and `paste-end`. One line pasted goes into the input, to be edited and sent with Enter, as in a
// shell. Several lines are held, and the prompt asks first: pasting a block into a chat by mistake should not send a
// screenful of messages.

import type {Key} from './enquirer-input.js'

/** A paste longer than this is cut (the rest is dropped): it would be 4,000-character messages anyway. */
const MAX_PASTE_CHARS = 100_000

/** What a paste needs from its prompt. */
export interface PasteHost {
  /** Puts one pasted line into the input at the cursor. */
  insert(line: string): Promise<void>
  /** Says something above the prompt. */
  say(text: string): void
  /** Sends a line as if typed and submitted. */
  send(line: string): void
  render(): Promise<void>
  alert(): void
}

export class BracketedPaste {
  readonly #prompt: PasteHost
  readonly #question: (lines: number) => string
  readonly #cancelled: string
  /** Text being pasted (between ESC[200~ and ESC[201~), or undefined. */
  #text: string | undefined
  /** A pasted block of several lines waiting for Enter (send) or Esc (cancel). */
  #pending: string[] | undefined

  constructor(prompt: PasteHost, question: (lines: number) => string, cancelled: string) {
    this.#prompt = prompt
    this.#question = question
    this.#cancelled = cancelled
  }

  /** True when `key` is the paste's: its start, a key inside it, or the answer to its question. */
  wants(key: Key): boolean {
    return key.name === 'paste-start' || this.#text !== undefined || this.#pending !== undefined
  }

  keypress(input: string, key: Key): Promise<void> | void {
    if (key.name === 'paste-start') {
      this.#text = ''
      return undefined
    }

    if (this.#text !== undefined) return this.#pasting(input, key)
    return this.#answer(key)
  }

  /** A key inside a bracketed paste: collected, Enter included, until the paste ends. */
  #pasting(input: string, key: Key): Promise<void> | undefined {
    if (key.name === 'paste-end') {
      const text = this.#text ?? ''
      this.#text = undefined
      return this.#pasted(text)
    }

    const char = key.name === 'return' || key.name === 'enter' ? '\n' : input
    if (this.#text !== undefined && this.#text.length < MAX_PASTE_CHARS) this.#text += char
    return undefined
  }

  #pasted(text: string): Promise<void> | undefined {
    const lines = text.split(/\r\n|\r|\n/).filter((line) => line.trim() !== '')
    if (lines.length <= 1) return this.#prompt.insert(lines[0] ?? '')
    this.#pending = lines
    this.#prompt.say(this.#question(lines.length))
    return undefined
  }

  /** Enter sends the held lines, each as a message (a pasted "/quit" is text, not a command); Esc or Ctrl+C drops them. */
  #answer(key: Key): Promise<void> | void {
    const lines = this.#pending ?? []
    if (key.name === 'return' || key.name === 'enter') {
      this.#pending = undefined
      for (const line of lines) this.#prompt.send(line.startsWith('/') ? `/${line}` : line)
      return this.#prompt.render()
    }

    if (key.name === 'escape' || (key.ctrl && key.name === 'c')) {
      this.#pending = undefined
      this.#prompt.say(this.#cancelled)
      return undefined
    }

    return this.#prompt.alert()
  }
}
