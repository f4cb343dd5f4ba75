// Token buckets: a steady rate with room for bursts. The clock is injectable so tests need no sleeps.

export class TokenBucket {
  readonly ratePerSecond: number
  readonly burst: number
  #tokens: number
  #last: number
  readonly #now: () => number

  constructor(ratePerSecond: number, burst: number, now: () => number = Date.now) {
    this.ratePerSecond = ratePerSecond
    this.burst = burst
    this.#tokens = burst
    this.#now = now
    this.#last = now()
  }

  /** Takes one token; false when the bucket is empty (the caller drops or refuses). */
  take(): boolean {
    const now = this.#now()
    this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#last) / 1000) * this.ratePerSecond)
    this.#last = now
    if (this.#tokens < 1) return false
    this.#tokens -= 1
    return true
  }

  /** Tokens left after the last `take()` (not refilled since). */
  get remaining(): number {
    return this.#tokens
  }
}

/**
 * One bucket per key (an author, an IP), with a bounded number of keys: the least recently used is forgotten. A Map
 * rather than lru-cache, which would allocate room for all 10,000 keys up front in every node.
 */
export class KeyedRateLimiter {
  readonly #buckets = new Map<string, TokenBucket>()
  readonly #rate: number
  readonly #burst: number
  readonly #maxKeys: number
  readonly #now: () => number

  constructor(ratePerSecond: number, burst: number, maxKeys = 10_000, now: () => number = Date.now) {
    this.#rate = ratePerSecond
    this.#burst = burst
    this.#maxKeys = maxKeys
    this.#now = now
  }

  get size(): number {
    return this.#buckets.size
  }

  take(key: string): boolean {
    let bucket = this.#buckets.get(key)
    if (bucket) {
      this.#buckets.delete(key) // re-insert: Map order is the LRU order
    } else {
      bucket = new TokenBucket(this.#rate, this.#burst, this.#now)
      if (this.#buckets.size >= this.#maxKeys) this.#buckets.delete(this.#buckets.keys().next().value as string)
    }

    this.#buckets.set(key, bucket)
    return bucket.take()
  }
}
