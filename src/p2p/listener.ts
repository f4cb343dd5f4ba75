// The listening side of a node (libp2p tcp's listener.ts): the server's lifecycle and inbound admission. A socket is
// admitted only while the node runs, the remote IP is within its connection rate, fewer than `maxPending` handshakes
// are under way and a slot is free; otherwise it is destroyed before a byte is read or written. It also holds the
// pending set: connections (inbound and outbound) that have not finished their hello yet.

import {createServer, type Server, type Socket} from 'node:net'

import {isLoopback} from './address.js'
import {ChatNodeError} from './errors.js'
import {KeyedRateLimiter} from './rate-limit.js'

/** Connections that have not finished their hello yet; more are refused at once. */
export const MAX_PENDING_CONNECTIONS = 10
/** New inbound connections per remote IP: a steady rate and a burst. Loopback is exempt unless asked. */
export const INBOUND_CONNECTIONS_PER_IP_PER_SECOND = 5
export const INBOUND_CONNECTION_BURST = 10

/** What the listener needs from its node. */
export interface ListenerHost {
  isRunning(): boolean
  /** Registered peers, and the most there may be: handshakes under way count against the difference. */
  peerCount(): number
  maxPeers(): number
  /** An admitted socket: the node wraps it in a connection and tracks it (see `hold`). */
  accept(socket: Socket): void
  warn(code: string, message: string): void
  /** An extra admission check (a ban list, say), asked last; false refuses the socket. */
  admit?(ip: string): boolean
}

export interface ListenerOptions {
  host: string
  port: number
  maxPending?: number
  /** New inbound connections per IP per second (0: unlimited). */
  inboundRatePerIp?: number
  /** Apply the per-IP rate to loopback too. */
  limitLoopback?: boolean
}

export class Listener<C> {
  /** The port listened on: the real one once listening (also when 0 was asked for). */
  port: number
  readonly host: string
  readonly #node: ListenerHost
  readonly #options: ListenerOptions
  readonly #ipLimiter: KeyedRateLimiter | undefined
  readonly #pending = new Set<C>()
  #server: Server | undefined

  constructor(node: ListenerHost, options: ListenerOptions) {
    this.#node = node
    this.#options = options
    this.host = options.host
    this.port = options.port
    const ipRate = options.inboundRatePerIp ?? INBOUND_CONNECTIONS_PER_IP_PER_SECOND
    this.#ipLimiter = ipRate > 0 ? new KeyedRateLimiter(ipRate, Math.max(ipRate, INBOUND_CONNECTION_BURST)) : undefined
  }

  /** Handshakes under way. */
  get pendingCount(): number {
    return this.#pending.size
  }

  /** Resolves once connections are accepted; rejects with a ChatNodeError saying how to pick another address. */
  async listen(): Promise<void> {
    const server = createServer((socket) => this.#onSocket(socket))
    this.#server = server
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen({host: this.host, port: this.port}, () => {
          server.off('error', reject)
          resolve()
        })
      })
    } catch (error) {
      throw listenError(error as NodeJS.ErrnoException, this.host, this.port)
    }

    server.on('error', (error) => this.#node.warn('server_error', `listening socket failed: ${error.message}`))
    const address = server.address()
    if (address && typeof address === 'object') this.port = address.port
  }

  /** A connection whose hello is not done yet (it counts against the pending and peer limits). */
  hold(conn: C): void {
    this.#pending.add(conn)
  }

  release(conn: C): void {
    this.#pending.delete(conn)
  }

  /** Stops accepting; resolves when the server is closed. */
  close(): Promise<void> {
    const server = this.#server
    return new Promise<void>((resolve) => {
      if (server?.listening) server.close(() => resolve())
      else resolve()
    })
  }

  /** Empties the pending set, returning what it held (for the node to close when it stops). */
  takePending(): C[] {
    const pending = [...this.#pending]
    this.#pending.clear()
    return pending
  }

  #onSocket(socket: Socket): void {
    if (!this.#admit(socket.remoteAddress ?? '')) {
      // Refused before a byte is read or written: nothing to learn for the other side, nothing held here.
      socket.on('error', () => {})
      socket.destroy()
      return
    }

    this.#node.accept(socket)
  }

  /**
   * Room for one more connection still in its handshake: the node runs, fewer than `maxPending` handshakes are
   * under way and a peer slot is free. Asked for every inbound socket, and for every swarm stream (either side).
   */
  hasRoom(): boolean {
    return (
      this.#node.isRunning() &&
      this.#pending.size < (this.#options.maxPending ?? MAX_PENDING_CONNECTIONS) &&
      // Handshakes under way count too: a full node must refuse before the handshake, or the dialler believes it got in.
      this.#node.peerCount() + this.#pending.size < this.#node.maxPeers()
    )
  }

  #admit(ip: string): boolean {
    const limiter = this.#ipLimiter
    const throttled = limiter && (this.#options.limitLoopback || !isLoopback(ip)) && !limiter.take(ip)
    return !throttled && this.hasRoom() && (this.#node.admit?.(ip) ?? true)
  }
}

function listenError(error: NodeJS.ErrnoException, host: string, port: number): ChatNodeError {
  switch (error.code) {
    case 'EADDRINUSE': {
      return new ChatNodeError({code: 'address_in_use', host, port})
    }

    case 'EACCES': {
      return new ChatNodeError({code: 'listen_not_allowed', host, port})
    }

    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND': {
      return new ChatNodeError({code: 'no_such_address', host})
    }

    default: {
      return new ChatNodeError(
        {code: 'listen_failed', errno: error.code, host, port},
        `cannot listen on ${host}:${port}: ${error.message}`,
      )
    }
  }
}
