// The engine's one backoff scheme: a delay doubling from an initial value up to a ceiling, optionally moved by a
// random jitter. Redialling a peer the user asked for (--join, /connect) uses 0.5 s doubling to 30 s, each delay
// moved by up to ±20 % so that many nodes that lost the same peer do not redial in lockstep; the mesh's retries of
// peers it heard of use it without jitter.

export const BACKOFF_INITIAL_MS = 500
export const BACKOFF_MAX_MS = 30_000
export const BACKOFF_JITTER = 0.2

export interface BackoffShape {
  initialMs: number
  maxMs: number
  /** The largest fraction a delay is moved by, either way (0: none, and `random` is not called). */
  jitter?: number
  random?: () => number
}

/** The delay before retry number `attempt` (0 for the first): `initialMs · 2^attempt`, at most `maxMs`. */
export function backoffDelay(
  attempt: number,
  {initialMs, jitter = 0, maxMs, random = Math.random}: BackoffShape,
): number {
  const base = Math.min(maxMs, initialMs * 2 ** attempt)
  if (jitter === 0) return base
  return Math.round(Math.min(maxMs, base * (1 + jitter * (2 * random() - 1))))
}

/** The attempts at one thing: each failure waits longer, a success starts over. */
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
    const delay = backoffDelay(this.#attempt, {
      initialMs: this.initialMs,
      maxMs: this.maxMs,
      jitter: BACKOFF_JITTER,
      random: this.#random,
    })
    this.#attempt++
    return delay
  }

  /** After a success: the next failure starts from the initial delay again. */
  reset(): void {
    this.#attempt = 0
  }
}
