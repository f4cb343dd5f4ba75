// Exponential backoff with jitter for redialling a peer the user asked for (--join, /connect): 0.5 s doubling to
// 30 s, each delay moved by up to ±20 % so that many nodes that lost the same peer do not redial in lockstep.

export const BACKOFF_INITIAL_MS = 500
export const BACKOFF_MAX_MS = 30_000
export const BACKOFF_JITTER = 0.2

export class Backoff {
  readonly initialMs: number
  readonly maxMs: number
  readonly #random: () => number
  #attempt = 0

  constructor(options: {initialMs?: number; maxMs?: number; random?: () => number} = {}) {
    this.initialMs = options.initialMs ?? BACKOFF_INITIAL_MS
    this.maxMs = options.maxMs ?? BACKOFF_MAX_MS
    this.#random = options.random ?? Math.random
  }

  get attempts(): number {
    return this.#attempt
  }

  /** The delay before the next attempt; each call doubles the base, up to the maximum. */
  next(): number {
    const base = Math.min(this.maxMs, this.initialMs * 2 ** this.#attempt)
    this.#attempt++
    const jitter = 1 + BACKOFF_JITTER * (2 * this.#random() - 1)
    return Math.round(Math.min(this.maxMs, base * jitter))
  }

  /** After a success: the next failure starts from the initial delay again. */
  reset(): void {
    this.#attempt = 0
  }
}
