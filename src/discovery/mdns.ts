// LAN discovery over mDNS (multicast DNS on 224.0.0.251:5353, RFC 6762/6763) with `multicast-dns`: the node
// announces itself as a `_chat._tcp` service, answers queries for it, queries now and then, and reports the nodes of
// the same room that it finds. Bounded everywhere: one query per interval, coalesced answers, a capped cache of
// seen nodes whose entries expire, and a node reported again at most once per REFOUND_MS.

import type {Answer} from 'dns-packet'

import {LRUCache} from 'lru-cache'
import makeMdns from 'multicast-dns'
import pTimeout from 'p-timeout'

import {
  type Announced,
  announcement,
  asksForUs,
  readSightings,
  RECORD_TTL_S,
  SERVICE_TYPE,
  type Sighting,
} from './records.js'

/** How often to ask the LAN for chat nodes (besides once at start). */
export const QUERY_INTERVAL_MS = 10_000
/** Answers to queries are at most this frequent; queries in between get one answer when it passes. */
export const MIN_ANSWER_INTERVAL_MS = 1000
/** A node already reported is reported again when seen this long after, so a lost connection is retried. */
export const REFOUND_MS = 30_000
/** Nodes remembered at once; beyond it the one seen longest ago is forgotten. */
export const MAX_KNOWN_NODES = 256
/** stop() waits this long at most for the goodbye to be sent. */
const GOODBYE_TIMEOUT_MS = 500

/** A node of our room on the LAN. */
export interface DiscoveredNode {
  id: string
  host: string
  port: number
}

/** The subset of a multicast-dns instance this module uses (tests pass an in-memory one). */
export interface MdnsSocket {
  on(
    event: 'query',
    listener: (packet: {questions: Array<{name: string; type: string}>}, rinfo: {address: string}) => void,
  ): unknown
  on(
    event: 'response',
    listener: (packet: {answers: Answer[]; additionals: Answer[]}, rinfo: {address: string}) => void,
  ): unknown
  on(event: 'error' | 'warning', listener: (error: Error) => void): unknown
  on(event: 'ready', listener: () => void): unknown
  query(query: {questions: Array<{name: string; type: 'PTR'}>}): void
  respond(response: {answers: Answer[]}, callback?: (error: Error | null) => void): void
  destroy(callback?: () => void): void
}

export interface DiscoveryOptions {
  /** This node: its id, listening host and port. */
  self: Omit<Announced, 'roomId'>
  /** `RoomKey.roomId` of this node's room: only nodes announcing the same one are reported. */
  roomId: string
  /** Called for a node of the same room when first seen, when its address changes, and again after REFOUND_MS. */
  onFound: (node: DiscoveredNode) => void
  /** A problem worth one line to the user (a socket warning); discovery keeps going. */
  onProblem?: (message: string, reason: string) => void
  queryIntervalMs?: number
  refoundMs?: number
  maxKnownNodes?: number
  /** multicast-dns socket options (interface, port, ...), or a factory for tests. */
  mdns?: (() => MdnsSocket) | makeMdns.Options
  now?: () => number
}

interface Known extends DiscoveredNode {
  expiresAt: number
  lastSeen: number
  lastReported: number
}

export class Discovery {
  readonly #options: DiscoveryOptions
  readonly #self: Announced
  readonly #mdns: MdnsSocket
  /** Ordered by last sighting (set() moves an entry last; reads peek): full, the one seen longest ago goes. */
  readonly #known: LRUCache<string, Known>
  readonly #now: () => number
  #queryTimer: NodeJS.Timeout | undefined
  #answerTimer: NodeJS.Timeout | undefined
  #lastAnswer = Number.NEGATIVE_INFINITY
  #warned = false
  #stopped = false

  private constructor(options: DiscoveryOptions, mdns: MdnsSocket) {
    this.#options = options
    this.#self = {...options.self, roomId: options.roomId}
    this.#mdns = mdns
    this.#now = options.now ?? Date.now
    this.#known = new LRUCache({max: options.maxKnownNodes ?? MAX_KNOWN_NODES})
  }

  /** Binds the mDNS socket, announces this node and asks for others. Rejects if the socket cannot be bound. */
  static async start(options: DiscoveryOptions): Promise<Discovery> {
    const mdns = typeof options.mdns === 'function' ? options.mdns() : (makeMdns(options.mdns) as unknown as MdnsSocket)
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error): void =>
        reject(Object.assign(new Error(`mDNS discovery cannot start: ${error.message}`), {reason: error.message}))
      mdns.on('error', onError)
      mdns.on('ready', () => resolve())
    }).catch((error: unknown) => {
      mdns.destroy()
      throw error
    })

    const discovery = new Discovery(options, mdns)
    discovery.#begin()
    return discovery
  }

  /** The nodes of our room seen and not expired, most recently seen last. */
  get nodes(): DiscoveredNode[] {
    this.#expire()
    return [...this.#known.rvalues()]
      .filter((known) => known !== undefined)
      .map(({host, id, port}) => ({id, host, port}))
  }

  /** Says goodbye (records with TTL 0, so others forget this node at once) and closes the socket. Idempotent. */
  async stop(): Promise<void> {
    if (this.#stopped) return
    this.#stopped = true
    clearInterval(this.#queryTimer)
    clearTimeout(this.#answerTimer)
    const goodbye = new Promise<void>((resolve) => {
      try {
        this.#mdns.respond({answers: announcement(this.#self, 0)}, () => resolve())
      } catch {
        resolve()
      }
    })
    await pTimeout(goodbye, {milliseconds: GOODBYE_TIMEOUT_MS, fallback: () => undefined})
    await new Promise<void>((resolve) => {
      this.#mdns.destroy(() => resolve())
    })
    this.#known.clear()
  }

  #begin(): void {
    this.#mdns.on('query', (packet) => {
      if (!this.#stopped && asksForUs(packet.questions ?? [], this.#self.id)) this.#answerSoon()
    })
    this.#mdns.on('response', (packet, rinfo) => {
      if (!this.#stopped) this.#onResponse([...(packet.answers ?? []), ...(packet.additionals ?? [])], rinfo.address)
    })
    this.#mdns.on('warning', (error) => {
      if (this.#warned) return
      this.#warned = true
      this.#options.onProblem?.(`mDNS discovery: ${error.message}`, error.message)
    })
    this.#mdns.on('error', (error) =>
      this.#options.onProblem?.(`mDNS discovery failed: ${error.message}`, error.message),
    )

    // Announce ourselves unasked, once. Not counted as an answer: a node that queries right now is answered at once.
    this.#send(() => this.#mdns.respond({answers: announcement(this.#self, RECORD_TTL_S)}))
    this.#query()
    this.#queryTimer = setInterval(() => this.#query(), this.#options.queryIntervalMs ?? QUERY_INTERVAL_MS)
    this.#queryTimer.unref()
  }

  #query(): void {
    this.#expire()
    this.#send(() => this.#mdns.query({questions: [{name: SERVICE_TYPE, type: 'PTR'}]}))
  }

  /** Answers at once, or once MIN_ANSWER_INTERVAL_MS after the last answer: a burst of queries gets one answer. */
  #answerSoon(): void {
    if (this.#answerTimer) return
    const wait = this.#lastAnswer + MIN_ANSWER_INTERVAL_MS - this.#now()
    if (wait <= 0) {
      this.#answer()
      return
    }

    this.#answerTimer = setTimeout(() => {
      this.#answerTimer = undefined
      if (!this.#stopped) this.#answer()
    }, wait)
    this.#answerTimer.unref()
  }

  #answer(): void {
    this.#lastAnswer = this.#now()
    this.#send(() => this.#mdns.respond({answers: announcement(this.#self, RECORD_TTL_S)}))
  }

  #send(fn: () => void): void {
    try {
      fn()
    } catch (error) {
      this.#options.onProblem?.(`mDNS discovery: ${(error as Error).message}`, (error as Error).message)
    }
  }

  #onResponse(records: Answer[], source: string): void {
    let sightings: Sighting[]
    try {
      sightings = readSightings(records, source)
    } catch {
      return // a malformed packet from the LAN: not ours to report
    }

    for (const sighting of sightings) {
      if (sighting.id === this.#self.id || sighting.roomId !== this.#self.roomId) continue
      this.#saw(sighting)
    }
  }

  #saw(sighting: Sighting): void {
    const now = this.#now()
    const known = this.#known.peek(sighting.id)
    if (sighting.ttl === 0) {
      this.#known.delete(sighting.id)
      return
    }

    const refound = this.#options.refoundMs ?? REFOUND_MS
    const changed = known === undefined || known.host !== sighting.host || known.port !== sighting.port
    const report = changed || now - known.lastReported >= refound
    const entry: Known = {
      id: sighting.id,
      host: sighting.host,
      port: sighting.port,
      expiresAt: now + sighting.ttl * 1000,
      lastSeen: now,
      lastReported: report ? now : known.lastReported,
    }
    this.#known.set(sighting.id, entry)

    if (report) {
      try {
        this.#options.onFound({id: entry.id, host: entry.host, port: entry.port})
      } catch (error) {
        this.#options.onProblem?.(`mDNS discovery: ${(error as Error).message}`, (error as Error).message)
      }
    }
  }

  #expire(): void {
    const now = this.#now()
    // Collected first: not deleting from the cache while walking it.
    const expired = [...this.#known.entries()].filter(([, entry]) => entry.expiresAt <= now)
    for (const [id] of expired) this.#known.delete(id)
  }
}
