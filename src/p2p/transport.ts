// What a PeerConnection runs over: a TCP socket or a Hyperswarm stream. Both carry the same protocol v2 (the room's
// Noise XXpsk0 handshake, then sealed frames); the transport only says how to write, how much is waiting and where
// the other end is.

import type {Socket} from 'node:net'

/** How a peer is connected: `tcp` (dialled or accepted on our port) or `swarm` (found on the DHT). */
export type TransportKind = 'swarm' | 'tcp'

/**
 * How a swarm stream reaches the peer: `direct` (one side reachable, or hole punched through both NATs: hyperdht
 * does not tell which) or `relayed` (paired through a blind relay).
 */
export type SwarmRoute = 'direct' | 'relayed'

/** The duplex stream both node:net sockets and streamx streams (Hyperswarm's NoiseSecretStream) are. */
export interface DuplexLike {
  readonly destroyed: boolean
  write(chunk: Buffer): unknown
  end(): unknown
  destroy(): unknown
  resume(): unknown
  on(event: 'data', listener: (chunk: Buffer) => void): unknown
  on(event: 'end' | 'close', listener: () => void): unknown
  on(event: 'error', listener: (error: NodeJS.ErrnoException) => void): unknown
  once(event: 'close' | 'connect', listener: () => void): unknown
  removeAllListeners(event: 'data'): unknown
}

export interface Transport {
  readonly kind: TransportKind
  readonly stream: DuplexLike
  /** Bytes written but not yet handed to the network. */
  queuedBytes(): number
  /** The other end's address as the network sees it (`host:port`), for labels; updated on connect. */
  remoteLabel(): string
  /** The other end's IP address, if known (a wildcard-listening peer is reachable there). */
  remoteHost(): string | undefined
  /** The other end of the socket or stream (not the peer's listening address): where an inbound connection came from. */
  remotePeer(): {host: string; port: number}
  /** For a swarm stream: the node id its Noise key proves; a hello with another id is refused. */
  readonly expectedId?: string
  route?: SwarmRoute
}

export const TCP_KEEPALIVE_MS = 30_000

function hostPort(host: string | undefined, port: number | undefined): string {
  const h = host ?? 'unknown'
  return `${h.includes(':') ? `[${h}]` : h}:${port ?? '?'}`
}

/** A TCP socket as a transport: no Nagle delay, keep-alive on. */
export function tcpTransport(socket: Socket): Transport {
  socket.setNoDelay(true)
  socket.setKeepAlive(true, TCP_KEEPALIVE_MS)
  // Kept: a destroyed socket forgets its remote address, and the label is needed after that.
  let label = hostPort(socket.remoteAddress, socket.remotePort)
  let peer = {host: socket.remoteAddress ?? 'unknown', port: socket.remotePort ?? 0}
  socket.once('connect', () => {
    label = hostPort(socket.remoteAddress, socket.remotePort)
    peer = {host: socket.remoteAddress ?? 'unknown', port: socket.remotePort ?? 0}
  })
  return {
    kind: 'tcp',
    stream: socket,
    queuedBytes: () => socket.writableLength,
    remoteLabel: () => label,
    remoteHost: () => socket.remoteAddress,
    remotePeer: () => ({...peer}),
  }
}
