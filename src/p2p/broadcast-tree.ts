// Lazy push for chat messages (Plumtree: Leitão, Pereira, Rodrigues, "Epidemic Broadcast Trees", SRDS 2007).
// A message goes whole down the eager links only; the other (lazy) links get its id in an `ihave`. A link that
// brings a message already had is pruned to lazy (both ends); an id announced on a lazy link that does not arrive
// whole in time is asked for with a `graft`, which makes that link eager again. The eager links thus settle into a
// spanning tree of the first copies to arrive, and it heals when an eager link is cut. A peer that did not say in
// its hello that it speaks this (an older node, `chat send`) is always eager. No transport here: the node sends.

import {MAX_TREE_IDS} from './protocol.js'

/** Ids announced but not received that are waited for at once; more announcements are ignored (sync repairs). */
export const MAX_MISSING_IDS = 10_000
/** Peers remembered per missing id, to graft from in turn. */
export const MAX_ANNOUNCERS = 4
/**
 * Ids for a lazy link are gathered this long and sent in one `ihave`: a frame costs about the same to seal, send and
 * open whatever it carries, so one id per frame would save little. Grafts wait for the announcement, so this adds
 * to the time a cut link takes to heal, not to the tree's.
 */
export const ANNOUNCE_DELAY_MS = 250
/** How long an announced id may take to arrive on an eager link before it is grafted from its announcer. */
export const GRAFT_TIMEOUT_MS = 200
/** How long a graft may take before the next announcer is asked. */
export const GRAFT_RETRY_MS = 150

export interface TreeOptions {
  announceDelayMs?: number
  graftTimeoutMs?: number
  graftRetryMs?: number
  maxMissing?: number
  now?: () => number
}

/** What the tree asks its node to send; `P` is the node's peer (a connection). */
export interface TreeHost<P> {
  ihave(peer: P, ids: string[]): void
  graft(peer: P, ids: string[]): void
  prune(peer: P): void
}

/** Frames and ids the tree decided on, since the node started: how much lazy push saves. */
export interface TreeStats {
  /** Chat frames pushed whole (own and relayed). */
  eager: number
  /** Ids announced in `ihave` frames instead. */
  lazy: number
  grafts: number
  prunes: number
}

interface Missing<P> {
  due: number
  announcers: P[]
}

export class BroadcastTree<P> {
  readonly #host: TreeHost<P>
  readonly #graftTimeoutMs: number
  readonly #graftRetryMs: number
  readonly #maxMissing: number
  readonly #now: () => number
  /** Peers that speak lazy push; every other peer is always eager. */
  readonly #capable = new Set<P>()
  /** Capable peers whose link is lazy now; the rest are eager. */
  readonly #lazy = new Set<P>()
  readonly #missing = new Map<string, Missing<P>>()
  /** Ids to announce, by peer, sent together when the announcement timer fires. */
  #announce: Map<P, string[]> | undefined
  #announceTimer: NodeJS.Timeout | undefined
  readonly #announceDelayMs: number
  /** One timer for all missing ids, armed for the earliest due one. */
  #timer: NodeJS.Timeout | undefined
  #timerDue = Infinity
  readonly stats: TreeStats = {eager: 0, lazy: 0, grafts: 0, prunes: 0}

  constructor(host: TreeHost<P>, options: TreeOptions = {}) {
    this.#host = host
    this.#announceDelayMs = options.announceDelayMs ?? ANNOUNCE_DELAY_MS
    this.#graftTimeoutMs = options.graftTimeoutMs ?? GRAFT_TIMEOUT_MS
    this.#graftRetryMs = options.graftRetryMs ?? GRAFT_RETRY_MS
    this.#maxMissing = options.maxMissing ?? MAX_MISSING_IDS
    this.#now = options.now ?? Date.now
  }

  /** A new link starts eager (the first messages flood, and the duplicates they bring prune the tree into shape). */
  add(peer: P, capable: boolean): void {
    if (capable) this.#capable.add(peer)
  }

  remove(peer: P): void {
    this.#capable.delete(peer)
    this.#lazy.delete(peer)
    this.#announce?.delete(peer)
  }

  isLazy(peer: P): boolean {
    return this.#lazy.has(peer)
  }

  /**
   * Splits the peers a message `id` goes to: returns those to push it to whole, and announces it to the others
   * (lazy links) in the next `ihave` (within ANNOUNCE_DELAY_MS).
   */
  route(targets: Iterable<P>, id: string): P[] {
    const eager: P[] = []
    for (const peer of targets) {
      if (!this.#lazy.has(peer)) {
        eager.push(peer)
        continue
      }

      if (!this.#announce) {
        this.#announce = new Map()
        this.#announceTimer = setTimeout(() => this.#flushAnnouncements(), this.#announceDelayMs)
      }

      const ids = this.#announce.get(peer)
      if (ids) ids.push(id)
      else this.#announce.set(peer, [id])
      this.stats.lazy++
    }

    this.stats.eager += eager.length
    return eager
  }

  /** A message arrived whole and new from `from` (its link is on the tree), or late by reconciliation (no `from`). */
  delivered(id: string, from?: P): void {
    this.#missing.delete(id)
    if (from !== undefined) this.#lazy.delete(from)
  }

  /** A message already had arrived whole from `from`: its link is redundant, so both ends make it lazy. */
  duplicate(from: P): void {
    if (!this.#capable.has(from) || this.#lazy.has(from)) return
    this.#lazy.add(from)
    this.stats.prunes++
    this.#host.prune(from)
  }

  /** The peer pruned our link: we announce ids to it from now on. */
  onPrune(peer: P): void {
    if (this.#capable.has(peer)) this.#lazy.add(peer)
  }

  /** The peer asked for ids it lacks: the link is eager again. Returns the ids to send it (the node looks them up). */
  onGraft(peer: P, ids: string[]): string[] {
    this.#lazy.delete(peer)
    return ids
  }

  /** The peer has these ids; those `known` does not hold are waited for, then grafted from it. */
  onIhave(peer: P, ids: string[], known: (id: string) => boolean): void {
    for (const id of ids) {
      if (known(id)) continue
      const missing = this.#missing.get(id)
      if (missing) {
        if (missing.announcers.length < MAX_ANNOUNCERS && !missing.announcers.includes(peer))
          missing.announcers.push(peer)
        continue
      }

      if (this.#missing.size >= this.#maxMissing) continue
      const due = this.#now() + this.#graftTimeoutMs
      this.#missing.set(id, {due, announcers: [peer]})
      this.#arm(due)
    }
  }

  /** Ids announced and not yet received. */
  get missing(): number {
    return this.#missing.size
  }

  stop(): void {
    clearTimeout(this.#timer)
    this.#timer = undefined
    this.#timerDue = Infinity
    this.#missing.clear()
    clearTimeout(this.#announceTimer)
    this.#announce = undefined
    this.#capable.clear()
    this.#lazy.clear()
  }

  /** Grafts every id that is due from its next announcer still connected; an id with none left is given up. */
  sweep(): void {
    this.#timer = undefined
    this.#timerDue = Infinity
    const now = this.#now()
    const grafts = new Map<P, string[]>()
    let next = Infinity
    for (const [id, missing] of this.#missing) {
      if (missing.due > now) {
        next = Math.min(next, missing.due)
        continue
      }

      let peer = missing.announcers.shift()
      while (peer !== undefined && !this.#capable.has(peer)) peer = missing.announcers.shift()
      if (peer === undefined) {
        // Nobody left to ask: reconciliation with the next peer is the safety net.
        this.#missing.delete(id)
        continue
      }

      const ids = grafts.get(peer)
      if (ids) ids.push(id)
      else grafts.set(peer, [id])
      missing.due = now + this.#graftRetryMs
      next = Math.min(next, missing.due)
    }

    for (const [peer, ids] of grafts) {
      this.#lazy.delete(peer)
      for (let i = 0; i < ids.length; i += MAX_TREE_IDS) {
        this.stats.grafts++
        this.#host.graft(peer, ids.slice(i, i + MAX_TREE_IDS))
      }
    }

    if (next !== Infinity) this.#arm(next)
  }

  #arm(due: number): void {
    if (this.#timer && this.#timerDue <= due) return
    clearTimeout(this.#timer)
    this.#timerDue = due
    this.#timer = setTimeout(() => this.sweep(), Math.max(0, due - this.#now()))
    this.#timer.unref()
  }

  #flushAnnouncements(): void {
    const pending = this.#announce
    this.#announce = undefined
    this.#announceTimer = undefined
    for (const [peer, ids] of pending ?? []) {
      if (!this.#capable.has(peer)) continue
      for (let i = 0; i < ids.length; i += MAX_TREE_IDS) this.#host.ihave(peer, ids.slice(i, i + MAX_TREE_IDS))
    }
  }
}
