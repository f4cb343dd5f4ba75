// ChatNode: one peer of the chat, a TCP server and a client at once. It owns the lifecycle, dialling and flooding,
// and reports everything through typed events. Its helpers each get a small host object of callbacks: Listener
// (admission), Links (a connection's way into the peer table), SignedIntake (validation), HistorySync, DirectMessages
// and Mesh. A library: no terminal, no files, no process handling. Map: docs/architecture.md.

import {EventEmitter} from 'node:events'

import pTimeout from 'p-timeout'

import type {PeerConnection} from './connection.js'
import {DirectMessages} from './direct.js'
import {ChatNodeError} from './errors.js'
import {relayTargets, SeenCache} from './flood.js'
import {HistorySync} from './history-sync.js'
import {generateIdentity, type Identity} from './identity.js'
import {SignedIntake} from './intake.js'
import {LeaveGrace} from './leave-grace.js'
import {Links} from './links.js'
import {Listener} from './listener.js'
import {Mesh} from './mesh.js'
import {authorMessage, chatMessage, checkText} from './message-auth.js'
import {
  AUTHOR_MESSAGE_BURST,
  AUTHOR_MESSAGES_PER_SECOND,
  type ChatNodeOptions,
  DEFAULT_HOST,
  DEFAULT_PORT,
  MAX_HELD_MESSAGES,
  STOP_TIMEOUT_MS,
} from './options.js'
import {type ChatFrame, encodeBody, type Frame, MAX_NAME_CHARS, MAX_PEERS_PER_FRAME, type SignedFrame} from './protocol.js'
import {KeyedRateLimiter} from './rate-limit.js'
import {PUBLIC_ROOM, type RoomKey} from './room.js'
import {Sender} from './sender.js'
import type {SwarmLink} from './swarm/swarm.js'
import type {ChatMessage, ChatNodeEvents, DirectMessage, NodeInfo, PeerSummary} from './types.js'

export {ChatNodeError} from './errors.js'
export {DEFAULT_HISTORY_MESSAGES} from './history-sync.js'
export {type ChatNodeOptions, DEFAULT_HOST, DEFAULT_PORT} from './options.js'

/** One handler per frame type a node acts on; the others (ping, pong, bye, error) stop in the connection. */
type FrameHandlers = {[T in Frame['type']]?: (conn: PeerConnection, frame: Extract<Frame, {type: T}>) => void}

export class ChatNode extends EventEmitter<ChatNodeEvents> {
  readonly name: string
  readonly id: string
  readonly #identity: Identity
  readonly #room: RoomKey
  #seq = 0
  readonly #seen: SeenCache
  readonly #sender: Sender
  #state: 'idle' | 'running' | 'starting' | 'stopped' | 'stopping' = 'idle'
  readonly #listener: Listener<PeerConnection>
  readonly #links: Links
  readonly #mesh: Mesh
  readonly #history: HistorySync
  readonly #direct: DirectMessages
  readonly #intake: SignedIntake
  readonly #held: ChatFrame[] = []
  #everConnected = false
  readonly #swarmOptions: ChatNodeOptions['swarm']
  #swarm: SwarmLink | undefined
  /** Swarm streams replaced as duplicates: the peer stays, so its leave waits for it to come back (LeaveGrace). */
  readonly #swaps = new LeaveGrace()
  readonly #handlers: FrameHandlers = {
    chat: (conn, frame) => this.#onChat(conn, frame),
    peers: (conn, frame) => {
      if (conn.kind !== 'tcp') return // the TCP peer exchange stays among TCP peers (see #sendPeers)
      this.#mesh.learn(frame.peers)
      this.#mesh.maintain()
    },
    history_request: (conn, frame) => this.#history.onRequest(conn, frame.n),
    history: (conn, frame) => this.#history.onHistory(conn, frame),
    announce: (conn, frame) => this.#direct.onAnnounce(conn, frame),
    keys: (conn, frame) => this.#direct.onKeys(conn, frame),
    dm: (conn, frame) => this.#direct.onDirect(conn, frame),
  }

  constructor(options: ChatNodeOptions) {
    super()
    const name = options.name.trim()
    if (name.length === 0 || name.length > MAX_NAME_CHARS || /[\u0000-\u001F\u007F-\u009F]/.test(name)) {
      throw new ChatNodeError({code: 'bad_name', limit: MAX_NAME_CHARS})
    }

    this.name = name
    this.#identity = options.identity ?? generateIdentity()
    this.#room = options.room ?? PUBLIC_ROOM
    this.#swarmOptions = options.swarm
    this.id = this.#identity.id
    this.#seen = new SeenCache(options.seenCache)
    this.#sender = new Sender((error) => this.#warn('send_failed', `could not send: ${String(error)}`))
    const author = options.authorRate ?? {perSecond: AUTHOR_MESSAGES_PER_SECOND, burst: AUTHOR_MESSAGE_BURST}
    // Later checks plug in here: `beforeSignature` (a per-link budget), `onReject` (a score penalty).
    this.#intake = new SignedIntake({selfId: this.id, seen: this.#seen, authorLimiter: new KeyedRateLimiter(author.perSecond, author.burst)})
    const running = (): boolean => this.#state === 'running'
    const warn = (code: string, message: string): void => this.#warn(code, message)
    const peerCount = (): number => this.#links.registry.size
    const {host = DEFAULT_HOST, port = DEFAULT_PORT} = options
    const limits = {maxPending: options.maxPendingConnections, inboundRatePerIp: options.inboundRatePerIp, limitLoopback: options.limitLoopback}
    this.#listener = new Listener(
      {isRunning: running, peerCount, maxPeers: () => this.#links.registry.maxPeers, accept: (socket) => this.#links.accept(socket), warn},
      {host, port, ...limits},
    )
    this.#links = new Links(
      {
        selfId: this.id,
        local: () => ({identity: this.#identity, name: this.name, listen: {host, port: this.#listener.port}, room: this.#room}),
        hold: (conn) => this.#listener.hold(conn),
        release: (conn) => this.#listener.release(conn),
        onPeerUp: (conn) => this.#onPeerUp(conn),
        onPeerDown: (conn, reason, removed) => this.#onPeerDown(conn, reason, removed),
        onFrame: (conn, frame) => this.#onFrame(conn, frame),
        warn,
      },
      options.maxPeers,
      options.connection,
    )
    this.#mesh = new Mesh(
      {
        selfId: this.id,
        isRunning: running,
        connectedIds: () => new Set(this.#links.registry.list().map((conn) => conn.peerId)),
        connectionCount: peerCount,
        dialOnce: async (host, port) => (await this.#connectOnce(host, port)).id,
        exchangePeers: () => {
          for (const conn of this.#links.registry.list()) this.#sendPeers(conn)
        },
      },
      {...options.mesh, degree: options.degree ?? undefined},
    )
    const deliver = (message: ChatMessage): boolean => this.emit('message', message)
    this.#history = new HistorySync({intake: this.#intake, deliver}, options.history)
    this.#direct = new DirectMessages({
      identity: this.#identity,
      seen: this.#seen,
      intake: this.#intake,
      info: () => this.info,
      nextSeq: () => ++this.#seq,
      isRunning: running,
      peerCount,
      broadcast: (frame, cameFrom) => this.#broadcast(frame, cameFrom),
      deliver: (message) => this.emit('direct', message),
      warn,
    })
  }

  /** This node as peers see it. The port is the real one once started (also when 0 was asked for). */
  get info(): NodeInfo {
    return {id: this.id, name: this.name, host: this.#listener.host, port: this.#listener.port}
  }

  /** With swarm options and `relay`: the blind relay's key others pass to --relay-through (hex). */
  get relayKey(): string | undefined {
    return this.#swarm?.relayKey
  }

  get running(): boolean {
    return this.#state === 'running'
  }

  /** Starts listening; resolves once connections are accepted, after emitting `ready`. */
  async start(): Promise<NodeInfo> {
    if (this.#state !== 'idle') throw new ChatNodeError({code: 'already_started'})
    this.#state = 'starting'
    try {
      await this.#listener.listen()
    } catch (error) {
      this.#state = 'stopped'
      throw error
    }

    this.#state = 'running'
    if (this.#swarmOptions) await this.#joinSwarm(this.#swarmOptions)
    this.#mesh.start()
    this.#direct.start()
    this.emit('ready', this.info)
    return this.info
  }

  /** Connected peers, by their listening addresses. */
  peers(): PeerSummary[] {
    return this.#links.registry.list().map((conn) => conn.summary())
  }

  /** Peers this node has heard of (from its peers' `peers` frames), connected or not. */
  knownPeers(): Array<{host: string; id: string; port: number}> {
    return this.#mesh.known().map(({host, id, port}) => ({host, id, port}))
  }

  /**
   * Connects to the node listening at host:port. Resolves with the peer once the handshake is done (or with the
   * existing peer if already connected to it); rejects with a ChatNodeError saying what failed. Unless
   * `persistent` is false, the address is kept: retried with backoff while unreachable or after it leaves.
   */
  async connect(host: string, port: number, {persistent = true}: {persistent?: boolean} = {}): Promise<PeerSummary> {
    if (this.#state !== 'running') throw new ChatNodeError({code: 'not_running'})
    try {
      const peer = await this.#connectOnce(host, port)
      if (persistent) this.#mesh.pin(host, port)
      return peer
    } catch (error) {
      const code = (error as ChatNodeError).code
      if (persistent && (code === 'unreachable' || code === 'dial_in_progress')) {
        this.#mesh.pin(host, port)
        this.#mesh.scheduleRedial(host, port)
      }

      throw error
    }
  }

  async #connectOnce(host: string, port: number): Promise<PeerSummary> {
    if (this.#state !== 'running') throw new ChatNodeError({code: 'not_running'})
    return this.#links.dial(host, port)
  }

  /** Sends a chat message (an action with `{action: true}`) to every peer. Returns it as sent (for showing and logging). */
  send(text: string, options: {action?: boolean} = {}): ChatMessage {
    if (this.#state !== 'running') throw new ChatNodeError({code: 'not_running'})
    checkText(text)

    const kind = options.action ? {kind: 'action' as const} : {}
    const {frame, message} = authorMessage(this.#identity, {from: this.info, text, ts: Date.now(), seq: ++this.#seq, ...kind})
    this.#seen.add(message.id)
    this.#history.remember(frame)
    if (this.#links.registry.size === 0 && this.#everConnected) {
      // Cut off from a network we were part of (the mesh is healing): keep it for the next peer rather than lose
      // it. A node that never had a peer is talking to an empty room; newcomers get --history instead.
      this.#held.push(frame)
      if (this.#held.length > MAX_HELD_MESSAGES) this.#held.shift()
    } else {
      this.#broadcast(frame, undefined)
    }

    this.emit('sent', message)
    return message
  }

  /** Nodes this one can write to with sendDirect (those that announced a key), most recently heard last. */
  directory(): NodeInfo[] {
    return this.#direct.directory()
  }

  /** Sends a message only `to` can read, flooded through relays that cannot. Throws if its key is unknown. */
  sendDirect(to: string, text: string): DirectMessage {
    if (this.#state !== 'running') throw new ChatNodeError({code: 'not_running'})
    checkText(text)
    const message = this.#direct.send(to, text)
    this.emit('direct_sent', message)
    return message
  }

  /** Resolves when every message sent so far has been handed to the sockets. */
  flush(): Promise<void> {
    return this.#sender.drain()
  }

  /**
   * Resolves with the peers that have read everything this node sent before the call: the outgoing queue is written
   * out, then every connected peer answers a ping, and its pong comes after it handled each earlier frame of that
   * ordered, authenticated stream. Peers that do not answer within `timeoutMs` are left out.
   */
  async confirmDelivery(timeoutMs = 5000): Promise<PeerSummary[]> {
    await this.#sender.drain()
    const connections = this.#links.registry.list()
    const answered = await Promise.all(connections.map((conn) => conn.roundTrip(timeoutMs)))
    return connections.filter((_, i) => answered[i]).map((conn) => conn.summary())
  }

  /** Leaves gracefully: tells every peer `bye`, waits for the sockets (2 s at most), closes the server. */
  async stop(): Promise<void> {
    if (this.#state === 'stopped' || this.#state === 'stopping' || this.#state === 'idle') {
      this.#state = 'stopped'
      return
    }

    this.#state = 'stopping'
    this.#mesh.stop()
    this.#direct.stop()
    this.#swaps.clear()
    const serverClosed = this.#listener.close()
    const swarmClosed = this.#swarm?.destroy().catch(() => {})
    await this.#sender.stop()
    const connections = [...(await this.#links.registry.clear()), ...this.#listener.takePending()]
    for (const conn of connections) conn.close('this node is leaving')
    await pTimeout(Promise.all(connections.map((conn) => conn.closed)), {milliseconds: STOP_TIMEOUT_MS, fallback: () => []})
    for (const conn of connections) conn.destroy('this node is leaving')
    await Promise.all(connections.map((conn) => conn.closed))
    await serverClosed
    await swarmClosed
    this.#seen.clear()
    this.#state = 'stopped'
  }

  // --- peers coming and going: each helper's part, in this order ---

  #onPeerUp(conn: PeerConnection): void {
    const remote = conn.summary()
    const peerCount = this.#links.registry.size
    this.#everConnected = true
    this.#sendPeers(conn)
    for (const frame of this.#held.splice(0)) this.#broadcast(frame, undefined)
    this.#direct.onPeerUp(conn, peerCount)
    if (conn.kind === 'tcp') {
      this.#mesh.learn([remote])
      // Tell the others about the newcomer at once, so the mesh can route around a relay that dies soon after.
      const announce = [{id: remote.id, host: remote.host, port: remote.port}]
      for (const other of this.#links.registry.list()) if (other !== conn && other.kind === 'tcp') other.sendFrame({type: 'peers', peers: announce})
    }

    this.#history.onPeerUp(conn, peerCount)
    if (!this.#swaps.up(remote.id)) this.emit('peer_joined', conn.summary())
  }

  #onPeerDown(conn: PeerConnection, reason: string, removed: boolean): void {
    this.#history.onPeerDown(conn)
    if (!removed || this.#state !== 'running' || !conn.remote) return
    const left = {...conn.remote, reason}
    if (conn.kind === 'swarm' && /duplicate/i.test(reason)) {
      this.#swaps.down(left.id, () => {
        if (this.#state === 'running' && !this.#links.registry.get(left.id)) this.emit('peer_left', left)
      })
    } else {
      this.emit('peer_left', left)
    }

    this.#mesh.scheduleRedial(conn.remote.host, conn.remote.port)
    this.#mesh.maintain()
  }

  #sendPeers(conn: PeerConnection): void {
    // The TCP peer exchange stays among TCP peers: a swarm peer finds others on the DHT, and a LAN's addresses
    // mean nothing (and tell too much) across the internet.
    if (conn.kind !== 'tcp') return
    const peers = this.#links.registry
      .list()
      .filter((other) => other !== conn && other.remote && other.kind === 'tcp')
      .slice(0, MAX_PEERS_PER_FRAME)
      .map((other) => ({id: other.peerId, host: other.remote!.host, port: other.remote!.port}))
    if (peers.length > 0) conn.sendFrame({type: 'peers', peers})
  }

  // --- the swarm ---

  /** Loads Hyperswarm (only now) and joins the room's topic; its streams are tracked like TCP connections. */
  async #joinSwarm(options: NonNullable<ChatNodeOptions['swarm']>): Promise<void> {
    try {
      const {SwarmLink} = await import('./swarm/swarm.js')
      this.#swarm = await SwarmLink.open(
        {...options, identity: this.#identity, room: this.#room, maxPeers: options.maxPeers ?? this.#mesh.degree},
        {
          admit: () => this.#listener.hasRoom(),
          accept: (transport, direction) => this.#links.acceptStream(transport, direction),
          warn: (warning) => this.emit('warning', warning),
          isConnected: (id) => this.#links.registry.get(id) !== undefined,
        },
      )
    } catch (error) {
      this.#warn('swarm_failed', `could not join the swarm (${(error as Error).message}): the node keeps running on TCP`)
    }
  }

  // --- flooding ---

  /** Every frame after the handshake goes to the handler of its type (`#handlers`). */
  #onFrame(conn: PeerConnection, frame: Frame): void {
    // A node that is leaving delivers nothing more: what is shown and what is logged stay the same.
    // Frames from a connection still settling (or a duplicate being closed) count too: the seen-cache dedups.
    if (this.#state !== 'running') return
    const handler = this.#handlers[frame.type] as ((conn: PeerConnection, frame: Frame) => void) | undefined
    handler?.(conn, frame)
  }

  #onChat(conn: PeerConnection, frame: ChatFrame): void {
    const result = this.#intake.receive(conn, 'chat', frame)
    if (result.status !== 'new') return
    this.#history.remember(frame)
    // Forward first: what the listeners do with the message (display, history) is not on the next hop's path.
    this.#broadcast(frame, conn)
    this.emit('message', chatMessage(result.id, result.payload))
  }

  #broadcast(frame: SignedFrame, cameFrom: PeerConnection | undefined): void {
    const queued = this.#sender.broadcast(encodeBody(frame), () => relayTargets(this.#links.registry.list(), cameFrom))
    if (!queued && this.#state === 'running') {
      this.#warn('send_queue_full', 'outgoing queue is full: a message was dropped')
    }
  }

  #warn(code: string, message: string): void {
    this.emit('warning', {code, message})
  }
}
