// Flooding: each chat message is remembered in a bounded seen-cache and forwarded to every peer except the one it
// came from. The cache is what makes cycles (A–B–C–A) safe: a message seen before is dropped, not shown again.

export const SEEN_CACHE_MAX_ENTRIES = 100_000
export const SEEN_CACHE_TTL_MS = 10 * 60 * 1000

export interface SeenCacheOptions {
  maxEntries?: number
  ttlMs?: number
  now?: () => number
}

/**
 * A set of message ids bounded by count (oldest evicted first) and by age. Not lru-cache: it allocates room for all
 * `max` entries up front (~4 MB at 100,000 ids), which hundreds of in-process nodes (the bench) cannot afford.
 */
export class SeenCache {
  readonly maxEntries: number
  readonly ttlMs: number
  readonly #now: () => number
  // Map keeps insertion order, so the first entry is always the oldest.
  readonly #seen = new Map<string, number>()

  constructor(options: SeenCacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? SEEN_CACHE_MAX_ENTRIES
    this.ttlMs = options.ttlMs ?? SEEN_CACHE_TTL_MS
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

  /** Remembers `id`; returns false if it was already there (a duplicate to drop). */
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
