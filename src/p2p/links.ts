// A connection's way from socket to peer table and out again (libp2p tcp's socket-to-conn, hyperswarm's
// connection-set): an outgoing dial, the hello, the refusal of our own identity, registration (settling duplicates
// and a full table) and removal. The node learns only the outcomes: a peer up, a link closed, a frame.

import {createConnection, type Socket} from 'node:net'

import type {Frame} from './protocol.js'
import type {CloseCode, NodeInfo, PeerDirection, PeerSummary} from './types.js'

import {classifyClose, type ConnectFailure, describeFailure} from './connect-failure.js'
import {type ConnectionLimits, type LocalEnd, PeerConnection} from './connection.js'
import {addressKey} from './dial-policy.js'
import {ChatNodeError} from './errors.js'
import {PeerRegistry} from './registry.js'
import {tcpTransport, type Transport} from './transport.js'

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
  onPeerDown(conn: PeerConnection, reason: string, removed: boolean, code: CloseCode): void
  /** The peer's connection was replaced by this one (both ends keep the same socket of a simultaneous dial). */
  onPeerReplaced?(conn: PeerConnection): void
  onFrame(conn: PeerConnection, frame: Frame): void
  /** `failure` is set for a connection that failed before its hello (then `code` is its code). */
  warn(code: string, message: string, failure?: ConnectFailure): void
  /** Before a dial: an error refusing it (the address is on the cool-down list), or undefined. */
  refuseDial?(host: string, port: number): ChatNodeError | undefined
  /** An outbound connection was opened to host:port (the address to cool down if it misbehaves). */
  dialled?(conn: PeerConnection, host: string, port: number): void
  /** After the hello: an error frame's reason to refuse this peer with (it is on the cool-down list), or undefined. */
  refuseAfterHello?(
    conn: PeerConnection,
    remote: NodeInfo,
  ): {code: string; host: string; port: number; until: number} | undefined
  /** A connection closed; false keeps its protocol error off the screen (the same offender again this period). */
  closed?(conn: PeerConnection, protocolError: boolean): boolean
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
    const refused = this.#node.refuseDial?.(host, port)
    if (refused) throw refused
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
      this.#node.dialled?.(conn, host, port)
      conn.dialled = {host, port}
      let settled = false
      const fail = (): void => {
        if (settled) return
        settled = true
        const failure = this.#failure(conn, {host, port})
        reject(
          new ChatNodeError(
            {code: 'unreachable', host, port, failure},
            describeFailure(failure, this.#limits?.handshakeTimeoutMs),
          ),
        )
      }

      socket.once('error', fail)
      conn.once('close', fail)
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
        conn.close(
          'connected to itself',
          {type: 'error', code: 'self', message: 'you connected to yourself (same identity)'},
          'self',
        )
        onSettled?.(
          new ChatNodeError(
            {code: 'self', host: remote.host, port: remote.port},
            `${remote.host}:${remote.port} is this node itself`,
          ),
        )
        return
      }

      const cooling = node.refuseAfterHello?.(conn, remote)
      if (cooling) {
        // Refused quietly: it was told once, when it was cut; a line per attempt would flood this screen.
        const until = new Date(cooling.until).toISOString()
        conn.close(
          'on the cool-down list',
          {type: 'error', code: 'cooling_down', message: `not accepted until ${until} (${cooling.code})`},
          'cooling_down',
        )
        onSettled?.(
          new ChatNodeError({
            code: 'cooling_down',
            host: cooling.host,
            port: cooling.port,
            reason: cooling.code,
            until: cooling.until,
          }),
        )
        return
      }

      void this.#register(conn, onSettled)
    })
    conn.on('frame', (frame) => node.onFrame(conn, frame))
    conn.once('close', (reason, protocolError, code) => {
      node.release(conn)
      // One line per offender per cool-down period, not one per attempt.
      const report = node.closed?.(conn, protocolError) ?? true
      const failed = protocolError && !conn.remote ? classifyClose(conn.closeCause) : undefined
      if (failed) {
        // Before the hello: a dialler's failure is its dial's error; a listener says who failed and why. A swarm
        // stream has no dial to fail, whichever side opened it, so it is said too.
        if ((conn.direction === 'inbound' || conn.transport.kind === 'swarm') && report) {
          const failure = this.#failure(conn, conn.socketPeer)
          node.warn(failure.code, describeFailure(failure, this.#limits?.handshakeTimeoutMs), failure)
        }
      } else if (protocolError && report) {
        const code = conn.errorCode ?? 'peer_misbehaved'
        node.warn(code, `disconnected ${conn.label}: ${reason} (${code})`)
      }

      void this.#unregister(conn, reason, code)
    })
  }

  async #register(conn: PeerConnection, onSettled?: Settled): Promise<void> {
    const result = await this.registry.add(conn)
    if (!conn.isOpen) {
      // It closed while we waited for the lock: its close handler may have run before it was added.
      await this.registry.remove(conn)
      const {host, port} = conn.remote!
      const failure: ConnectFailure = {code: 'closed', direction: conn.direction, host, port}
      onSettled?.(new ChatNodeError({code: 'unreachable', host, port, failure}, `${conn.label} closed the connection`))
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
        result.previous.close('duplicate connection', undefined, 'duplicate')
        this.#node.onPeerReplaced?.(conn)
        onSettled?.(conn.summary())
        return
      }

      case 'duplicate': {
        conn.close('duplicate connection', undefined, 'duplicate')
        onSettled?.(result.existing.summary())
        return
      }

      case 'full': {
        conn.close(
          'too many peers',
          {type: 'error', code: 'full', message: 'this node has no room for more peers'},
          'full',
        )
        onSettled?.(new ChatNodeError({code: 'full', maxPeers: this.registry.maxPeers}))
      }
    }
  }

  /** Why a connection failed before its hello, at `where` (the address dialled, or the socket's other end). */
  #failure(conn: PeerConnection, where: {host: string; port: number}): ConnectFailure {
    const cause = conn.closeCause
    const code = classifyClose(cause) ?? 'closed'
    return {
      code,
      direction: conn.direction,
      host: where.host,
      port: where.port,
      ...(cause.errno ? {errno: cause.errno} : {}),
    }
  }

  async #unregister(conn: PeerConnection, reason: string, code: CloseCode): Promise<void> {
    if (!conn.remote) return
    const removed = await this.registry.remove(conn)
    this.#node.onPeerDown(conn, reason, removed, code)
  }
}
