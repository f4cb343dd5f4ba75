// Flooding: each chat message is remembered in a bounded seen-cache and forwarded to every peer except the one it
// came from. The cache is what makes cycles (A–B–C–A) safe: a message seen before is dropped, not shown again.

import {MAX_CLOCK_SKEW_MS, MAX_MESSAGE_AGE_MS} from './message-auth.js'

export const SEEN_CACHE_MAX_ENTRIES = 100_000
export const SEEN_CACHE_TTL_MS = 10 * 60 * 1000
/**
 * Ids younger than this are never evicted to make room: a message is accepted for MAX_MESSAGE_AGE_MS (plus the
 * clock skew), so forgetting its id sooner would let a replay of it be shown again. A full cache of young ids
 * refuses new ones instead (`hasRoom()`), and the node drops the new message rather than forget an old one.
 */
export const SEEN_CACHE_PROTECT_MS = MAX_MESSAGE_AGE_MS + MAX_CLOCK_SKEW_MS

export interface SeenCacheOptions {
  maxEntries?: number
  ttlMs?: number
  protectMs?: number
  now?: () => number
}

/**
 * A set of message ids bounded by count and by age; callers that add received ids check `hasRoom()` first, so no id
 * inside the acceptance window is evicted to make room. Not lru-cache: it allocates room for all `max` entries up
 * front (~4 MB at 100,000 ids), which hundreds of in-process nodes (the bench) cannot afford.
 */
export class SeenCache {
  readonly maxEntries: number
  readonly ttlMs: number
  readonly protectMs: number
  readonly #now: () => number
  // Map keeps insertion order, so the first entry is always the oldest.
  readonly #seen = new Map<string, number>()

  constructor(options: SeenCacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? SEEN_CACHE_MAX_ENTRIES
    this.ttlMs = options.ttlMs ?? SEEN_CACHE_TTL_MS
    this.protectMs = Math.min(options.protectMs ?? SEEN_CACHE_PROTECT_MS, this.ttlMs)
    this.#now = options.now ?? Date.now
    if (!(this.maxEntries >= 1)) throw new RangeError('seen-cache needs room for at least one id')
  }

  get size(): number {
    return this.#seen.size
  }

  has(id: string): boolean {
    this.#expire()
    return this.#seen.has(id)
  }

  /**
   * True when a new id can be added without forgetting one still inside the acceptance window: the cache is not
   * full, or its oldest id is older than `protectMs`. Received messages are accepted only then.
   */
  hasRoom(): boolean {
    this.#expire()
    if (this.#seen.size < this.maxEntries) return true
    const oldest = this.#seen.values().next().value
    return oldest !== undefined && oldest <= this.#now() - this.protectMs
  }

  /**
   * Remembers `id`; returns false if it was already there (a duplicate to drop). Past `maxEntries` the oldest id is
   * forgotten: callers adding a received message check `hasRoom()` first, so that is never a young one.
   */
  add(id: string): boolean {
    this.#expire()
    if (this.#seen.has(id)) return false
    this.#seen.set(id, this.#now())
    if (this.#seen.size > this.maxEntries) {
      const oldest = this.#seen.keys().next().value
      if (oldest !== undefined) this.#seen.delete(oldest)
    }

    return true
  }

  clear(): void {
    this.#seen.clear()
  }

  #expire(): void {
    const cutoff = this.#now() - this.ttlMs
    for (const [id, at] of this.#seen) {
      if (at > cutoff) break
      this.#seen.delete(id)
    }
  }
}

/** Whom to forward a message to: every connected peer but the hop it arrived from. */
export function relayTargets<T>(peers: Iterable<T>, cameFrom: T | undefined): T[] {
  const out: T[] = []
  for (const peer of peers) if (peer !== cameFrom) out.push(peer)
  return out
}
