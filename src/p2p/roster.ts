// Who is in the room, beyond the direct peers: every node heard of through its announcements, its messages and
// peer exchange, with when it was last heard of. Announces joins and leaves of the room (not of the direct peers,
// whose own events say that), at a bounded rate: past a small burst, a churn summary every few seconds instead.
//
// Hop counts are not knowable (flooded frames carry no hop counter), so a node is "direct" or "via peers".

import type {NodeInfo, RoomChurn, RoomLeft, RosterEntry} from './types.js'

import {TokenBucket} from './rate-limit.js'

/** Nodes remembered; past this the one heard of least recently is forgotten. */
export const MAX_ROSTER_ENTRIES = 1000
/**
 * A node not heard of for this long is taken to have left (it crashed, or its leave notice was lost): nodes
 * re-announce every 10 minutes, so this is two announcements missed, and a margin.
 */
export const ROSTER_EXPIRY_MS = 25 * 60_000
/** How often expiry is checked. */
export const ROSTER_SWEEP_MS = 60_000
/** Join and leave notices shown one by one: a burst of 5, then one every 2 s. */
export const ROOM_NOTICE_BURST = 5
export const ROOM_NOTICES_PER_SECOND = 0.5
/** Past the burst, notices are counted and summed up once per this interval. */
export const ROOM_CHURN_INTERVAL_MS = 10_000
/**
 * A join is told this long after it is heard of, and not at all if the node has connected to us meanwhile (a mesh
 * dials the nodes it learns of at once): its connection's own line says it, and one line is enough.
 */
export const ROOM_JOIN_GRACE_MS = 2000

/** What the roster needs from its node. */
export interface RosterHost {
  /** The direct peers' ids: their joins and leaves are the connection's events, not the room's. */
  isDirect(id: string): boolean
  joined(entry: RosterEntry): void
  left(left: RoomLeft): void
  churn(churn: RoomChurn): void
}

export interface RosterOptions {
  now?: () => number
  maxEntries?: number
  expiryMs?: number
  churnIntervalMs?: number
  joinGraceMs?: number
}

interface Entry extends RosterEntry {
  /** The newest announcement's timestamp: an older one (or leave notice) arriving late changes nothing. */
  announcedTs: number
  /** Its arrival was announced (a join was seen, not only a message): its departure is announced too. */
  announcedJoin: boolean
}

export class Roster {
  readonly #host: RosterHost
  readonly #entries = new Map<string, Entry>()
  readonly #now: () => number
  readonly #max: number
  readonly #expiryMs: number
  readonly #churnIntervalMs: number
  readonly #joinGraceMs: number
  /** Joins waiting out their grace, by node id (at most one per node, so bounded like the roster). */
  readonly #joining = new Map<string, NodeJS.Timeout>()
  readonly #notices: TokenBucket
  #pending = {joined: 0, left: 0}
  #churnTimer: NodeJS.Timeout | undefined
  #sweepTimer: NodeJS.Timeout | undefined

  constructor(host: RosterHost, options: RosterOptions = {}) {
    this.#host = host
    this.#now = options.now ?? Date.now
    this.#max = options.maxEntries ?? MAX_ROSTER_ENTRIES
    this.#expiryMs = options.expiryMs ?? ROSTER_EXPIRY_MS
    this.#churnIntervalMs = options.churnIntervalMs ?? ROOM_CHURN_INTERVAL_MS
    this.#joinGraceMs = options.joinGraceMs ?? ROOM_JOIN_GRACE_MS
    this.#notices = new TokenBucket(ROOM_NOTICES_PER_SECOND, ROOM_NOTICE_BURST, this.#now)
  }

  start(): void {
    this.#sweepTimer = setInterval(() => this.sweep(), ROSTER_SWEEP_MS)
    this.#sweepTimer.unref()
  }

  stop(): void {
    clearInterval(this.#sweepTimer)
    clearTimeout(this.#churnTimer)
    for (const timer of this.#joining.values()) clearTimeout(timer)
    this.#joining.clear()
    this.#sweepTimer = undefined
    this.#churnTimer = undefined
  }

  /** The nodes in the room now (ourselves excepted), most recently heard of first. */
  list(): RosterEntry[] {
    return [...this.#entries.values()]
      .filter((entry) => entry.present)
      .reverse()
      .map(({announcedJoin: _join, announcedTs: _ts, ...entry}) => ({...entry, direct: this.#host.isDirect(entry.id)}))
  }

  /** A direct peer connected: it is in the room (its join is the connection's event). */
  directUp(node: NodeInfo): void {
    const entry = this.#touch(node)
    entry.present = true
    entry.announcedJoin = true
  }

  /** A direct peer went away; `quit` means it left the room (it said bye), anything else only this connection. */
  directDown(node: NodeInfo, reason: string): void {
    const entry = this.#entries.get(node.id)
    if (entry && reason === 'quit') entry.present = false
  }

  /**
   * A signed announcement of `node`: a join when `live` (flooded as it joined, or every 10 minutes) and new to us,
   * a leave when `leaving`. Announcements handed over in bulk (`keys`, when we join) are not live: the room as it
   * is, not news.
   */
  announced(node: NodeInfo, {leaving, live, ts}: {leaving: boolean; live: boolean; ts: number}): void {
    const known = this.#entries.get(node.id)
    if (known && known.announcedTs > ts) return
    if (leaving) {
      if (!known) return
      known.announcedTs = ts
      this.#depart(known, 'quit')
      return
    }

    const now = this.#now()
    // Handed over in bulk, an announcement is as fresh as its timestamp: one older than the expiry is a ghost.
    if (!live && ts < now - this.#expiryMs) return
    const wasPresent = known?.present ?? false
    const entry = this.#touch(node)
    entry.announcedTs = ts
    entry.present = true
    if (!live && !wasPresent) entry.lastSeen = Math.min(now, ts)
    if (wasPresent && entry.announcedJoin) return
    entry.announcedJoin = true
    if (live && !wasPresent && !this.#host.isDirect(node.id)) this.#joinAfterGrace(node.id)
  }

  /** A message by `node` (a chat or direct message, read or relayed): it is in the room, quietly. */
  heard(node: NodeInfo): void {
    const entry = this.#touch(node)
    entry.present = true
  }

  /** Ids a peer says it is connected to (peer exchange): still there, if we know them. */
  seen(ids: Iterable<string>): void {
    const now = this.#now()
    for (const id of ids) {
      const entry = this.#entries.get(id)
      if (!entry?.present) continue
      entry.lastSeen = now
      this.#entries.delete(id)
      this.#entries.set(id, entry)
    }
  }

  /** Takes nodes not heard of for the expiry time as gone. Runs on a timer; exposed for tests. */
  sweep(): void {
    const oldest = this.#now() - this.#expiryMs
    for (const entry of this.#entries.values()) {
      if (entry.present && entry.lastSeen < oldest && !this.#host.isDirect(entry.id)) this.#depart(entry, 'timeout')
    }
  }

  /** Tells the join once the grace is over, if the node is still here and has not connected to us meanwhile. */
  #joinAfterGrace(id: string): void {
    if (this.#joining.has(id)) return
    const timer = setTimeout(() => {
      this.#joining.delete(id)
      const entry = this.#entries.get(id)
      if (entry?.present && !this.#host.isDirect(id)) this.#notice('joined', entry)
    }, this.#joinGraceMs)
    timer.unref()
    this.#joining.set(id, timer)
  }

  #depart(entry: Entry, reason: RoomLeft['reason']): void {
    if (!entry.present) return
    entry.present = false
    // A node that leaves within its join's grace came and went unannounced.
    const joining = this.#joining.get(entry.id)
    if (joining) {
      clearTimeout(joining)
      this.#joining.delete(entry.id)
      entry.announcedJoin = false
    }

    // A direct peer's leave is its connection's event; one never announced (a `chat send`) left no trace to undo.
    if (!entry.announcedJoin || this.#host.isDirect(entry.id)) return
    entry.announcedJoin = false
    this.#notice('left', {...this.#public(entry), reason})
  }

  /** The entry for `node`, updated and moved to the most recent end; a new one evicts the least recent. */
  #touch(node: NodeInfo): Entry {
    const entry: Entry = this.#entries.get(node.id) ?? {
      id: node.id,
      name: node.name,
      host: node.host,
      port: node.port,
      direct: false,
      present: false,
      lastSeen: 0,
      announcedTs: 0,
      announcedJoin: false,
    }
    Object.assign(entry, {name: node.name, host: node.host, port: node.port, lastSeen: this.#now()})
    this.#entries.delete(node.id)
    if (this.#entries.size >= this.#max) this.#entries.delete(this.#entries.keys().next().value as string)
    this.#entries.set(node.id, entry)
    return entry
  }

  #public(entry: Entry): RosterEntry {
    return {
      id: entry.id,
      name: entry.name,
      host: entry.host,
      port: entry.port,
      direct: false,
      present: entry.present,
      lastSeen: entry.lastSeen,
    }
  }

  #notice(kind: 'joined' | 'left', event: RoomLeft | RosterEntry): void {
    if (this.#notices.take()) {
      if (kind === 'joined') this.#host.joined(this.#public(event as Entry))
      else this.#host.left(event as RoomLeft)
      return
    }

    this.#pending[kind]++
    this.#churnTimer ??= setTimeout(() => {
      this.#churnTimer = undefined
      const churn = this.#pending
      this.#pending = {joined: 0, left: 0}
      this.#host.churn(churn)
    }, this.#churnIntervalMs)
    this.#churnTimer.unref()
  }
}
