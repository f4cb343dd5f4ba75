// Keeping the network connected without a server: a table of known peers (learnt from `peers` frames), a target
// degree that the node dials up to (choosing at random), and redials with backoff for the peers the user asked
// for (--join, /connect). Timers are cleared on stop; none keeps a stopped node's process alive.

import {LRUCache} from 'lru-cache'

import {Backoff, backoffDelay} from './backoff.js'
import {addressKey, chooseDials, type KnownPeer} from './dial-policy.js'

export const DEFAULT_DEGREE = 4
export const MESH_TICK_MS = 1000
export const PEER_EXCHANGE_INTERVAL_MS = 10_000
export const MAX_KNOWN_PEERS = 1000
/**
 * The address book outlives failures: a known peer is retried with a backoff capped at 5 minutes (so two halves of
 * a network whose bridge left find each other again when the network returns), and forgotten only when nobody has
 * seen it, and it has not answered, for a week.
 */
export const KNOWN_PEER_RETRY_MAX_MS = 5 * 60_000
export const KNOWN_PEER_TTL_MS = 7 * 24 * 60 * 60_000
const FAILED_DIAL_DELAY_MS = 2000

/** An address-book entry as the caller persists it (docs/sync.md): `lastSeen` is when it was last reached or heard of. */
export interface AddressBookEntry {
  id: string
  host: string
  port: number
  lastSeen: number
}

/** What the mesh needs from its node. */
export interface MeshHost {
  readonly selfId: string
  isRunning(): boolean
  connectedIds(): Set<string>
  /** Registered connections. */
  connectionCount(): number
  /** One dial attempt, no retries; resolves with the peer's id. */
  dialOnce(host: string, port: number): Promise<string>
  /** Sends a `peers` frame to every connection. */
  exchangePeers(): void
  /** True while this address (or node id) is on the cool-down list: not dialled. */
  blocked?(host: string, port: number, id?: string): boolean
  /** A peer's score: the mesh dials well-scored peers first. */
  score?(id: string): number
}

export interface MeshOptions {
  degree?: number
  tickMs?: number
  exchangeIntervalMs?: number
  backoff?: {initialMs?: number; maxMs?: number}
  random?: () => number
}

interface Pinned {
  host: string
  port: number
  backoff: Backoff
  timer: NodeJS.Timeout | undefined
}

export class Mesh {
  readonly degree: number
  readonly #host: MeshHost
  readonly #options: MeshOptions
  /** By id; read with `peek` (no refresh), so the first learnt is the first forgotten; `values()` runs newest first. */
  readonly #known = new LRUCache<string, KnownPeer & {failures: number; lastSeen: number}>({max: MAX_KNOWN_PEERS})
  readonly #dialing = new Set<string>()
  readonly #pinned = new Map<string, Pinned>()
  #tick: NodeJS.Timeout | undefined
  #exchange: NodeJS.Timeout | undefined
  #stopped = false

  constructor(host: MeshHost, options: MeshOptions = {}) {
    this.#host = host
    this.#options = options
    this.degree = options.degree ?? DEFAULT_DEGREE
  }

  start(): void {
    this.#tick = setInterval(() => this.maintain(), this.#options.tickMs ?? MESH_TICK_MS)
    this.#exchange = setInterval(
      () => this.#host.exchangePeers(),
      this.#options.exchangeIntervalMs ?? PEER_EXCHANGE_INTERVAL_MS,
    )
    this.#tick.unref()
    this.#exchange.unref()
  }

  stop(): void {
    this.#stopped = true
    clearInterval(this.#tick)
    clearInterval(this.#exchange)
    for (const pin of this.#pinned.values()) clearTimeout(pin.timer)
    this.#pinned.clear()
  }

  known(): KnownPeer[] {
    return [...this.#known.values()].reverse()
  }

  /** The address book, for the caller to persist (most recently learnt last). */
  addressBook(): AddressBookEntry[] {
    return [...this.#known.values()].reverse().map(({host, id, lastSeen, port}) => ({id, host, port, lastSeen}))
  }

  /**
   * Remembers peers someone told us about (or that we met, or an earlier run's address book with its `lastSeen`).
   * The table is bounded: the oldest entry goes first.
   */
  learn(peers: Iterable<{host: string; id: string; lastSeen?: number; port: number}>): void {
    const now = Date.now()
    for (const peer of peers) {
      if (peer.id === this.#host.selfId) continue
      const lastSeen = Math.min(peer.lastSeen ?? now, now)
      if (now - lastSeen > KNOWN_PEER_TTL_MS) continue
      const entry = this.#known.peek(peer.id)
      if (entry) {
        entry.host = peer.host
        entry.port = peer.port
        entry.lastSeen = Math.max(entry.lastSeen, lastSeen)
        continue
      }

      this.#known.set(peer.id, {id: peer.id, host: peer.host, port: peer.port, retryAt: 0, failures: 0, lastSeen})
    }
  }

  /** A peer the user asked for: redialled with backoff whenever it is not connected, until the node stops. */
  pin(host: string, port: number): void {
    const key = addressKey(host, port)
    if (this.#stopped || this.#pinned.has(key)) return
    this.#pinned.set(key, {host, port, backoff: new Backoff(this.#options.backoff), timer: undefined})
  }

  /** The cool-down list was cleared: dial the pinned addresses again soon (those connected answer at once). */
  redialPinned(): void {
    for (const pin of this.#pinned.values()) {
      if (pin.timer) continue
      pin.backoff.reset()
      this.scheduleRedial(pin.host, pin.port)
    }
  }

  /** A dial to a pinned address failed, or the peer there left: try again after the next backoff delay. */
  scheduleRedial(host: string, port: number): void {
    const pin = this.#pinned.get(addressKey(host, port))
    if (!pin || pin.timer || this.#stopped) return
    pin.timer = setTimeout(() => {
      pin.timer = undefined
      if (!this.#host.isRunning()) return
      // On the cool-down list: no attempt (and no line on the other node's screen); look again after the next delay.
      if (this.#host.blocked?.(pin.host, pin.port)) {
        this.scheduleRedial(pin.host, pin.port)
        return
      }

      this.#host.dialOnce(pin.host, pin.port).then(
        () => pin.backoff.reset(),
        () => this.scheduleRedial(pin.host, pin.port),
      )
    }, pin.backoff.next())
    pin.timer.unref()
  }

  /** Dials known peers until the target degree is reached. Runs on a timer and whenever the table changes. */
  maintain(): void {
    if (this.#stopped || !this.#host.isRunning()) return
    const choices = chooseDials([...this.#known.values()].reverse(), {
      selfId: this.#host.selfId,
      connectedIds: this.#host.connectedIds(),
      dialing: this.#dialing,
      current: this.#host.connectionCount() + this.#dialing.size,
      target: this.degree,
      now: Date.now(),
      random: this.#options.random,
      blocked: this.#host.blocked && ((peer) => this.#host.blocked!(peer.host, peer.port, peer.id)),
      score: this.#host.score && ((id) => this.#host.score!(id)),
    })
    for (const peer of choices) {
      const key = addressKey(peer.host, peer.port)
      this.#dialing.add(key)
      this.#host
        .dialOnce(peer.host, peer.port)
        .then(
          () => {
            const entry = this.#known.peek(peer.id)
            if (!entry) return
            entry.failures = 0
            entry.lastSeen = Date.now()
          },
          () => {
            const entry = this.#known.peek(peer.id)
            if (!entry) return
            entry.failures++
            const now = Date.now()
            entry.retryAt =
              now +
              backoffDelay(entry.failures, {
                initialMs: FAILED_DIAL_DELAY_MS,
                maxMs: KNOWN_PEER_RETRY_MAX_MS,
                jitter: 0.2,
                random: this.#options.random,
              })
            if (now - entry.lastSeen > KNOWN_PEER_TTL_MS) this.#known.delete(peer.id)
          },
        )
        .finally(() => this.#dialing.delete(key))
    }
  }
}
