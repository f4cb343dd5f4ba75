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
/** A known peer that failed this many dials in a row is forgotten (it will be learnt again if it comes back). */
export const MAX_DIAL_FAILURES = 5
const FAILED_DIAL_DELAY_MS = 2000

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
  readonly #known = new LRUCache<string, KnownPeer & {failures: number}>({max: MAX_KNOWN_PEERS})
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
    this.#exchange = setInterval(() => this.#host.exchangePeers(), this.#options.exchangeIntervalMs ?? PEER_EXCHANGE_INTERVAL_MS)
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

  /** Remembers peers someone told us about (or that we met). The table is bounded: the oldest entry goes first. */
  learn(peers: Iterable<{host: string; id: string; port: number}>): void {
    for (const peer of peers) {
      if (peer.id === this.#host.selfId) continue
      const entry = this.#known.peek(peer.id)
      if (entry) {
        entry.host = peer.host
        entry.port = peer.port
        continue
      }

      this.#known.set(peer.id, {id: peer.id, host: peer.host, port: peer.port, retryAt: 0, failures: 0})
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
            if (entry) entry.failures = 0
          },
          () => {
            const entry = this.#known.peek(peer.id)
            if (!entry) return
            entry.failures++
            entry.retryAt = Date.now() + backoffDelay(entry.failures, {initialMs: FAILED_DIAL_DELAY_MS, maxMs: FAILED_DIAL_DELAY_MS * 2 ** 5})
            if (entry.failures >= MAX_DIAL_FAILURES) this.#known.delete(peer.id)
          },
        )
        .finally(() => this.#dialing.delete(key))
    }
  }
}
