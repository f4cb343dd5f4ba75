// The message store: every accepted signed frame of the room (chat, /me, direct messages — sealed, so relays keep
// them too — and key announcements), kept for the retention window and sorted by (author timestamp, id), the order
// range-based reconciliation works in. In memory only: the engine writes no files; the caller persists what
// `add` accepted and hands it back with `load` on the next start.

/** How long frames are kept (and the replay window: an id older than this is refused, not re-accepted). */
export const DEFAULT_RETENTION_MS = 7 * 24 * 60 * 60 * 1000
/** Most frames kept; past it the oldest go first. */
export const DEFAULT_MAX_STORED = 10_000
/** The hard ceiling on --store-max, whatever a user asks for: memory and reconciliation cost grow with it. */
export const MAX_STORED_CEILING = 100_000

export type StoredKind = 'announce' | 'chat' | 'dm'

/** A signed frame as stored: its id and author time (from the payload), and the exact bytes the author signed. */
export interface StoredFrame {
  id: string
  ts: number
  kind: StoredKind
  payload: string
  sig: string
}

/** What reconciliation sees of a stored frame. */
export interface StoreKey {
  ts: number
  id: string
}

export interface MessageStoreOptions {
  retentionMs?: number
  maxMessages?: number
  now?: () => number
}

/** Orders by author time, then id: the same total order at every node. */
export function compareKeys(a: StoreKey, b: StoreKey): number {
  if (a.ts !== b.ts) return a.ts < b.ts ? -1 : 1
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}

export class MessageStore {
  readonly retentionMs: number
  readonly maxMessages: number
  readonly #now: () => number
  /** Sorted by (ts, id); inserts are mostly at the end (live messages), so a splice rarely moves much. */
  readonly #items: StoredFrame[] = []
  readonly #byId = new Map<string, StoredFrame>()

  constructor(options: MessageStoreOptions = {}) {
    this.retentionMs = options.retentionMs ?? DEFAULT_RETENTION_MS
    this.maxMessages = Math.min(options.maxMessages ?? DEFAULT_MAX_STORED, MAX_STORED_CEILING)
    this.#now = options.now ?? Date.now
    if (!(this.retentionMs > 0) || !(this.maxMessages >= 1))
      throw new RangeError('a store needs a positive retention and room for one frame')
  }

  get size(): number {
    this.#expire()
    return this.#items.length
  }

  /** True if the frame with this id is held: a duplicate within retention. */
  has(id: string): boolean {
    return this.#byId.has(id)
  }

  get(id: string): StoredFrame | undefined {
    return this.#byId.get(id)
  }

  /**
   * The oldest author time still accepted: `now - retention`, or, when the store is full, just after its oldest
   * frame (older frames would be evicted at once, and their ids are no longer remembered as duplicates).
   */
  horizon(): number {
    this.#expire()
    const byAge = this.#now() - this.retentionMs
    if (this.#items.length < this.maxMessages) return byAge
    return Math.max(byAge, this.#items[0].ts)
  }

  /** Keeps `frame`; false if it was already held or is older than the horizon. */
  add(frame: StoredFrame): boolean {
    if (this.#byId.has(frame.id) || frame.ts < this.horizon()) return false
    const item = {...frame}
    this.#items.splice(this.#insertionPoint(item), 0, item)
    this.#byId.set(item.id, item)
    while (this.#items.length > this.maxMessages) this.#byId.delete(this.#items.shift()!.id)
    return true
  }

  /** Forgets one frame (an announcement superseded by a newer one of the same node). */
  delete(id: string): void {
    const item = this.#byId.get(id)
    if (!item) return
    this.#byId.delete(id)
    const at = this.#insertionPoint(item)
    if (this.#items[at] === item) this.#items.splice(at, 1)
  }

  /** Loads frames kept by an earlier run (any order); returns how many were kept. */
  load(frames: Iterable<StoredFrame>): number {
    let kept = 0
    for (const frame of frames) if (this.add(frame)) kept++
    return kept
  }

  /** Every held frame, oldest first. The array is a copy; the frames are not (treat them as read-only). */
  all(): StoredFrame[] {
    this.#expire()
    return [...this.#items]
  }

  /** The (ts, id) keys in order: what a reconciliation session works on. */
  keys(): StoreKey[] {
    this.#expire()
    return this.#items.map(({id, ts}) => ({id, ts}))
  }

  #insertionPoint(key: StoreKey): number {
    let lo = 0
    let hi = this.#items.length
    // Fast path: a live message is the newest.
    if (hi === 0 || compareKeys(this.#items[hi - 1], key) < 0) return hi
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (compareKeys(this.#items[mid], key) < 0) lo = mid + 1
      else hi = mid
    }

    return lo
  }

  #expire(): void {
    const cutoff = this.#now() - this.retentionMs
    let n = 0
    while (n < this.#items.length && this.#items[n].ts < cutoff) this.#byId.delete(this.#items[n++].id)
    if (n > 0) this.#items.splice(0, n)
  }
}
