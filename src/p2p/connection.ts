// One socket to one peer (the seed's "thread per peer"): the frame loop, the hello handshake, the heartbeat and a
// bounded outbox. Every failure — a socket error, a bad frame, a missed deadline — goes through one idempotent
// destroy path, so a misbehaving peer closes its own connection and never throws into the event loop.

import {EventEmitter} from 'node:events'
import type {Socket} from 'node:net'

import {
  type DecodedFrame,
  decodeFrame,
  encodeFrame,
  type Frame,
  FrameDecoder,
  type HelloFrame,
  PROTOCOL_VERSION,
  ProtocolError,
} from './protocol.js'
import type {NodeInfo, PeerDirection, PeerSummary} from './types.js'

export const HELLO_TIMEOUT_MS = 5000
export const HEARTBEAT_INTERVAL_MS = 5000
export const PEER_DEAD_AFTER_MS = 15_000
export const CLOSE_GRACE_MS = 2000
export const TCP_KEEPALIVE_MS = 30_000
/** A peer that leaves this much unread in our send buffer is not reading: it is dropped, not buffered for. */
export const MAX_OUTBOX_BYTES = 1024 * 1024

export interface ConnectionLimits {
  helloTimeoutMs: number
  heartbeatIntervalMs: number
  deadAfterMs: number
  maxOutboxBytes: number
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  helloTimeoutMs: HELLO_TIMEOUT_MS,
  heartbeatIntervalMs: HEARTBEAT_INTERVAL_MS,
  deadAfterMs: PEER_DEAD_AFTER_MS,
  maxOutboxBytes: MAX_OUTBOX_BYTES,
}

export interface ConnectionEvents {
  /** The peer's hello arrived and was valid: `remote` is set from now on. */
  hello: [NodeInfo]
  /** A frame after the hello (ping/pong are answered here and not emitted). */
  frame: [Frame]
  /** The connection is gone; emitted exactly once. `protocolError` is set when the peer misbehaved. */
  close: [reason: string, protocolError: boolean]
}

const SOCKET_ERROR_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'host not found',
  EPIPE: 'connection closed',
  ETIMEDOUT: 'connection timed out',
}

/** A socket error in words a user can read. */
export function describeSocketError(error: NodeJS.ErrnoException): string {
  return (error.code && SOCKET_ERROR_REASONS[error.code]) ?? error.message
}

export class PeerConnection extends EventEmitter<ConnectionEvents> {
  readonly direction: PeerDirection
  readonly socket: Socket
  /** ms since the epoch when the hello exchange completed (0 before). */
  since = 0
  #remote: NodeInfo | undefined
  readonly #decoder = new FrameDecoder()
  readonly #limits: ConnectionLimits
  readonly #localId: string
  #helloTimer: NodeJS.Timeout | undefined
  #heartbeat: NodeJS.Timeout | undefined
  #graceTimer: NodeJS.Timeout | undefined
  #lastHeard = Date.now()
  #pingCounter = 0
  #closing = false
  #closed = false
  #closeReason = 'connection closed'
  #protocolError = false
  readonly #closedPromise: Promise<void>

  constructor(socket: Socket, direction: PeerDirection, localHello: HelloFrame, limits: Partial<ConnectionLimits> = {}) {
    super()
    this.socket = socket
    this.direction = direction
    this.#limits = {...DEFAULT_CONNECTION_LIMITS, ...limits}
    this.#localId = localHello.id
    this.#closedPromise = new Promise((resolve) => {
      socket.once('close', () => {
        this.#finish()
        resolve()
      })
    })

    socket.setNoDelay(true)
    socket.setKeepAlive(true, TCP_KEEPALIVE_MS)
    socket.on('error', (error: NodeJS.ErrnoException) => this.destroy(describeSocketError(error)))
    socket.on('data', (chunk: Buffer) => this.#onData(chunk))
    socket.on('end', () => {
      if (this.#decoder.midFrame) this.#fail(new ProtocolError('truncated', 'connection ended in the middle of a frame'))
      else this.destroy(this.#closing ? this.#closeReason : 'connection closed')
    })

    // A deadline for the whole hello, not an idle timer: dribbling bytes cannot extend it.
    this.#helloTimer = setTimeout(() => {
      this.#fail(new ProtocolError('hello_timeout', `no hello within ${this.#limits.helloTimeoutMs} ms`))
    }, this.#limits.helloTimeoutMs)
    this.sendFrame(localHello)
  }

  /** The peer as it introduced itself; undefined until its hello arrived. */
  get remote(): NodeInfo | undefined {
    return this.#remote
  }

  get isOpen(): boolean {
    return !this.#closing && !this.#closed
  }

  /** Resolves once the socket has fully closed. */
  get closed(): Promise<void> {
    return this.#closedPromise
  }

  /** A readable label for logs: the peer's listening address once known, else the socket's remote end. */
  get label(): string {
    if (this.#remote) return `${this.#remote.name} (${this.#remote.host}:${this.#remote.port})`
    return `${this.socket.remoteAddress ?? '?'}:${this.socket.remotePort ?? '?'}`
  }

  /** The remote node's id ('' before its hello). */
  get peerId(): string {
    return this.#remote?.id ?? ''
  }

  /** Which node opened this socket: the tie-break for two connections between the same pair. */
  get initiatorId(): string {
    return this.direction === 'outbound' ? this.#localId : this.peerId
  }

  summary(): PeerSummary {
    if (!this.#remote) throw new Error('peer has not said hello yet')
    return {...this.#remote, direction: this.direction, since: this.since}
  }

  sendFrame(frame: Frame): boolean {
    return this.write(encodeFrame(frame))
  }

  /** Writes an already encoded frame (a relay encodes once for all peers). False if the connection is closing. */
  write(bytes: Buffer): boolean {
    if (!this.isOpen || this.socket.destroyed) return false
    if (this.socket.writableLength + bytes.length > this.#limits.maxOutboxBytes) {
      this.destroy(`peer is not reading (more than ${this.#limits.maxOutboxBytes} bytes waiting)`)
      return false
    }

    this.socket.write(bytes)
    return true
  }

  /** Leaves politely: optionally an error frame or a bye, then FIN; forced closed after a grace period. */
  close(reason: string, farewell: Frame | undefined = {type: 'bye'}): void {
    if (this.#closing || this.#closed) return
    if (farewell) this.sendFrame(farewell)
    this.#closing = true
    this.#closeReason = reason
    this.#stopTimers()
    this.socket.end()
    this.#graceTimer = setTimeout(() => this.destroy(reason), CLOSE_GRACE_MS)
  }

  /** Closes at once. Idempotent; the first reason given wins. */
  destroy(reason: string): void {
    if (this.#closed) return
    if (!this.#closing) this.#closeReason = reason
    this.#closing = true
    this.#stopTimers()
    this.socket.destroy()
  }

  #fail(error: unknown): void {
    if (this.#closed || this.#protocolError) return
    const perr = error instanceof ProtocolError ? error : new ProtocolError('internal', String(error))
    this.#protocolError = true
    const reason = `protocol error (${perr.code}): ${perr.message}`
    // Nothing the peer sends from now on is looked at.
    this.socket.removeAllListeners('data')
    this.socket.resume()
    if (this.#closing) this.destroy(reason)
    else this.close(reason, {type: 'error', code: perr.code, message: perr.message})
  }

  #onData(chunk: Buffer): void {
    this.#lastHeard = Date.now()
    try {
      for (const body of this.#decoder.push(chunk)) {
        if (this.#closed || this.#protocolError) return
        this.#onFrame(decodeFrame(body))
      }
    } catch (error) {
      this.#fail(error)
    }
  }

  #onFrame(frame: DecodedFrame): void {
    if (!this.#remote) {
      if (frame.type === 'error') {
        this.destroy(`peer refused the connection: ${frame.message}`)
        return
      }

      if (frame.type !== 'hello') throw new ProtocolError('expected_hello', `expected hello, got "${frame.type}"`)
      this.#onHello(frame)
      return
    }

    switch (frame.type) {
      case 'hello': {
        throw new ProtocolError('repeated_hello', 'hello sent twice')
      }

      case 'ping': {
        this.sendFrame({type: 'pong', n: frame.n})
        return
      }

      case 'pong': {
        return
      }

      case 'unknown': {
        return // forward compatibility: a newer peer's frame we do not understand
      }

      case 'error': {
        this.destroy(`peer reported an error (${frame.code}): ${frame.message}`)
        return
      }

      case 'bye': {
        this.destroy('quit')
        return
      }

      default: {
        this.emit('frame', frame)
      }
    }
  }

  #onHello(hello: HelloFrame): void {
    if (hello.v !== PROTOCOL_VERSION) {
      throw new ProtocolError(
        'version',
        `protocol version ${hello.v} is not supported (this node speaks version ${PROTOCOL_VERSION})`,
      )
    }

    clearTimeout(this.#helloTimer)
    this.#helloTimer = undefined
    // A node listening on a wildcard address is reachable where its socket came from.
    const wildcard = hello.listen.host === '0.0.0.0' || hello.listen.host === '::'
    const host = wildcard ? (this.socket.remoteAddress ?? hello.listen.host) : hello.listen.host
    this.#remote = {id: hello.id, name: hello.name, host, port: hello.listen.port}
    this.since = Date.now()
    this.#lastHeard = Date.now()
    this.#heartbeat = setInterval(() => this.#beat(), this.#limits.heartbeatIntervalMs)
    this.emit('hello', this.#remote)
  }

  #beat(): void {
    if (Date.now() - this.#lastHeard > this.#limits.deadAfterMs) {
      this.destroy(`heartbeat timeout (silent for more than ${Math.round(this.#limits.deadAfterMs / 1000)} s)`)
      return
    }

    this.sendFrame({type: 'ping', n: ++this.#pingCounter})
  }

  #stopTimers(): void {
    clearTimeout(this.#helloTimer)
    clearInterval(this.#heartbeat)
    this.#helloTimer = undefined
    this.#heartbeat = undefined
  }

  #finish(): void {
    if (this.#closed) return
    this.#closed = true
    this.#stopTimers()
    clearTimeout(this.#graceTimer)
    this.emit('close', this.#closeReason, this.#protocolError)
  }
}
