// The cool-down list (Hyperswarm's ban(), gossipsub's backoff): after a peer breaks the protocol — a room mismatch, a
// peer that does not speak the protocol, a forged signature, a flood — its address, node id and IP are not redialled
// and not let in again for a while. The period grows with each offence (1 min, 2, 4 … 1 h), so a node that can never
// get in costs one line and one attempt per period, not one every backoff tick. Bounded: least recently hit forgotten.

export const COOLDOWN_INITIAL_MS = 60_000
export const COOLDOWN_MAX_MS = 60 * 60_000
/** Offenders remembered (active or not: an expired entry keeps its strike count so the next period is longer). */
export const MAX_COOLDOWN_ENTRIES = 1024

/** Keys an offender is known by: `id:<node id>`, `addr:<host:port>` (where it listens or we dialled), `ip:<address>`. */
export type CooldownKey = `addr:${string}` | `id:${string}` | `ip:${string}`

export interface CooldownEntry {
  keys: CooldownKey[]
  /** The code of the offence (room_mismatch, bad_signature, flooding, …). */
  code: string
  /** A readable name for the offender: `Name (host:port)` or the socket address. */
  label: string
  /** ms since the epoch when the period ends. */
  until: number
  /** Offences so far: the period is initial × 2^(strikes − 1), capped. */
  strikes: number
}

export interface CooldownOptions {
  initialMs?: number
  maxMs?: number
  maxEntries?: number
  now?: () => number
}

export class Cooldown {
  readonly initialMs: number
  readonly maxMs: number
  readonly #maxEntries: number
  readonly #now: () => number
  /** Map order is the LRU order; several keys may point at one entry. */
  readonly #byKey = new Map<CooldownKey, CooldownEntry>()

  constructor(options: CooldownOptions = {}) {
    this.initialMs = options.initialMs ?? COOLDOWN_INITIAL_MS
    this.maxMs = options.maxMs ?? COOLDOWN_MAX_MS
    this.#maxEntries = options.maxEntries ?? MAX_COOLDOWN_ENTRIES
    this.#now = options.now ?? Date.now
  }

  /**
   * Records an offence by whoever these keys name. `fresh` is false when it was already cooling down (the same
   * offender again within its period: not worth another line); otherwise a new period starts, longer than the last.
   */
  add(keys: CooldownKey[], code: string, label: string): {entry: CooldownEntry; fresh: boolean} {
    const now = this.#now()
    const known = keys.map((key) => this.#byKey.get(key)).find((entry) => entry !== undefined)
    if (known && known.until > now) {
      this.#link(known, keys)
      return {entry: known, fresh: false}
    }

    const strikes = (known?.strikes ?? 0) + 1
    const entry: CooldownEntry = {keys: [], code, label, strikes, until: now + this.periodMs(strikes)}
    if (known) for (const key of known.keys) this.#byKey.delete(key)
    this.#link(entry, [...(known?.keys ?? []), ...keys])
    return {entry, fresh: true}
  }

  periodMs(strikes: number): number {
    return Math.min(this.maxMs, this.initialMs * 2 ** Math.min(Math.max(strikes - 1, 0), 30))
  }

  /** The entry cooling down under any of these keys, if its period has not ended. */
  active(...keys: CooldownKey[]): CooldownEntry | undefined {
    const now = this.#now()
    for (const key of keys) {
      const entry = this.#byKey.get(key)
      if (entry && entry.until > now) return entry
    }

    return undefined
  }

  /** Entries still cooling down, soonest to end first. */
  list(): CooldownEntry[] {
    const now = this.#now()
    const entries = new Set([...this.#byKey.values()].filter((entry) => entry.until > now))
    return [...entries].sort((a, b) => a.until - b.until).map((entry) => ({...entry, keys: [...entry.keys]}))
  }

  /** Forgets (period and strikes) the entries under these keys, or every entry; returns how many. */
  clear(...keys: CooldownKey[]): number {
    const entries = new Set(
      keys.length === 0 ? this.#byKey.values() : keys.map((key) => this.#byKey.get(key)).filter((e) => e !== undefined),
    )
    for (const entry of entries) for (const key of entry.keys) this.#byKey.delete(key)
    return entries.size
  }

  #link(entry: CooldownEntry, keys: CooldownKey[]): void {
    for (const key of keys) {
      if (!entry.keys.includes(key)) entry.keys.push(key)
      this.#byKey.delete(key) // re-inserted last: most recently hit
      this.#byKey.set(key, entry)
    }

    while (this.#byKey.size > this.#maxEntries) {
      const oldest = this.#byKey.values().next().value as CooldownEntry
      for (const key of oldest.keys) this.#byKey.delete(key)
    }
  }
}
