// A connection's way from socket to peer table and out again (libp2p tcp's socket-to-conn, hyperswarm's
// connection-set): an outgoing dial, the hello, the refusal of our own identity, registration (settling duplicates
// and a full table) and removal. The node learns only the outcomes: a peer up, a link closed, a frame.

import {createConnection, type Socket} from 'node:net'

import {type ConnectionLimits, describeSocketError, type LocalEnd, PeerConnection} from './connection.js'
import {ChatNodeError} from './errors.js'
import {addressKey} from './dial-policy.js'
import type {Frame} from './protocol.js'
import {PeerRegistry} from './registry.js'
import {type Transport, tcpTransport} from './transport.js'
import type {PeerDirection, PeerSummary} from './types.js'

/** What the links need from their node. */
export interface LinksHost {
  readonly selfId: string
  local(): LocalEnd
  /** Counts a connection whose hello is not done yet, and stops counting it (the listener's pending set). */
  hold(conn: PeerConnection): void
  release(conn: PeerConnection): void
  /** A new peer was registered. */
  onPeerUp(conn: PeerConnection): void
  /** A connection that said hello closed; `removed` when it was the registered one for its peer. */
  onPeerDown(conn: PeerConnection, reason: string, removed: boolean): void
  onFrame(conn: PeerConnection, frame: Frame): void
  warn(code: string, message: string): void
}

type Settled = (result: ChatNodeError | PeerSummary) => void

export class Links {
  readonly registry: PeerRegistry<PeerConnection>
  readonly #node: LinksHost
  readonly #limits: Partial<ConnectionLimits> | undefined

  constructor(node: LinksHost, maxPeers: number | undefined, limits: Partial<ConnectionLimits> | undefined) {
    this.#node = node
    this.#limits = limits
    this.registry = new PeerRegistry(maxPeers)
  }

  /** An admitted inbound socket. */
  accept(socket: Socket): void {
    this.acceptStream(tcpTransport(socket), 'inbound')
  }

  /** An admitted stream of another transport (a swarm stream), opened by either side. */
  acceptStream(transport: Transport, direction: PeerDirection): void {
    this.#track(new PeerConnection(transport, direction, this.#node.local(), this.#limits))
  }

  /**
   * One dial to host:port, no retries: resolves with the peer once registered (or the one already connected there);
   * rejects with a ChatNodeError (bad_address, unreachable, dial_in_progress, self, full).
   */
  async dial(host: string, port: number): Promise<PeerSummary> {
    if (!Number.isInteger(port) || port < 1 || port > 65_535) {
      throw new ChatNodeError({code: 'bad_address', host, port})
    }

    if (host.length === 0) throw new ChatNodeError({code: 'bad_address', host, port})
    const own = this.#node.local().listen
    if (host === own.host && port === own.port) throw new ChatNodeError({code: 'self', host, port})
    const known = this.registry.list().find((conn) => conn.remote?.host === host && conn.remote.port === port)
    if (known) return known.summary()
    const key = addressKey(host, port)
    if (!(await this.registry.beginDial(key))) {
      throw new ChatNodeError({code: 'dial_in_progress', host, port})
    }

    try {
      return await this.#open(host, port)
    } finally {
      await this.registry.endDial(key)
    }
  }

  #open(host: string, port: number): Promise<PeerSummary> {
    return new Promise((resolve, reject) => {
      const socket = createConnection({host, port})
      const conn = new PeerConnection(tcpTransport(socket), 'outbound', this.#node.local(), this.#limits)
      let settled = false
      const fail = (reason: string): void => {
        if (settled) return
        settled = true
        reject(new ChatNodeError({code: 'unreachable', host, port, reason}))
      }

      socket.once('error', (error: NodeJS.ErrnoException) => fail(describeSocketError(error)))
      conn.once('close', (reason) => fail(reason))
      this.#track(conn, (result) => {
        if (settled) return
        settled = true
        if (result instanceof ChatNodeError) reject(result)
        else resolve(result)
      })
    })
  }

  /** Follows a connection from hello to close; `onSettled` learns how its registration ended. */
  #track(conn: PeerConnection, onSettled?: Settled): void {
    const node = this.#node
    node.hold(conn)
    conn.once('hello', (remote) => {
      node.release(conn)
      if (remote.id === node.selfId) {
        conn.close('connected to itself', {type: 'error', code: 'self', message: 'you connected to yourself (same identity)'})
        onSettled?.(new ChatNodeError({code: 'self', host: remote.host, port: remote.port}, `${remote.host}:${remote.port} is this node itself`))
        return
      }

      void this.#register(conn, onSettled)
    })
    conn.on('frame', (frame) => node.onFrame(conn, frame))
    conn.once('close', (reason, protocolError) => {
      node.release(conn)
      if (protocolError) {
        const code = conn.errorCode ?? 'peer_misbehaved'
        node.warn(code, `disconnected ${conn.label}: ${reason} (${code})`)
      }

      void this.#unregister(conn, reason)
    })
  }

  async #register(conn: PeerConnection, onSettled?: Settled): Promise<void> {
    const result = await this.registry.add(conn)
    if (!conn.isOpen) {
      // It closed while we waited for the lock: its close handler may have run before it was added.
      await this.registry.remove(conn)
      const {host, port} = conn.remote!
      onSettled?.(new ChatNodeError({code: 'unreachable', host, port, reason: 'closed the connection'}, `${conn.label} closed the connection`))
      return
    }

    switch (result.status) {
      case 'added': {
        this.#node.onPeerUp(conn)
        onSettled?.(conn.summary())
        return
      }

      case 'replaced': {
        // The same peer, now on the socket both ends agreed to keep; no second 'joined'.
        result.previous.close('duplicate connection', undefined)
        onSettled?.(conn.summary())
        return
      }

      case 'duplicate': {
        conn.close('duplicate connection', undefined)
        onSettled?.(result.existing.summary())
        return
      }

      case 'full': {
        conn.close('too many peers', {type: 'error', code: 'full', message: 'this node has no room for more peers'})
        onSettled?.(new ChatNodeError({code: 'full', maxPeers: this.registry.maxPeers}))
      }
    }
  }

  async #unregister(conn: PeerConnection, reason: string): Promise<void> {
    if (!conn.remote) return
    const removed = await this.registry.remove(conn)
    this.#node.onPeerDown(conn, reason, removed)
  }
}
