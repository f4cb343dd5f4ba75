// The authors this user chose not to see (/ignore): their messages are not shown, logged or notified here — still
// relayed, so each user decides for themselves. Kept per identity in a small file beside the identity key, so a node
// restarted with the same identity ignores the same people. Bounded; rewritten whole (temporary file + rename), 0600.

import {mkdirSync, readFileSync, renameSync, writeFileSync} from 'node:fs'
import {dirname} from 'node:path'

import type {IgnoreFileProblem} from './i18n-cli.js'

/** Authors one node can ignore; the file is a few dozen kB at most. */
export const MAX_IGNORED = 1000
const MAX_FILE_BYTES = 256 * 1024
const MAX_NAME_CHARS = 64

export interface IgnoredAuthor {
  /** The author's node id (its Ed25519 public key): names are chosen, keys are not. */
  id: string
  /** The name it used when ignored, to show and complete. */
  name: string
}

/** The ignore file of an identity file: `node-5000.pem` → `node-5000.ignored.json`, in the same directory. */
export function ignoreListPath(identityFile: string): string {
  return `${identityFile.replace(/\.pem$/i, '')}.ignored.json`
}

/** What went wrong with the ignore file, for the caller to word in the reader's language. */
export interface IgnoreProblem {
  kind: IgnoreFileProblem
  path: string
  reason: string
}

export class IgnoreList {
  readonly #path: string | undefined
  readonly #onProblem: (problem: IgnoreProblem) => void
  readonly #authors = new Map<string, string>()
  /** Messages hidden since the start of this session. */
  hidden = 0

  /** Reads `path` when given (a missing file is an empty list; a damaged one is reported and replaced on the next change). */
  constructor(options: {onProblem?: (problem: IgnoreProblem) => void; path?: string} = {}) {
    this.#path = options.path
    this.#onProblem = options.onProblem ?? (() => {})
    if (this.#path !== undefined) this.#load(this.#path)
  }

  get size(): number {
    return this.#authors.size
  }

  has(id: string): boolean {
    return this.#authors.has(id)
  }

  /** Oldest first. */
  list(): IgnoredAuthor[] {
    return [...this.#authors].map(([id, name]) => ({id, name}))
  }

  /** False when already ignored, or when the list is full. */
  add(author: IgnoredAuthor): boolean {
    if (this.#authors.has(author.id) || this.#authors.size >= MAX_IGNORED) return false
    this.#authors.set(author.id, author.name.slice(0, MAX_NAME_CHARS))
    this.#save()
    return true
  }

  remove(id: string): boolean {
    if (!this.#authors.delete(id)) return false
    this.#save()
    return true
  }

  #load(path: string): void {
    let text: string
    try {
      text = readFileSync(path, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
        this.#onProblem({kind: 'read', path, reason: (error as Error).message})
      return
    }

    try {
      if (text.length > MAX_FILE_BYTES) throw new Error('too large')
      const data = JSON.parse(text) as {ignored?: unknown}
      if (!Array.isArray(data.ignored)) throw new Error('no "ignored" list')
      for (const item of data.ignored.slice(0, MAX_IGNORED) as Array<Partial<IgnoredAuthor>>) {
        if (typeof item?.id === 'string' && item.id.length <= 128 && typeof item.name === 'string') {
          this.#authors.set(item.id, item.name.slice(0, MAX_NAME_CHARS))
        }
      }
    } catch (error) {
      this.#onProblem({kind: 'corrupt', path, reason: (error as Error).message})
    }
  }

  // Synchronous, like the input history: a few kB, and an /ignore typed just before /quit is on disk.
  #save(): void {
    if (this.#path === undefined) return
    const temporary = `${this.#path}.${process.pid}.tmp`
    try {
      mkdirSync(dirname(this.#path), {recursive: true, mode: 0o700})
      writeFileSync(temporary, `${JSON.stringify({ignored: this.list()}, undefined, 2)}\n`, {mode: 0o600})
      renameSync(temporary, this.#path)
    } catch (error) {
      this.#onProblem({kind: 'save', path: this.#path, reason: (error as Error).message})
    }
  }
}
