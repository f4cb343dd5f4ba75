// The node's presence on Hyperswarm: joins the room's topic on the DHT and hands every stream it opens to the node as
// a Transport, which then runs the same protocol v2 over it as over TCP. Hyperswarm (CommonJS, untyped) is loaded
// here with a dynamic import, so only a node started with --swarm ever loads it.

import {EventEmitter} from 'node:events'

import type {RoomKey} from '../room.js'
import type {SwarmRoute, Transport} from '../transport.js'
import type {Address, NodeWarning, PeerDirection} from '../types.js'

import {fingerprint, type Identity} from '../identity.js'
import {nodeIdOfSwarmKey, relaySeed, swarmKeyPair, swarmTopic} from './keys.js'
import {
  isLoopbackHost,
  loadHyperdht,
  loadHyperswarm,
  type NoiseStream,
  type SwarmInstance,
  type SwarmPeerInfo,
} from './lib.js'
import {type RunningRelay, startRelay} from './relay.js'

/**
 * Peers joining at the same moment can miss each other (Hyperswarm re-announces every 10 ± 2 min): the discovery is
 * refreshed at intervals doubling from FIRST_REFRESH_MS to this, for DISCOVERY_BURST_MS, then left to Hyperswarm.
 */
export const DISCOVERY_REFRESH_MS = 2000
/** The first refresh: the first lookup races the other peers' announcements, so it is repeated soon. */
export const FIRST_REFRESH_MS = 250
export const DISCOVERY_BURST_MS = 60_000
/** Failed attempts to a peer found on the DHT before the user is told it cannot be reached through the NATs. */
export const UNREACHABLE_AFTER_ATTEMPTS = 2
/** Time for the DHT to answer at start before the node says it cannot be reached. */
export const DHT_BOOTSTRAP_TIMEOUT_MS = 15_000
/** Peers remembered as "said it cannot be reached" (one warning each). */
const MAX_WARNED_PEERS = 256

export interface SwarmOptions {
  identity: Identity
  room: RoomKey
  /** DHT bootstrap nodes; undefined: Hyperswarm's public ones. Tests must always pass one. */
  bootstrap?: Address[]
  /** Most connections this node opens on the swarm itself (Hyperswarm's maxPeers); 0: only accept. */
  maxPeers: number
  /** Blind relays (32-byte public keys) to pair through when hole punching fails. */
  relayThrough?: Buffer[]
  /** Also serve as a blind relay for others (its key is derived from the identity: stable across restarts). */
  relay?: boolean
  refreshMs?: number
  refreshForMs?: number
}

/** What the swarm needs from its node. */
export interface SwarmHost {
  /** True if the node takes one more connection now (running, room left): else the stream is closed at once. */
  admit(): boolean
  /** A stream to a peer of the topic: the node runs protocol v2 over it (the room handshake still gates it). */
  accept(transport: Transport, direction: PeerDirection): void
  /** Something the user should know: the DHT cannot be reached, a peer cannot be reached through the NATs. */
  warn(warning: NodeWarning): void
  /** True if the node has this peer already, by any transport (then a failed swarm attempt is no news). */
  isConnected(id: string): boolean
}

export interface SwarmLinkEvents {
  /** The DHT answered and the topic is announced. */
  online: []
}

export class SwarmLink extends EventEmitter<SwarmLinkEvents> {
  readonly #swarm: SwarmInstance
  readonly #topic: Buffer
  readonly #options: SwarmOptions
  readonly #host: SwarmHost
  readonly #relayHosts: Set<string>
  readonly #warned = new Set<string>()
  #refresh: NodeJS.Timeout | undefined
  #relay: RunningRelay | undefined
  #destroyed = false

  private constructor(swarm: SwarmInstance, options: SwarmOptions, host: SwarmHost) {
    super()
    this.#swarm = swarm
    this.#options = options
    this.#host = host
    this.#topic = swarmTopic(options.room)
    // A stream paired through a relay run beside a bootstrap node comes from that node's address.
    this.#relayHosts = new Set((options.bootstrap ?? []).map(({host, port}) => `${host}:${port}`))
  }

  /** Loads Hyperswarm, joins the room's topic and starts handing out connections. Resolves at once. */
  static async open(options: SwarmOptions, host: SwarmHost): Promise<SwarmLink> {
    const [Hyperswarm, DHT] = await Promise.all([loadHyperswarm(), loadHyperdht()])
    const loopback =
      options.bootstrap !== undefined &&
      options.bootstrap.length > 0 &&
      options.bootstrap.every(({host}) => isLoopbackHost(host))
    // On loopback the DHT must bind 127.0.0.1, or connections do not complete (as in Hyperswarm's own tests).
    const dht = new DHT({bootstrap: options.bootstrap, ...(loopback ? {host: '127.0.0.1'} : {})})
    const relays = options.relayThrough ?? []
    const swarm = new Hyperswarm({
      dht,
      keyPair: swarmKeyPair(options.identity),
      maxPeers: Math.max(1, options.maxPeers),
      ...(relays.length > 0
        ? {relayThrough: (force: boolean) => (force ? relays[Math.floor(Math.random() * relays.length)] : null)}
        : {}),
    })
    const link = new SwarmLink(swarm, options, host)
    if (options.relay) {
      try {
        link.#relay = await startRelay(dht, DHT.keyPair(relaySeed(options.identity)))
      } catch (error) {
        await swarm.destroy()
        throw error
      }
    }

    link.#start(options.maxPeers > 0)
    return link
  }

  /** The 32-byte topic, hex (for logs and tests: it says nothing about the room). */
  get topic(): string {
    return this.#topic.toString('hex')
  }

  /** With `relay`: the key others pass to --relay-through (hex). */
  get relayKey(): string | undefined {
    return this.#relay?.publicKey
  }

  /** Leaves the topic and closes every swarm stream and the DHT. */
  async destroy(): Promise<void> {
    if (this.#destroyed) return
    this.#destroyed = true
    clearTimeout(this.#refresh)
    await this.#relay?.close().catch(() => {})
    await this.#swarm.destroy()
  }

  #start(client: boolean): void {
    const swarm = this.#swarm
    swarm.on('connection', (stream: NoiseStream, info: SwarmPeerInfo) => this.#onConnection(stream, info))
    swarm.on('update', () => this.#checkUnreachable())
    const discovery = swarm.join(this.#topic, {client, server: true})
    const started = Date.now()
    // Soon after the first lookup (which races the others' announcements), then every DISCOVERY_REFRESH_MS.
    let delay = FIRST_REFRESH_MS
    const again = (): void => {
      this.#refresh = setTimeout(() => {
        if (this.#destroyed || Date.now() - started > (this.#options.refreshForMs ?? DISCOVERY_BURST_MS)) return
        discovery.refresh({client, server: true}).catch(() => {})
        delay = Math.min(delay * 2, this.#options.refreshMs ?? DISCOVERY_REFRESH_MS)
        again()
      }, delay)
      this.#refresh.unref()
    }

    again()
    void this.#watchBootstrap(discovery.flushed())
  }

  async #watchBootstrap(flushed: Promise<unknown>): Promise<void> {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), DHT_BOOTSTRAP_TIMEOUT_MS)
      timer.unref()
    })
    const outcome = await Promise.race([
      flushed.then(
        () => 'flushed' as const,
        () => 'failed' as const,
      ),
      timeout,
    ])
    clearTimeout(timer)
    if (this.#destroyed) return
    // A DHT that knows no node at all never reached its bootstrap: everything else keeps working on TCP.
    if (outcome !== 'flushed' || this.#swarm.dht.table.size === 0) {
      const where =
        this.#options.bootstrap?.map(({host, port}) => `${host}:${port}`).join(', ') ?? 'the public bootstrap nodes'
      this.#host.warn({
        code: 'dht_unreachable',
        message: `the DHT cannot be reached (${where}): no peers will be found on the swarm; the node keeps running on TCP`,
        subject: where,
      })
      return
    }

    this.emit('online')
  }

  #onConnection(stream: NoiseStream, info: SwarmPeerInfo): void {
    stream.on('error', () => {}) // the PeerConnection reports errors; this only keeps a late one from throwing
    if (this.#destroyed || !this.#host.admit()) {
      // Refused before the room handshake: nothing learnt, nothing held.
      stream.destroy()
      return
    }

    const id = nodeIdOfSwarmKey(stream.remotePublicKey)
    this.#warned.delete(id)
    const raw = (): {remoteHost?: string; remotePort?: number} | null => stream.rawStream
    const relayed = info.forceRelaying || this.#relayHosts.has(`${raw()?.remoteHost}:${raw()?.remotePort}`)
    const route: SwarmRoute = relayed ? 'relayed' : 'direct'
    const transport: Transport = {
      kind: 'swarm',
      stream,
      expectedId: id,
      route,
      queuedBytes: () => stream._writableState?.buffered ?? 0,
      remoteLabel: () => `swarm:${fingerprint(id)}`,
      remoteHost: () => raw()?.remoteHost ?? undefined,
      remotePeer: () => ({host: raw()?.remoteHost ?? 'unknown', port: raw()?.remotePort ?? 0}),
    }
    this.#host.accept(transport, stream.isInitiator ? 'outbound' : 'inbound')
  }

  /** Hyperswarm retries a peer it cannot reach silently: say so once per peer, and what could help. */
  #checkUnreachable(): void {
    for (const info of this.#swarm.peers.values()) {
      const id = nodeIdOfSwarmKey(info.publicKey)
      if (info.attempts < UNREACHABLE_AFTER_ATTEMPTS || this.#warned.has(id) || this.#host.isConnected(id)) continue
      if (
        [...this.#swarm.connections].some((stream) =>
          Buffer.from(stream.remotePublicKey).equals(Buffer.from(info.publicKey)),
        )
      )
        continue
      if (this.#warned.size >= MAX_WARNED_PEERS) this.#warned.clear()
      this.#warned.add(id)
      const relaying = (this.#options.relayThrough?.length ?? 0) > 0
      const hint = relaying ? 'retrying through the relay' : 'a relay (--relay-through) can connect you'
      this.#host.warn({
        code: relaying ? 'swarm_unreachable_relaying' : 'swarm_unreachable',
        message: `found ${fingerprint(id)} on the DHT but cannot reach it through your NATs: ${hint}`,
        subject: fingerprint(id),
      })
    }
  }
}
