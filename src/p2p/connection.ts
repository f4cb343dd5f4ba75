// One connection to one peer (the seed's "thread per peer"), over TCP or a swarm stream (./transport.ts): the
// encrypted session (handshake, then sealed frames), the heartbeat and a bounded outbox. Every failure — a socket
// error, a bad frame, a failed handshake, a missed deadline — goes through one idempotent destroy path, so a
// misbehaving peer closes its own connection and never throws into the event loop.

import {EventEmitter} from 'node:events'

import type {Identity} from './identity.js'
import type {Transport} from './transport.js'
import type {CloseCode, NodeInfo, PeerDirection, PeerSummary} from './types.js'

import {type CloseCause, describeSocketError, socketCloseCode} from './connect-failure.js'
import {CLOSE_GRACE_MS, type ConnectionLimits, DEFAULT_CONNECTION_LIMITS} from './connection-limits.js'
import {Heartbeat} from './heartbeat.js'
import {type DecodedFrame, decodeFrame, encodeBody, type Frame, ProtocolError, type WireAddress} from './protocol.js'
import {TokenBucket} from './rate-limit.js'
import {type RoomKeyMaterial, SecureSession, SessionError} from './secure-session.js'

// The limits are part of a connection's interface: importers of this module find them here too.
export * from './connection-limits.js'
export {TCP_KEEPALIVE_MS} from './transport.js'

/** What this node says about itself in every handshake. */
export interface LocalEnd {
  identity: Identity
  name: string
  listen: WireAddress
  room: RoomKeyMaterial
  /** A short-lived sender (`chat send`), as the hello says. */
  transient?: boolean
  /** Speaks lazy push, as the hello says. */
  lazy?: boolean
}

/** The farewell close() sends unless told otherwise. */
const BYE: Frame = {type: 'bye'}

export interface ConnectionEvents {
  /** The handshake completed and the peer's signed hello was valid: `remote` is set from now on. */
  hello: [NodeInfo]
  /** A frame after the handshake (ping/pong are answered here and not emitted). */
  frame: [Frame]
  /** The connection is gone; emitted exactly once. `protocolError` is set when the peer misbehaved. */
  close: [reason: string, protocolError: boolean, code: CloseCode]
}

export class PeerConnection extends EventEmitter<ConnectionEvents> {
  readonly direction: PeerDirection
  readonly transport: Transport
  /** ms since the epoch when the hello exchange completed (0 before). */
  since = 0
  #remote: NodeInfo | undefined
  #transient = false
  #lazy = false
  /** How far the peer's clock is ahead of ours, from its hello (undefined: it did not say). */
  clockOffsetMs: number | undefined
  /** The address this node dialled to open it (outbound only): the one to redial, which may differ from `remote`. */
  dialled: {host: string; port: number} | undefined
  readonly #session: SecureSession
  readonly #frameBudget: TokenBucket
  readonly #limits: ConnectionLimits
  readonly #localId: string
  #helloTimer: NodeJS.Timeout | undefined
  readonly #heartbeat: Heartbeat
  #graceTimer: NodeJS.Timeout | undefined
  #lastHeard = Date.now()
  #closing = false
  #closed = false
  #closeReason = 'connection closed'
  #closeCode: CloseCode = 'closed'
  #protocolError = false
  #errorCode: string | undefined
  #socketErrno: string | undefined
  #silentClose = false
  #refusedHandshake = false
  readonly #closedPromise: Promise<void>

  constructor(transport: Transport, direction: PeerDirection, local: LocalEnd, limits: Partial<ConnectionLimits> = {}) {
    super()
    this.transport = transport
    this.direction = direction
    this.#limits = {...DEFAULT_CONNECTION_LIMITS, ...limits}
    this.#localId = local.identity.id
    const socket = transport.stream
    this.#session = new SecureSession({initiator: direction === 'outbound', ...local})
    this.#frameBudget = new TokenBucket(this.#limits.framesPerSecond, this.#limits.frameBurst)
    this.#heartbeat = new Heartbeat(
      {
        send: (ping) => this.sendFrame(ping),
        lastHeard: () => this.#lastHeard,
        dead: (reason) => this.destroy(reason, 'heartbeat'),
      },
      this.#limits,
    )
    this.#closedPromise = new Promise((resolve) => {
      socket.once('close', () => {
        this.#finish()
        resolve()
      })
    })

    // A swarm stream's error may carry no errno: classifyClose then goes by the protocol code or the silent close.
    socket.on('error', (error: NodeJS.ErrnoException) => {
      this.#socketErrno ??= error.code
      this.destroy(describeSocketError(error), socketCloseCode(error))
    })
    socket.on('data', (chunk: Buffer) => this.#onData(chunk))
    socket.on('end', () => {
      if (this.#session.awaitingFirstReply) {
        this.#silentClose = true
        this.#refusedHandshake = true
        this.destroy(
          'the peer closed the handshake: the room secret does not match, or it accepts no more connections',
          'refused_handshake',
        )
      } else {
        this.destroy(
          this.#closing ? this.#closeReason : 'connection closed',
          this.#closing ? this.#closeCode : 'closed',
        )
      }
    })

    // A deadline for the whole handshake, not an idle timer: dribbling bytes cannot extend it.
    this.#helloTimer = setTimeout(() => {
      this.#fail(
        new SessionError(
          'handshake_timeout',
          `the handshake did not finish within ${this.#limits.handshakeTimeoutMs} ms`,
        ),
      )
    }, this.#limits.handshakeTimeoutMs)
    for (const bytes of this.#session.start()) socket.write(bytes)
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
    return this.transport.remoteLabel()
  }

  /** True when the peer said in its hello that it is a short-lived sender: no join or leave line for it. */
  get transient(): boolean {
    return this.#transient
  }

  /** True when the peer said in its hello that it speaks lazy push: it may be sent ids instead of chat messages. */
  get lazy(): boolean {
    return this.#lazy
  }

  /** The remote node's id ('' before its hello). */
  get peerId(): string {
    return this.#remote?.id ?? ''
  }

  /** What this connection runs over. */
  get kind(): 'swarm' | 'tcp' {
    return this.transport.kind
  }

  /** Which node opened this socket: the tie-break for two connections between the same pair. */
  get initiatorId(): string {
    return this.direction === 'outbound' ? this.#localId : this.peerId
  }

  summary(): PeerSummary {
    if (!this.#remote) throw new Error('peer has not said hello yet')
    const route = this.transport.route ? {route: this.transport.route} : {}
    return {
      ...this.#remote,
      direction: this.direction,
      since: this.since,
      transport: this.transport.kind,
      ...route,
      ...(this.#transient ? {transient: true} : {}),
    }
  }

  sendFrame(frame: Frame): boolean {
    return this.sendBody(encodeBody(frame))
  }

  /**
   * Resolves true once the peer answers a ping sent now. The stream is ordered and authenticated, so the peer has
   * then read and handled every frame written to it before the call. False if the connection closes first or
   * `timeoutMs` passes.
   */
  roundTrip(timeoutMs: number): Promise<boolean> {
    return this.isOpen ? this.#heartbeat.roundTrip(timeoutMs) : Promise.resolve(false)
  }

  /** Seals and writes an encoded frame body (a relay encodes once for all peers). False if it cannot be sent. */
  sendBody(body: Buffer): boolean {
    if (!this.isOpen || this.transport.stream.destroyed || !this.#session.established) return false
    if (this.transport.queuedBytes() + body.length > this.#limits.maxOutboxBytes) {
      this.destroy(`peer is not reading (more than ${this.#limits.maxOutboxBytes} bytes waiting)`, 'not_reading')
      return false
    }

    let sealed: Buffer
    try {
      sealed = this.#session.seal(body)
    } catch (error) {
      this.destroy((error as Error).message, 'error')
      return false
    }

    // Not corked per turn: batching a relay's writes cut its throughput by a third in the in-process soak
    // (docs/performance.md).
    this.transport.stream.write(sealed)
    return true
  }

  /** Closes the connection because the peer broke the rules (a forged message, say); reported as misbehaviour. */
  reject(error: ProtocolError): void {
    this.#fail(error)
  }

  /** Leaves politely: optionally an error frame or a bye, then FIN; forced closed after a grace period. */
  close(reason: string, farewell: Frame | undefined = BYE, code: CloseCode = 'closed'): void {
    if (this.#closing || this.#closed) return
    if (farewell) this.sendFrame(farewell)
    this.#closing = true
    this.#closeReason = reason
    this.#closeCode = code
    this.#stopTimers()
    this.transport.stream.end()
    this.#graceTimer = setTimeout(() => this.destroy(reason, code), CLOSE_GRACE_MS)
  }

  /** Closes at once. Idempotent; the first reason (and code) given wins. */
  destroy(reason: string, code: CloseCode = 'closed'): void {
    if (this.#closed) return
    if (!this.#closing) {
      this.#closeReason = reason
      this.#closeCode = code
    }

    this.#closing = true
    this.#stopTimers()
    this.transport.stream.destroy()
  }

  /** What closed this connection, for classifying a failure before the hello (see connect-failure.ts). */
  get closeCause(): CloseCause {
    return {errno: this.#socketErrno, protocolCode: this.#errorCode, silentClose: this.#silentClose}
  }

  /** The socket's other end (not the peer's listening address): where an inbound connection came from. */
  get socketPeer(): {host: string; port: number} {
    return this.transport.remotePeer()
  }

  /** The IP a TCP connection came from (peer health cools it down); undefined for a swarm stream. */
  get remoteIp(): string | undefined {
    if (this.transport.kind !== 'tcp') return undefined
    const {host} = this.transport.remotePeer() // kept from the start: a destroyed socket forgets it
    return host === 'unknown' ? undefined : host
  }

  /** Outbound: the peer closed the socket before answering our first handshake message (a wrong room, or full). */
  get refusedHandshake(): boolean {
    return this.#refusedHandshake
  }

  /** The code of the protocol error that closed this connection, if one did. */
  get errorCode(): string | undefined {
    return this.#errorCode
  }

  #fail(error: unknown): void {
    if (this.#closed || this.#protocolError) return
    const perr = error instanceof ProtocolError ? error : new ProtocolError('internal', String(error))
    this.#protocolError = true
    this.#errorCode = perr.code
    // Nothing the peer sends from now on is looked at.
    this.transport.stream.removeAllListeners('data')
    this.transport.stream.resume()
    if (!this.#session.established) {
      // Before the handshake completes nothing is said in clear, except the answer a version-1 node can read.
      if (perr instanceof SessionError && perr.reply) this.transport.stream.write(perr.reply)
      this.#closing = true
      this.#closeReason = perr.message
      this.#closeCode = perr.code
      this.#stopTimers()
      this.transport.stream.end()
      this.#graceTimer = setTimeout(() => this.destroy(perr.message, perr.code), CLOSE_GRACE_MS)
      return
    }

    if (this.#closing) this.destroy(perr.message, perr.code)
    else this.close(perr.message, {type: 'error', code: perr.code, message: perr.message}, perr.code)
  }

  #onData(chunk: Buffer): void {
    this.#lastHeard = Date.now()
    try {
      const out = this.#session.receive(chunk)
      for (const bytes of out.write) this.transport.stream.write(bytes)
      if (out.established) this.#onHello(out.established)
      for (const body of out.bodies) {
        if (this.#closed || this.#protocolError) return
        if (!this.#frameBudget.take()) {
          throw new ProtocolError('rate_limited', `more than ${this.#limits.framesPerSecond} frames per second`)
        }

        this.#onFrame(decodeFrame(body))
      }
    } catch (error) {
      this.#fail(error)
    }
  }

  #onFrame(frame: DecodedFrame): void {
    switch (frame.type) {
      case 'ping': {
        this.sendFrame({type: 'pong', n: frame.n})
        return
      }

      case 'pong': {
        this.#heartbeat.pong(frame.n)
        return
      }

      case 'unknown': {
        return // forward compatibility: a newer peer's frame we do not understand
      }

      case 'error': {
        this.destroy(`peer reported an error (${frame.code}): ${frame.message}`, 'peer_error')
        return
      }

      case 'bye': {
        this.destroy('quit', 'quit')
        return
      }

      default: {
        this.emit('frame', frame)
      }
    }
  }

  #onHello(hello: NodeInfo & {clockOffsetMs?: number; transient?: true; lazy?: true}): void {
    this.clockOffsetMs = hello.clockOffsetMs
    clearTimeout(this.#helloTimer)
    this.#helloTimer = undefined
    if (this.transport.expectedId !== undefined && hello.id !== this.transport.expectedId) {
      // The swarm's Noise key proved who is at the other end; a hello signed by anyone else is an impostor's relay.
      this.#fail(
        new ProtocolError('identity_mismatch', "the peer's hello names another node than its swarm key proves"),
      )
      return
    }

    // A node listening on a wildcard address is reachable where its socket came from.
    const wildcard = hello.host === '0.0.0.0' || hello.host === '::'
    const host = wildcard ? (this.transport.remoteHost() ?? hello.host) : hello.host
    this.#remote = {id: hello.id, name: hello.name, host, port: hello.port}
    this.#transient = hello.transient === true
    this.#lazy = hello.lazy === true
    this.since = Date.now()
    this.#lastHeard = Date.now()
    this.#heartbeat.start()
    this.emit('hello', this.#remote)
  }

  #stopTimers(): void {
    clearTimeout(this.#helloTimer)
    this.#heartbeat.stop()
    this.#helloTimer = undefined
  }

  #finish(): void {
    if (this.#closed) return
    this.#closed = true
    this.#stopTimers()
    clearTimeout(this.#graceTimer)
    this.#heartbeat.closed()
    this.emit('close', this.#closeReason, this.#protocolError, this.#closeCode)
  }
}
