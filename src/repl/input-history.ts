// The lines typed at the prompt, for ↑/↓, kept across sessions in one small file per node name. Bounded: the file
// holds at most MAX_INPUT_HISTORY lines and is rewritten whole (temporary file + rename), so it never grows and a
// crash mid-write leaves the previous version. Synchronous on purpose: a few kB per Enter, and a line typed just
// before Ctrl+D is on disk before the process starts shutting down.

import {createHash} from 'node:crypto'
import {closeSync, mkdirSync, openSync, readSync, renameSync, statSync, unlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {isPrivateLine, isQuitLine} from './commands.js'

export const MAX_INPUT_HISTORY = 500
/** Longer lines (a huge paste) are not kept: recalling them is unlikely to help and they would bloat the file. */
export const MAX_INPUT_LINE_CHARS = 8000
/** Only the end of a larger file is read (someone else's file, or a future format): loading stays cheap. */
const MAX_FILE_BYTES = 1024 * 1024

/**
 * The history file for a node name. Names are encoded so any name (`../x`, `a/b`, emoji) is one plain file name;
 * long encodings are shortened with a hash so the name stays within file system limits.
 */
export function inputHistoryPath(dir: string, name: string): string {
  let safe = encodeURIComponent(name).replaceAll('*', '%2A')
  if (safe === '' || safe.startsWith('.')) safe = `_${safe}`
  if (safe.length > 100) safe = `${safe.slice(0, 60)}-${createHash('sha256').update(name).digest('hex').slice(0, 16)}`
  return join(dir, 'input-history', `${safe}.jsonl`)
}

/** Whether a submitted line is worth recalling: not blank, not too long, and not a /quit (↑ Enter would leave). */
export function isRecallable(line: string): boolean {
  return line.trim() !== '' && line.length <= MAX_INPUT_LINE_CHARS && !isQuitLine(line)
}

/**
 * `lines` with `line` added as the newest entry. A line typed again moves to the end instead of being stored
 * twice, so the bounded history holds as many different lines as it can. Lines not worth recalling are ignored.
 */
export function remember(lines: readonly string[], line: string, max = MAX_INPUT_HISTORY): string[] {
  if (!isRecallable(line)) return [...lines]
  return [...lines.filter((old) => old !== line), line].slice(-max)
}

/** The file's format: one JSON string per line, oldest first. */
export function serializeHistory(lines: readonly string[]): string {
  return lines.map((line) => `${JSON.stringify(line)}\n`).join('')
}

/** Whether a line may be written to the file: a /msg line never is (it names whom and what was said in private). */
export function isStorable(line: string): boolean {
  return isRecallable(line) && !isPrivateLine(line)
}

/**
 * Reads the file's text back, skipping anything that is not a JSON string (a cut line, garbage) and any /msg line
 * (an older version stored them), newest `max` kept.
 */
export function parseHistory(text: string, max = MAX_INPUT_HISTORY): string[] {
  const lines: string[] = []
  for (const raw of text.split('\n')) {
    if (raw === '') continue
    try {
      const value: unknown = JSON.parse(raw)
      if (typeof value === 'string' && isStorable(value)) lines.push(value)
    } catch {
      // a line cut by a crash or written by something else: skip it
    }
  }

  return lines.slice(-max)
}

/** True when the file holds a /msg line (written by an older version): it is then rewritten without them. */
function holdsPrivateLines(text: string): boolean {
  return text.split('\n').some((raw) => {
    try {
      const value: unknown = JSON.parse(raw)
      return typeof value === 'string' && isPrivateLine(value)
    } catch {
      return false
    }
  })
}

function readTail(path: string): string {
  const fd = openSync(path, 'r')
  try {
    const {size} = statSync(path)
    const length = Math.min(size, MAX_FILE_BYTES)
    const buffer = Buffer.alloc(length)
    const read = readSync(fd, buffer, 0, length, size - length)
    return buffer.subarray(0, read).toString('utf8')
  } finally {
    closeSync(fd)
  }
}

/** The lines in the file; [] when there is no file yet. Throws other fs errors. */
export function loadHistoryFile(path: string, max = MAX_INPUT_HISTORY): string[] {
  return loadText(path, max).lines
}

function loadText(path: string, max: number): {lines: string[]; private: boolean} {
  let text: string
  try {
    text = readTail(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {lines: [], private: false}
    throw error
  }

  return {lines: parseHistory(text, max), private: holdsPrivateLines(text)}
}

/** Replaces the file's content atomically (private: typed lines may be private). Throws fs errors. */
export function saveHistoryFile(path: string, lines: readonly string[]): void {
  mkdirSync(join(path, '..'), {recursive: true, mode: 0o700})
  const temporary = `${path}.${process.pid}.${Date.now()}.tmp`
  try {
    writeFileSync(temporary, serializeHistory(lines), {mode: 0o600})
    renameSync(temporary, path)
  } catch (error) {
    try {
      unlinkSync(temporary)
    } catch {
      // never created
    }

    throw error
  }
}

/**
 * The recall list of one prompt. In memory only without a file. With one, each added line is merged into what is
 * on disk at that moment, so two sessions under the same name both keep their lines. /msg lines are recalled in this
 * session but never written: a file left behind must not hold private messages.
 */
export class InputHistory {
  #lines: string[]
  readonly #path: string | undefined
  readonly #max: number
  readonly #onProblem: (message: string) => void
  #reported = false

  /** Loads the file when `path` is given; a file that cannot be read is reported and the history starts empty. */
  constructor(options: {path?: string; max?: number; onProblem?: (message: string) => void} = {}) {
    this.#path = options.path
    this.#max = options.max ?? MAX_INPUT_HISTORY
    this.#onProblem = options.onProblem ?? (() => {})
    this.#lines = []
    if (this.#path === undefined) return
    try {
      const loaded = loadText(this.#path, this.#max)
      this.#lines = loaded.lines
      // An older version kept /msg lines: rewrite the file without them.
      if (loaded.private) saveHistoryFile(this.#path, loaded.lines)
    } catch (error) {
      this.#problem(error)
    }
  }

  /** Oldest first. */
  get lines(): readonly string[] {
    return this.#lines
  }

  add(line: string): void {
    if (!isRecallable(line)) return
    this.#lines = remember(this.#lines, line, this.#max)
    if (this.#path === undefined || !isStorable(line)) return
    try {
      saveHistoryFile(this.#path, remember(loadHistoryFile(this.#path, this.#max), line, this.#max))
    } catch (error) {
      this.#problem(error)
    }
  }

  // One report per session: a read-only data directory should not print a warning on every Enter.
  #problem(error: unknown): void {
    if (this.#reported) return
    this.#reported = true
    this.#onProblem(error instanceof Error ? error.message : String(error))
  }
}
