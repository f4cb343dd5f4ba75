// Range-based set reconciliation (Aljoscha Meyer, "Range-Based Set Reconciliation", 2023; the Negentropy protocol of
// Nostr's NIP-77). Both sides sort their frames by (author time, id). The initiator sends fingerprints of ranges of
// that order; a side whose fingerprint of a range differs splits it into buckets with their own fingerprints, or,
// once a range is small, lists its ids. Equal ranges are skipped. The initiator ends up with the ids it has that the
// other lacks (`have`) and those it lacks (`need`); the responder keeps no state between rounds.
//
// Pure: no sockets, no clocks. The cost is O(d · log(n)) ranges for d differences among n frames, in O(log n) rounds.

import {createHash} from 'node:crypto'

import type {StoreKey} from './store.js'

import {MAX_SYNC_IDS, MAX_SYNC_RANGES, type SyncRange} from '../protocol.js'

/** A range differing is split into this many buckets. */
export const SYNC_BUCKETS = 8
/** A range with at most this many frames is sent as its list of ids rather than split. */
export const SYNC_ID_LIST_THRESHOLD = 2 * SYNC_BUCKETS

/** A round is cut (the rest summed up in one fingerprint) before its encoding could pass this: under one frame. */
export const SYNC_FRAME_BUDGET_BYTES = 56_000
/** The most one incoming range can add to a round: a list of ids or the buckets, with their bounds. */
const WORST_STEP_BYTES = Math.max(SYNC_BUCKETS * 80, SYNC_ID_LIST_THRESHOLD * 35 + 80) + 2 * 80

type Bound = [ts: number | null, id: string]
const END: Bound = [null, '']
const MASK = (1n << 128n) - 1n

export interface ReconcileStep {
  /** The next round to send; empty when the initiator is done (a responder always answers, maybe with nothing). */
  ranges: SyncRange[]
  /** Initiator only: ids I hold that the other side lacks. */
  have: string[]
  /** Initiator only: ids the other side holds that I lack. */
  need: string[]
}

export class Reconciler {
  readonly role: 'initiator' | 'responder'
  readonly #keys: StoreKey[]
  /** prefix[i] = sum of the first i ids as 128-bit numbers: any range's sum in O(1). */
  readonly #prefix: bigint[]
  readonly #maxRanges: number
  readonly #maxIds: number
  readonly #maxBytes: number

  /** `keys` sorted by (ts, id), as MessageStore.keys() returns them. */
  constructor(
    keys: StoreKey[],
    role: 'initiator' | 'responder',
    limits: {maxBytes?: number; maxIds?: number; maxRanges?: number} = {},
  ) {
    this.role = role
    this.#keys = keys
    this.#prefix = Array.from({length: keys.length + 1})
    this.#prefix[0] = 0n
    for (const [i, key] of keys.entries()) this.#prefix[i + 1] = (this.#prefix[i] + idValue(key.id)) & MASK
    this.#maxRanges = limits.maxRanges ?? MAX_SYNC_RANGES
    this.#maxIds = limits.maxIds ?? MAX_SYNC_IDS
    this.#maxBytes = limits.maxBytes ?? SYNC_FRAME_BUDGET_BYTES
  }

  /** The first round: my whole set, split (or listed, if small). */
  initiate(): SyncRange[] {
    if (this.role !== 'initiator') throw new Error('only the initiator starts a reconciliation')
    const out = new Output()
    this.#describe(out, END, 0, this.#keys.length)
    return out.ranges
  }

  /** Answers one round of the other side. The ranges were checked by the decoder (ordered, bounded). */
  reconcile(incoming: SyncRange[]): ReconcileStep {
    const out = new Output()
    const have: string[] = []
    const need: string[] = []
    let lo = 0
    for (const range of incoming) {
      const upper: Bound = [range[0], range[1]]
      const hi = this.#lowerIndex(upper, lo)
      // Near the frame limits: one fingerprint for everything left, and the other side goes on from there.
      if (
        out.ranges.length + SYNC_BUCKETS + 2 > this.#maxRanges ||
        out.ids + SYNC_ID_LIST_THRESHOLD > this.#maxIds ||
        out.bytes + WORST_STEP_BYTES > this.#maxBytes
      ) {
        out.push([null, '', this.#fingerprint(lo, this.#keys.length)])
        return {ranges: out.ranges, have, need}
      }

      const data = range[2]
      if (data === undefined) {
        out.skip(upper)
      } else if (typeof data === 'string') {
        if (data === this.#fingerprint(lo, hi)) out.skip(upper)
        else this.#describe(out, upper, lo, hi)
      } else if (this.role === 'initiator') {
        // Their complete list for this range: the difference is settled here.
        const theirs = new Set(data)
        for (let i = lo; i < hi; i++) {
          const {id} = this.#keys[i]
          if (!theirs.delete(id)) have.push(id)
        }

        need.push(...theirs)
        out.skip(upper)
      } else {
        // The initiator listed its ids; answer with mine (or buckets, if I have many) so it can tell the difference.
        this.#describe(out, upper, lo, hi)
      }

      lo = hi
    }

    // Ranges not covered by the other side (it stopped early) are left for a later round of its own.
    return {ranges: out.ranges, have, need}
  }

  /** Describes my frames [lo, hi) of the range ending at `upper`: their id list when few, else buckets. */
  #describe(out: Output, upper: Bound, lo: number, hi: number): void {
    const count = hi - lo
    if (count <= SYNC_ID_LIST_THRESHOLD) {
      const ids = this.#keys
        .slice(lo, hi)
        .map((key) => key.id)
        .sort()
      out.push([upper[0], upper[1], ids], ids.length)
      return
    }

    const per = Math.floor(count / SYNC_BUCKETS)
    const extra = count % SYNC_BUCKETS
    let start = lo
    for (let b = 0; b < SYNC_BUCKETS; b++) {
      const end = start + per + (b < extra ? 1 : 0)
      const bound = b === SYNC_BUCKETS - 1 ? upper : minimalBound(this.#keys[end - 1], this.#keys[end])
      out.push([bound[0], bound[1], this.#fingerprint(start, end)])
      start = end
    }
  }

  #fingerprint(lo: number, hi: number): string {
    const sum = (this.#prefix[hi] - this.#prefix[lo]) & MASK
    const bytes = Buffer.alloc(24)
    for (let i = 0; i < 16; i++) bytes[i] = Number((sum >> BigInt(8 * i)) & 0xffn)
    bytes.writeBigUInt64LE(BigInt(hi - lo), 16)
    return createHash('sha256').update(bytes).digest().subarray(0, 16).toString('base64url')
  }

  /** The first index at or after `from` whose key is not below `bound`. */
  #lowerIndex(bound: Bound, from: number): number {
    let lo = from
    let hi = this.#keys.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (keyBelow(this.#keys[mid], bound)) lo = mid + 1
      else hi = mid
    }

    return lo
  }
}

/** The ranges of one round: consecutive skips merge, a trailing skip is dropped. */
class Output {
  readonly ranges: SyncRange[] = []
  ids = 0
  /** An upper estimate of the encoded size (absolute times are longer than the deltas sent). */
  bytes = 0
  #pendingSkip: Bound | undefined

  skip(bound: Bound): void {
    this.#pendingSkip = bound
  }

  push(range: SyncRange, ids = 0): void {
    if (this.#pendingSkip) this.#add([this.#pendingSkip[0], this.#pendingSkip[1]])
    this.#pendingSkip = undefined
    this.#add(range)
    this.ids += ids
  }

  #add(range: SyncRange): void {
    this.ranges.push(range)
    this.bytes += JSON.stringify(range).length + 1
  }
}

function keyBelow(key: StoreKey, bound: Bound): boolean {
  if (bound[0] === null) return true
  if (key.ts !== bound[0]) return key.ts < bound[0]
  return key.id < bound[1]
}

/** The shortest bound above `prev` and at or below `next` (two neighbours in the order). */
function minimalBound(prev: StoreKey, next: StoreKey): Bound {
  if (prev.ts !== next.ts) return [next.ts, '']
  let shared = 0
  while (shared < next.id.length && prev.id[shared] === next.id[shared]) shared++
  return [next.ts, next.id.slice(0, shared + 1)]
}

function idValue(id: string): bigint {
  return BigInt('0x' + id)
}
