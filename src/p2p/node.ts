// ChatNode: one peer of the chat, a TCP server and a client at once. It accepts connections (the seed's listener
// thread is the server's 'connection' event), dials others, floods chat messages and reports everything through
// typed events. A library: no terminal, no files, no process handling.

import {EventEmitter} from 'node:events'
import {createConnection, createServer, type Server, type Socket} from 'node:net'

import {type ConnectionLimits, describeSocketError, type LocalEnd, PeerConnection} from './connection.js'
import {relayTargets, SeenCache, type SeenCacheOptions} from './flood.js'
import {generateIdentity, type Identity} from './identity.js'
import {Mesh, type MeshOptions} from './mesh.js'
import {openSealed, sealTo} from './direct-crypto.js'
import {authorMessage, checkMessage, checkSigned, messageId, signPayload} from './message-auth.js'
import {generateKeyPair, type X25519KeyPair} from './noise/index.js'
import {
  type AnnounceFrame,
  type ChatFrame,
  decodeAnnouncePayload,
  decodeDirectPayload,
  type DirectFrame,
  encodeAnnouncePayload,
  encodeBody,
  encodeDirectPayload,
  type Frame,
  type HistoryFrame,
  type KeysFrame,
  MAX_HISTORY_MESSAGES,
  MAX_NAME_CHARS,
  MAX_PEERS_PER_FRAME,
  MAX_PLAINTEXT_BYTES,
  MAX_TEXT_CHARS,
  type SignedFrame,
} from './protocol.js'
import {KeyedRateLimiter} from './rate-limit.js'
import {DEFAULT_MAX_PEERS, PeerRegistry} from './registry.js'
import {PUBLIC_ROOM, type RoomKey} from './room.js'
import {Sender} from './sender.js'
import type {ChatMessage, ChatNodeEvents, DirectMessage, NodeInfo, PeerSummary} from './types.js'

export const DEFAULT_HOST = '127.0.0.1'
export const DEFAULT_PORT = 5000
/** Connections that have not finished their hello yet; more are refused at once. */
export const MAX_PENDING_CONNECTIONS = 10
export const STOP_TIMEOUT_MS = 2000
export {HOP_FRAME_BURST, HOP_FRAMES_PER_SECOND} from './connection.js'
/** Recent messages kept to give a newcomer (and asked for when joining). */
export const DEFAULT_HISTORY_MESSAGES = 50
/** New inbound connections per remote IP: a steady rate and a burst. Loopback is exempt unless asked. */
export const INBOUND_CONNECTIONS_PER_IP_PER_SECOND = 5
export const INBOUND_CONNECTION_BURST = 10
/** Messages per author (after the signature check): bots may burst, nobody may flood. */
export const AUTHOR_MESSAGES_PER_SECOND = 100
export const AUTHOR_MESSAGE_BURST = 500
/**
 * A node floods its direct-message key once, when it gets its first peer (again after losing them all), and every
 * 10 minutes; a newcomer learns the others' keys from its direct peers (`keys`), so joining costs O(N), not O(N²).
 */
export const ANNOUNCE_INTERVAL_MS = 10 * 60_000
/** Announcements given to a new direct peer, most recent first. */
export const MAX_KEYS_SHARED = 200
/** Nodes whose direct-message keys are remembered. */
export const MAX_DIRECTORY_ENTRIES = 1000
/** Messages sent while no peer is connected, kept for the next peer (a relay died and the mesh is healing). */
export const MAX_HELD_MESSAGES = 256

export interface ChatNodeOptions {
  name: string
  host?: string
  /** 0 picks a free port (tests). */
  port?: number
  /** The long-term Ed25519 key pair; the node id is its public key. By default a fresh one (not kept). */
  identity?: Identity
  /** The room's pre-shared key; peers with another key cannot connect. By default the public room. */
  room?: RoomKey
  maxPeers?: number
  maxPendingConnections?: number
  connection?: Partial<ConnectionLimits>
  seenCache?: SeenCacheOptions
  /** Target number of connections the node dials up to from the peers it learns of (0: never dial on its own). */
  degree?: number
  mesh?: Omit<MeshOptions, 'degree'>
  /** Recent messages kept for newcomers and asked for when joining; 0 turns history off. */
  history?: number
  /** New inbound connections per IP per second (0: unlimited). */
  inboundRatePerIp?: number
  /** Apply the per-IP rate to 127.0.0.0/8 and ::1 too (off, so local meshes and tests are not throttled). */
  limitLoopback?: boolean
  authorRate?: {perSecond: number; burst: number}
}

/** A failure the caller can act on: `code` is stable, `message` says what failed and what to do. */
export class ChatNodeError extends Error {
  readonly code: string
  constructor(code: string, message: string) {
    super(message)
    this.name = 'ChatNodeError'
    this.code = code
  }
}

export class ChatNode extends EventEmitter<ChatNodeEvents> {
  readonly name: string
  readonly id: string
  readonly #identity: Identity
  readonly #room: RoomKey
  #seq = 0
  readonly #host: string
  #port: number
  readonly #options: ChatNodeOptions
  readonly #registry: PeerRegistry<PeerConnection>
  readonly #seen: SeenCache
  readonly #sender: Sender
  readonly #pending = new Set<PeerConnection>()
  #server: Server | undefined
  #state: 'idle' | 'running' | 'starting' | 'stopped' | 'stopping' = 'idle'
  readonly #mesh: Mesh
  readonly #historySize: number
  /** The signed frames of the last messages shown or sent, oldest first: what a newcomer is given. */
  readonly #recent: Array<{payload: string; sig: string}> = []
  #historyAsked = false
  #historySource: PeerConnection | undefined
  #historyBudget = 0
  readonly #ipLimiter: KeyedRateLimiter | undefined
  readonly #authorLimiter: KeyedRateLimiter
  /** Connections whose history request was answered: one answer each, however often they ask. */
  readonly #historyServed = new WeakSet<PeerConnection>()
  readonly #held: ChatFrame[] = []
  #everConnected = false
  /** This process's key for direct messages, announced signed by the identity. */
  readonly #dmKeys: X25519KeyPair = generateKeyPair()
  /** Nodes that announced a direct-message key: id → who they are and their key. */
  readonly #directory = new Map<string, {announce: {payload: string; sig: string}; info: NodeInfo; key: Buffer; ts: number}>()
  #ownAnnounce: AnnounceFrame | undefined
  #announceTimer: NodeJS.Timeout | undefined

  constructor(options: ChatNodeOptions) {
    super()
    const name = options.name.trim()
    if (name.length === 0 || name.length > MAX_NAME_CHARS || /[\u0000-\u001F\u007F-\u009F]/.test(name)) {
      throw new ChatNodeError('BAD_NAME', `a name must be 1 to ${MAX_NAME_CHARS} printable characters`)
    }

    this.name = name
    this.#identity = options.identity ?? generateIdentity()
    this.#room = options.room ?? PUBLIC_ROOM
    this.id = this.#identity.id
    this.#host = options.host ?? DEFAULT_HOST
    this.#port = options.port ?? DEFAULT_PORT
    this.#options = options
    this.#registry = new PeerRegistry(options.maxPeers ?? DEFAULT_MAX_PEERS)
    this.#seen = new SeenCache(options.seenCache)
    this.#sender = new Sender((error) => this.#warn('send_failed', `could not send: ${String(error)}`))
    this.#historySize = Math.min(options.history ?? DEFAULT_HISTORY_MESSAGES, MAX_HISTORY_MESSAGES)
    const ipRate = options.inboundRatePerIp ?? INBOUND_CONNECTIONS_PER_IP_PER_SECOND
    this.#ipLimiter = ipRate > 0 ? new KeyedRateLimiter(ipRate, Math.max(ipRate, INBOUND_CONNECTION_BURST)) : undefined
    const author = options.authorRate ?? {perSecond: AUTHOR_MESSAGES_PER_SECOND, burst: AUTHOR_MESSAGE_BURST}
    this.#authorLimiter = new KeyedRateLimiter(author.perSecond, author.burst)
    this.#mesh = new Mesh(
      {
        selfId: this.id,
        isRunning: () => this.#state === 'running',
        connectedIds: () => new Set(this.#registry.list().map((conn) => conn.peerId)),
        connectionCount: () => this.#registry.size,
        dialOnce: async (host, port) => (await this.#connectOnce(host, port)).id,
        exchangePeers: () => {
          for (const conn of this.#registry.list()) this.#sendPeers(conn)
        },
      },
      {...options.mesh, degree: options.degree ?? undefined},
    )
  }

  /** This node as peers see it. The port is the real one once started (also when 0 was asked for). */
  get info(): NodeInfo {
    return {id: this.id, name: this.name, host: this.#host, port: this.#port}
  }

  get running(): boolean {
    return this.#state === 'running'
  }

  /** Starts listening; resolves once connections are accepted, after emitting `ready`. */
  async start(): Promise<NodeInfo> {
    if (this.#state !== 'idle') throw new ChatNodeError('ALREADY_STARTED', 'this node was already started')
    this.#state = 'starting'
    const server = createServer((socket) => this.#onInbound(socket))
    this.#server = server
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen({host: this.#host, port: this.#port}, () => {
          server.off('error', reject)
          resolve()
        })
      })
    } catch (error) {
      this.#state = 'stopped'
      throw listenError(error as NodeJS.ErrnoException, this.#host, this.#port)
    }

    server.on('error', (error) => this.#warn('server_error', `listening socket failed: ${error.message}`))
    const address = server.address()
    if (address && typeof address === 'object') this.#port = address.port
    this.#state = 'running'
    this.#mesh.start()
    this.#announceTimer = setInterval(() => this.#announce(), ANNOUNCE_INTERVAL_MS)
    this.#announceTimer.unref()
    this.emit('ready', this.info)
    return this.info
  }

  /** Connected peers, by their listening addresses. */
  peers(): PeerSummary[] {
    return this.#registry.list().map((conn) => conn.summary())
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
    if (this.#state !== 'running') throw new ChatNodeError('NOT_RUNNING', 'the node is not running')
    try {
      const peer = await this.#connectOnce(host, port)
      if (persistent) this.#mesh.pin(host, port)
      return peer
    } catch (error) {
      const code = (error as ChatNodeError).code
      if (persistent && (code === 'UNREACHABLE' || code === 'DIAL_IN_PROGRESS')) {
        this.#mesh.pin(host, port)
        this.#mesh.scheduleRedial(host, port)
      }

      throw error
    }
  }

  async #connectOnce(host: string, port: number): Promise<PeerSummary> {
    if (this.#state !== 'running') throw new ChatNodeError('NOT_RUNNING', 'the node is not running')
    if (!Number.isInteger(port) || port < 1 || port > 65_535) {
      throw new ChatNodeError('BAD_ADDRESS', `port must be a whole number from 1 to 65535, not "${port}"`)
    }

    if (host.length === 0) throw new ChatNodeError('BAD_ADDRESS', 'host must not be empty')
    if (host === this.#host && port === this.#port) {
      throw new ChatNodeError('SELF', `${host}:${port} is this node's own address`)
    }

    const known = this.#findByAddress(host, port)
    if (known) return known.summary()

    const key = `${host}:${port}`
    if (!(await this.#registry.beginDial(key))) {
      throw new ChatNodeError('DIAL_IN_PROGRESS', `already connecting to ${key}`)
    }

    try {
      return await this.#dial(host, port)
    } finally {
      await this.#registry.endDial(key)
    }
  }

  /** Sends a chat message (an action with `{action: true}`) to every peer. Returns it as sent (for showing and logging). */
  send(text: string, options: {action?: boolean} = {}): ChatMessage {
    if (this.#state !== 'running') throw new ChatNodeError('NOT_RUNNING', 'the node is not running')
    this.#checkText(text)

    const kind = options.action ? {kind: 'action' as const} : {}
    const {frame, message} = authorMessage(this.#identity, {from: this.info, text, ts: Date.now(), seq: ++this.#seq, ...kind})
    this.#seen.add(message.id)
    this.#remember(frame)
    if (this.#registry.size === 0 && this.#everConnected) {
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
    return [...this.#directory.values()].map(({info}) => ({...info}))
  }

  /** Sends a message only `to` can read, flooded through relays that cannot. Throws if its key is unknown. */
  sendDirect(to: string, text: string): DirectMessage {
    if (this.#state !== 'running') throw new ChatNodeError('NOT_RUNNING', 'the node is not running')
    this.#checkText(text)
    const recipient = this.#directory.get(to)
    if (!recipient) throw new ChatNodeError('UNKNOWN_RECIPIENT', 'no key is known for that node yet: it has not announced itself')
    const from = this.info
    const sealed = sealTo(recipient.key, text, `${from.id}>${to}`)
    const payload = encodeDirectPayload({from, to, ...sealed, ts: Date.now(), seq: ++this.#seq})
    const frame: DirectFrame = {type: 'dm', payload, sig: signPayload(this.#identity, 'dm', payload)}
    const message: DirectMessage = {id: messageId(payload), from, to: {...recipient.info}, text, ts: Date.now()}
    this.#seen.add(message.id)
    this.#broadcast(frame, undefined)
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
    const connections = this.#registry.list()
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
    clearInterval(this.#announceTimer)
    const server = this.#server
    const serverClosed = new Promise<void>((resolve) => {
      if (server?.listening) server.close(() => resolve())
      else resolve()
    })
    await this.#sender.stop()
    const connections = [...(await this.#registry.clear()), ...this.#pending]
    this.#pending.clear()
    for (const conn of connections) conn.close('this node is leaving')
    let timer: NodeJS.Timeout | undefined
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, STOP_TIMEOUT_MS)
    })
    await Promise.race([Promise.all(connections.map((conn) => conn.closed)), deadline])
    clearTimeout(timer)
    for (const conn of connections) conn.destroy('this node is leaving')
    await Promise.all(connections.map((conn) => conn.closed))
    await serverClosed
    this.#seen.clear()
    this.#state = 'stopped'
  }

  #checkText(text: string): void {
    if (text.trim().length === 0) throw new ChatNodeError('EMPTY', 'an empty message is not sent')
    if (text.length > MAX_TEXT_CHARS) {
      throw new ChatNodeError(
        'TOO_LONG',
        `message too long: ${text.length.toLocaleString('en')} characters (the limit is ${MAX_TEXT_CHARS.toLocaleString('en')})`,
      )
    }
  }

  // --- connections ---

  #local(): LocalEnd {
    return {identity: this.#identity, name: this.name, listen: {host: this.#host, port: this.#port}, room: this.#room}
  }

  #onInbound(socket: Socket): void {
    const ip = socket.remoteAddress ?? ''
    const throttled = this.#ipLimiter && (this.#options.limitLoopback || !isLoopback(ip)) && !this.#ipLimiter.take(ip)
    if (
      this.#state !== 'running' ||
      throttled ||
      this.#pending.size >= (this.#options.maxPendingConnections ?? MAX_PENDING_CONNECTIONS) ||
      // Handshakes under way count too: a full node must refuse before the handshake, or the dialler believes it got in.
      this.#registry.size + this.#pending.size >= this.#registry.maxPeers
    ) {
      // Refused before a byte is read or written: nothing to learn for the other side, nothing held here.
      socket.on('error', () => {})
      socket.destroy()
      return
    }

    const conn = new PeerConnection(socket, 'inbound', this.#local(), this.#options.connection)
    this.#track(conn)
  }

  #dial(host: string, port: number): Promise<PeerSummary> {
    return new Promise((resolve, reject) => {
      const socket = createConnection({host, port})
      const conn = new PeerConnection(socket, 'outbound', this.#local(), this.#options.connection)
      let settled = false
      const fail = (reason: string): void => {
        if (settled) return
        settled = true
        reject(new ChatNodeError('UNREACHABLE', `could not reach ${host}:${port}: ${reason}`))
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
  #track(conn: PeerConnection, onSettled?: (result: ChatNodeError | PeerSummary) => void): void {
    this.#pending.add(conn)
    conn.once('hello', (remote) => {
      this.#pending.delete(conn)
      if (remote.id === this.id) {
        conn.close('connected to itself', {type: 'error', code: 'self', message: 'you connected to yourself (same identity)'})
        onSettled?.(new ChatNodeError('SELF', `${remote.host}:${remote.port} is this node itself`))
        return
      }

      void this.#register(conn, onSettled)
    })
    conn.on('frame', (frame) => this.#onFrame(conn, frame))
    conn.once('close', (reason, protocolError) => {
      this.#pending.delete(conn)
      if (protocolError) {
        const code = conn.errorCode ?? 'peer_misbehaved'
        this.#warn(code, `disconnected ${conn.label}: ${reason} (${code})`)
      }
      void this.#unregister(conn, reason)
    })
  }

  async #register(conn: PeerConnection, onSettled?: (result: ChatNodeError | PeerSummary) => void): Promise<void> {
    const result = await this.#registry.add(conn)
    if (!conn.isOpen) {
      // It closed while we waited for the lock: its close handler may have run before it was added.
      await this.#registry.remove(conn)
      onSettled?.(new ChatNodeError('UNREACHABLE', `${conn.label} closed the connection`))
      return
    }

    switch (result.status) {
      case 'added': {
        this.#onPeerUp(conn)
        this.emit('peer_joined', conn.summary())
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
        onSettled?.(new ChatNodeError('FULL', `this node already has ${this.#registry.maxPeers} peers`))
      }
    }
  }

  async #unregister(conn: PeerConnection, reason: string): Promise<void> {
    if (!conn.remote) return
    const removed = await this.#registry.remove(conn)
    if (conn === this.#historySource) this.#historySource = undefined
    if (!removed || this.#state !== 'running') return
    this.emit('peer_left', {...conn.remote, reason})
    this.#mesh.scheduleRedial(conn.remote.host, conn.remote.port)
    this.#mesh.maintain()
  }

  // --- the mesh: peer exchange and history for newcomers ---

  #onPeerUp(conn: PeerConnection): void {
    const remote = conn.summary()
    this.#everConnected = true
    this.#mesh.learn([remote])
    this.#sendPeers(conn)
    for (const frame of this.#held.splice(0)) this.#broadcast(frame, undefined)
    this.#shareKeys(conn)
    if (this.#registry.size === 1) this.#announce() // our first peer, or the first after being cut off
    // Tell the others about the newcomer at once, so the mesh can route around a relay that dies soon after.
    const announce = [{id: remote.id, host: remote.host, port: remote.port}]
    for (const other of this.#registry.list()) if (other !== conn) other.sendFrame({type: 'peers', peers: announce})
    // History comes from the first peer we dial to join; the node that was already there has nothing to catch up
    // on, nor has a node that dials out while it already has a peer: its live copies race the history (and lose).
    if (conn.direction === 'outbound' && this.#registry.size === 1 && !this.#historyAsked && this.#historySize > 0) {
      this.#historyAsked = true
      this.#historySource = conn
      this.#historyBudget = this.#historySize
      conn.sendFrame({type: 'history_request', n: this.#historySize})
    }
  }

  #sendPeers(conn: PeerConnection): void {
    const peers = this.#registry
      .list()
      .filter((other) => other !== conn && other.remote)
      .slice(0, MAX_PEERS_PER_FRAME)
      .map((other) => ({id: other.peerId, host: other.remote!.host, port: other.remote!.port}))
    if (peers.length > 0) conn.sendFrame({type: 'peers', peers})
  }

  #sendHistory(conn: PeerConnection, n: number): void {
    const messages = this.#recent.slice(-n)
    let batch: HistoryFrame['messages'] = []
    let bytes = 0
    for (const message of messages) {
      const size = message.payload.length * 2 + message.sig.length + 64 // JSON escaping at most doubles it
      if (batch.length > 0 && bytes + size > MAX_PLAINTEXT_BYTES / 2) {
        conn.sendFrame({type: 'history', messages: batch})
        batch = []
        bytes = 0
      }

      batch.push(message)
      bytes += size
    }

    if (batch.length > 0) conn.sendFrame({type: 'history', messages: batch})
  }

  #onHistory(conn: PeerConnection, frame: HistoryFrame): void {
    if (conn !== this.#historySource) return // unasked-for history is ignored
    for (const item of frame.messages) {
      if (this.#historyBudget <= 0) return
      this.#historyBudget--
      const verdict = checkMessage(item, {seen: this.#seen, now: Date.now(), history: true})
      if (verdict.outcome === 'reject') {
        conn.reject(verdict.error)
        return
      }

      if (verdict.outcome !== 'accept') continue
      this.#seen.add(verdict.message.id)
      this.#remember(item)
      if (verdict.message.from.id !== this.id) this.emit('message', {...verdict.message, history: true})
    }
  }

  #remember(frame: {payload: string; sig: string}): void {
    if (this.#historySize === 0) return
    this.#recent.push({payload: frame.payload, sig: frame.sig})
    if (this.#recent.length > this.#historySize) this.#recent.shift()
  }

  #findByAddress(host: string, port: number): PeerConnection | undefined {
    return this.#registry.list().find((conn) => conn.remote?.host === host && conn.remote.port === port)
  }

  // --- flooding ---

  #onFrame(conn: PeerConnection, frame: Frame): void {
    // A node that is leaving delivers nothing more: what is shown and what is logged stay the same.
    if (this.#state !== 'running') return
    // Frames from a connection still settling (or a duplicate being closed) count too: the seen-cache dedups.
    switch (frame.type) {
      case 'chat': {
        this.#onChat(conn, frame)
        return
      }

      case 'peers': {
        this.#mesh.learn(frame.peers)
        this.#mesh.maintain()
        return
      }

      case 'history_request': {
        if (this.#historyServed.has(conn)) return
        this.#historyServed.add(conn)
        this.#sendHistory(conn, frame.n)
        return
      }

      case 'history': {
        this.#onHistory(conn, frame)
        return
      }

      case 'announce': {
        this.#onAnnounce(conn, frame)
        return
      }

      case 'keys': {
        this.#onKeys(conn, frame)
        return
      }

      case 'dm': {
        this.#onDirect(conn, frame)
      }
    }
  }

  #onChat(conn: PeerConnection, frame: ChatFrame): void {
    // Cheap to expensive: the frame's schema was checked when decoded; then seen-cache, payload, age, signature.
    const verdict = checkMessage(frame, {seen: this.#seen, now: Date.now()})
    switch (verdict.outcome) {
      case 'ignore': {
        return
      }

      case 'reject': {
        conn.reject(verdict.error)
        return
      }

      case 'accept': {
        this.#seen.add(verdict.message.id)
        if (verdict.message.from.id === this.id) return // ours, from an earlier run of this identity
        // After the signature: a forger cannot spend someone else's allowance. Dropped, not punished: the hop
        // relaying a noisy author is not at fault.
        if (!this.#authorLimiter.take(verdict.message.from.id)) return
        this.#remember(frame)
        // Forward first: what the listeners do with the message (display, history) is not on the next hop's path.
        this.#broadcast(frame, conn)
        this.emit('message', verdict.message)
      }
    }
  }

  // --- direct messages ---

  /** Floods our direct-message key, signed by our identity. */
  #announce(): void {
    if (this.#state !== 'running' || this.#registry.size === 0) return
    const now = Date.now()
    const payload = encodeAnnouncePayload({from: this.info, dmKey: this.#dmKeys.publicKey.toString('base64url'), ts: now, seq: ++this.#seq})
    this.#ownAnnounce = {type: 'announce', payload, sig: signPayload(this.#identity, 'announce', payload)}
    this.#seen.add(messageId(payload))
    this.#broadcast(this.#ownAnnounce, undefined)
  }

  /** Gives a new direct peer the keys we know (ours included), so it can write to anyone at once. */
  #shareKeys(conn: PeerConnection): void {
    const announces = [...this.#directory.values()].slice(-MAX_KEYS_SHARED + 1).map((entry) => entry.announce)
    if (this.#ownAnnounce) announces.push({payload: this.#ownAnnounce.payload, sig: this.#ownAnnounce.sig})
    for (let i = 0; i < announces.length; i += 50) conn.sendFrame({type: 'keys', announces: announces.slice(i, i + 50)})
  }

  #onAnnounce(conn: PeerConnection, frame: AnnounceFrame): void {
    if (this.#learnKey(conn, frame, false)) this.#broadcast(frame, conn)
  }

  #onKeys(conn: PeerConnection, frame: KeysFrame): void {
    for (const announce of frame.announces) if (!conn.isOpen || this.#learnKey(conn, announce, true) === undefined) return
  }

  /** Checks and records an announcement: true if it was new (to relay), false if not, undefined if it was rejected. */
  #learnKey(conn: PeerConnection, announce: {payload: string; sig: string}, anyAge: boolean): boolean | undefined {
    const verdict = checkSigned('announce', announce, decodeAnnouncePayload, {seen: this.#seen, now: Date.now(), anyAge})
    if (verdict.outcome === 'reject') {
      conn.reject(verdict.error)
      return undefined
    }

    if (verdict.outcome !== 'accept') return false
    this.#seen.add(verdict.id)
    const {dmKey, from, ts} = verdict.payload
    if (from.id === this.id || !this.#authorLimiter.take(from.id)) return false
    const known = this.#directory.get(from.id)
    if (known && known.ts >= ts) return false // an older announcement than the one we hold
    this.#directory.delete(from.id)
    if (this.#directory.size >= MAX_DIRECTORY_ENTRIES) this.#directory.delete(this.#directory.keys().next().value as string)
    this.#directory.set(from.id, {announce: {payload: announce.payload, sig: announce.sig}, info: {...from}, key: Buffer.from(dmKey, 'base64url'), ts})
    return true
  }

  #onDirect(conn: PeerConnection, frame: DirectFrame): void {
    const verdict = checkSigned('dm', frame, decodeDirectPayload, {seen: this.#seen, now: Date.now()})
    if (verdict.outcome === 'reject') return conn.reject(verdict.error)
    if (verdict.outcome !== 'accept') return
    this.#seen.add(verdict.id)
    const {box, eph, from, to, ts} = verdict.payload
    if (from.id === this.id || !this.#authorLimiter.take(from.id)) return
    if (to !== this.id) {
      this.#broadcast(frame, conn) // a relay: carries the box, cannot open it
      return
    }

    const text = openSealed(this.#dmKeys, {box, eph}, `${from.id}>${to}`)
    if (text === undefined) {
      this.#warn('dm_unreadable', `a direct message from ${from.name} could not be opened (sealed to an older key of this node?)`)
      return
    }

    this.emit('direct', {id: verdict.id, from: {...from}, to: this.info, text, ts})
  }

  #broadcast(frame: SignedFrame, cameFrom: PeerConnection | undefined): void {
    const queued = this.#sender.broadcast(encodeBody(frame), () => relayTargets(this.#registry.list(), cameFrom))
    if (!queued && this.#state === 'running') {
      this.#warn('send_queue_full', 'outgoing queue is full: a message was dropped')
    }
  }

  #warn(code: string, message: string): void {
    this.emit('warning', {code, message})
  }
}

function isLoopback(ip: string): boolean {
  return ip === '::1' || ip.startsWith('127.') || ip.startsWith('::ffff:127.')
}

function listenError(error: NodeJS.ErrnoException, host: string, port: number): ChatNodeError {
  switch (error.code) {
    case 'EADDRINUSE': {
      return new ChatNodeError('EADDRINUSE', `port ${port} on ${host} is already in use: choose another with --port`)
    }

    case 'EACCES': {
      return new ChatNodeError('EACCES', `not allowed to listen on ${host}:${port}: choose a port above 1023`)
    }

    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND': {
      return new ChatNodeError('EADDRNOTAVAIL', `cannot listen on ${host}: no such local address`)
    }

    default: {
      return new ChatNodeError(error.code ?? 'LISTEN_FAILED', `cannot listen on ${host}:${port}: ${error.message}`)
    }
  }
}
