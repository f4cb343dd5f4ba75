// ChatNode: one peer of the chat, a TCP server and a client at once. It owns the lifecycle, dialling, the frame
// handler table and flooding, and reports everything through typed events. Its helpers, each with a small host object
// of callbacks, are built and wired in node-parts.ts: Listener (admission), Links (a connection's way into the peer
// table), SignedIntake (validation), ChatMessages (the chat path), PeerEvents (what a new or lost peer triggers),
// HistorySync, DirectMessages and Mesh. A library: no terminal, no files, no process handling. Map:
// docs/architecture.md.

import {EventEmitter} from 'node:events'
import pTimeout from 'p-timeout'

import type {TreeStats} from './broadcast-tree.js'
import type {ConnectFailure} from './connect-failure.js'
import type {PeerConnection} from './connection.js'
import type {AddressBookEntry} from './mesh.js'
import type {SwarmLink} from './swarm/swarm.js'
import type {
  ChatMessage,
  ChatNodeEvents,
  CooldownSummary,
  DirectMessage,
  NodeInfo,
  PeerSummary,
  RosterEntry,
} from './types.js'

import {ChatNodeError} from './errors.js'
import {relayTargets} from './flood.js'
import {generateIdentity, type Identity} from './identity.js'
import {authorMessage, checkText} from './message-auth.js'
import {nameProblem} from './name.js'
import {buildParts, type NodeParts} from './node-parts.js'
import {type ChatNodeOptions, STOP_TIMEOUT_MS} from './options.js'
import {encodeBody, type Frame, MAX_NAME_CHARS, type SignedFrame, type SyncItemsFrame} from './protocol.js'
import {PUBLIC_ROOM, type RoomKey} from './room.js'

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
  #state: 'idle' | 'running' | 'starting' | 'stopped' | 'stopping' = 'idle'
  /** The helpers this node is made of (node-parts.ts). */
  readonly #parts: NodeParts
  readonly #swarmOptions: ChatNodeOptions['swarm']
  #swarm: SwarmLink | undefined
  readonly #handlers: FrameHandlers = {
    chat: (conn, frame) => this.#parts.chat.onChat(conn, frame),
    peers: (conn, frame) => this.#parts.peerEvents.onPeers(conn, frame),
    history_request: (conn, frame) => this.#parts.history.onRequest(conn, frame.n),
    history: (conn, frame) => this.#parts.history.onHistory(conn, frame),
    announce: (conn, frame) => this.#parts.direct.onAnnounce(conn, frame),
    keys: (conn, frame) => this.#parts.direct.onKeys(conn, frame),
    dm: (conn, frame) => this.#parts.direct.onDirect(conn, frame),
    sync: (conn, frame) => this.#parts.sync.onSync(conn, frame),
    sync_want: (conn, frame) => this.#parts.sync.onWant(conn, frame),
    sync_items: (conn, frame) => this.#parts.sync.onItems(conn, frame),
    ihave: (conn, frame) => this.#parts.lazy.onIhave(conn, frame),
    graft: (conn, frame) => this.#parts.lazy.onGraft(conn, frame),
    prune: (conn) => this.#parts.lazy.onPrune(conn),
  }

  constructor(options: ChatNodeOptions) {
    super()
    const name = options.name.trim()
    const problem = nameProblem(name)
    if (problem) throw new ChatNodeError({code: 'bad_name', limit: MAX_NAME_CHARS}, problem)

    this.name = name
    this.#identity = options.identity ?? generateIdentity()
    this.#room = options.room ?? PUBLIC_ROOM
    this.#swarmOptions = options.swarm
    this.id = this.#identity.id
    this.#parts = buildParts(
      {
        id: this.id,
        name,
        identity: this.#identity,
        room: this.#room,
        events: this,
        isRunning: () => this.#state === 'running',
        info: () => this.info,
        nextSeq: () => ++this.#seq,
        warn: (code, message, failure) => this.#warn(code, message, failure),
        onFrame: (conn, frame) => this.#onFrame(conn, frame),
        broadcast: (frame, cameFrom, id) => this.#broadcast(frame, cameFrom, id),
        sendOrHold: (frame, ts) => this.#sendOrHold(frame, ts),
        connectOnce: (host, port) => this.#connectOnce(host, port),
      },
      options,
    )
  }

  /** This node as peers see it. The port is the real one once started (also when 0 was asked for). */
  get info(): NodeInfo {
    return {id: this.id, name: this.name, host: this.#parts.listener.host, port: this.#parts.listener.port}
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
      await this.#parts.listener.listen()
    } catch (error) {
      this.#state = 'stopped'
      throw error
    }

    this.#state = 'running'
    if (this.#swarmOptions) await this.#joinSwarm(this.#swarmOptions)
    this.#parts.mesh.start()
    this.#parts.direct.start()
    this.#parts.roster.start()
    this.emit('ready', this.info)
    return this.info
  }

  /** Connected peers, by their listening addresses. */
  peers(): PeerSummary[] {
    return this.#parts.links.registry
      .list()
      .map((conn) => ({...conn.summary(), score: Math.round(this.#parts.health.scores.score(conn.peerId) * 10) / 10}))
  }

  /** Peers on the cool-down list (not redialled, refused if they come back), soonest to end first. */
  cooldowns(): CooldownSummary[] {
    return this.#parts.health.cooldowns()
  }

  /**
   * Takes `host:port` (or, without it, everyone) off the cool-down list and redials the addresses the user asked
   * for. Returns how many entries were cleared.
   */
  clearCooldown(address?: {host: string; port: number}): number {
    const cleared = this.#parts.health.clearCooldown(address)
    if (cleared > 0) this.#parts.mesh.redialPinned()
    return cleared
  }

  /** Chat messages this node pushed whole and as ids, grafts and prunes, since it started (lazy push). */
  pushStats(): TreeStats {
    return {...this.#parts.lazy.stats}
  }

  /** Every node in the room as far as this one knows (itself excepted), most recently heard of first. */
  roster(): RosterEntry[] {
    return this.#parts.roster.list()
  }

  /** The address book: every peer this node knows of, with when it was last reached or heard of (to persist). */
  addressBook(): AddressBookEntry[] {
    return this.#parts.mesh.addressBook()
  }

  /** Peers this node has heard of (from its peers' `peers` frames), connected or not. */
  knownPeers(): Array<{host: string; id: string; port: number}> {
    return this.#parts.mesh.known().map(({host, id, port}) => ({host, id, port}))
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
      if (persistent) this.#parts.mesh.pin(host, port)
      return peer
    } catch (error) {
      const {code} = error as ChatNodeError
      if (persistent && (code === 'unreachable' || code === 'dial_in_progress')) {
        this.#parts.mesh.pin(host, port)
        this.#parts.mesh.scheduleRedial(host, port)
      }

      throw error
    }
  }

  async #connectOnce(host: string, port: number): Promise<PeerSummary> {
    if (this.#state !== 'running') throw new ChatNodeError({code: 'not_running'})
    return this.#parts.links.dial(host, port)
  }

  /** Sends a chat message (an action with `{action: true}`) to every peer. Returns it as sent (for showing and logging). */
  send(text: string, options: {action?: boolean} = {}): ChatMessage {
    if (this.#state !== 'running') throw new ChatNodeError({code: 'not_running'})
    checkText(text)

    const kind = options.action ? {kind: 'action' as const} : {}
    const {frame, message} = authorMessage(this.#identity, {
      from: this.info,
      text,
      ts: Date.now(),
      seq: ++this.#seq,
      ...kind,
    })
    this.#parts.seen.add(message.id)
    this.#parts.history.remember(frame)
    this.#parts.chat.keep('chat', frame, {id: message.id, ts: message.ts})
    const sent = this.#sendOrHold(frame, message.ts, message.id) ? {...message, held: true as const} : message
    this.emit('sent', sent)
    return sent
  }

  /** Floods a message of ours, or keeps it for the next peer when none is connected (true: it was kept). */
  #sendOrHold(frame: SignedFrame, ts: number, id?: string): boolean {
    if (this.#parts.links.registry.size > 0) {
      this.#broadcast(frame, undefined, id)
      return false
    }

    this.#parts.held.hold(frame, ts)
    return true
  }

  /** Nodes this one can write to with sendDirect (those that announced a key), most recently heard last. */
  directory(): NodeInfo[] {
    return this.#parts.direct.directory()
  }

  /** Sends a message only `to` can read, flooded through relays that cannot. Throws if its key is unknown. */
  sendDirect(to: string, text: string): DirectMessage {
    if (this.#state !== 'running') throw new ChatNodeError({code: 'not_running'})
    checkText(text)
    const message = this.#parts.direct.send(to, text)
    this.emit('direct_sent', message)
    return message
  }

  /** Resolves when every message sent so far has been handed to the sockets. */
  flush(): Promise<void> {
    return this.#parts.sender.drain()
  }

  /**
   * Resolves with the peers that have read everything this node sent before the call: the outgoing queue is written
   * out, then every connected peer answers a ping, and its pong comes after it handled each earlier frame of that
   * ordered, authenticated stream. Peers that do not answer within `timeoutMs` are left out.
   */
  async confirmDelivery(timeoutMs = 5000): Promise<PeerSummary[]> {
    await this.#parts.sender.drain()
    const connections = this.#parts.links.registry.list()
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
    this.#parts.direct.announce({leaving: true}) // the room learns we left, not only our direct peers
    this.#parts.mesh.stop()
    this.#parts.direct.stop()
    this.#parts.swaps.clear()
    this.#parts.roster.stop()
    this.#parts.lazy.stop()
    const serverClosed = this.#parts.listener.close()
    const swarmClosed = this.#swarm?.destroy().catch(() => {})
    await this.#parts.sender.stop()
    const connections = [...(await this.#parts.links.registry.clear()), ...this.#parts.listener.takePending()]
    for (const conn of connections) conn.close('this node is leaving', {type: 'bye'}, 'leaving')
    await pTimeout(Promise.all(connections.map((conn) => conn.closed)), {
      milliseconds: STOP_TIMEOUT_MS,
      fallback: () => [],
    })
    for (const conn of connections) conn.destroy('this node is leaving', 'leaving')
    await Promise.all(connections.map((conn) => conn.closed))
    await serverClosed
    await swarmClosed
    this.#parts.seen.clear()
    this.#state = 'stopped'
  }

  // --- the swarm ---

  /** Loads Hyperswarm (only now) and joins the room's topic; its streams are tracked like TCP connections. */
  async #joinSwarm(options: NonNullable<ChatNodeOptions['swarm']>): Promise<void> {
    const {links, listener, mesh} = this.#parts
    try {
      const {SwarmLink} = await import('./swarm/swarm.js')
      this.#swarm = await SwarmLink.open(
        {...options, identity: this.#identity, room: this.#room, maxPeers: options.maxPeers ?? mesh.degree},
        {
          admit: () => listener.hasRoom(),
          accept: (transport, direction) => links.acceptStream(transport, direction),
          warn: (warning) => this.emit('warning', warning),
          isConnected: (id) => links.registry.get(id) !== undefined,
        },
      )
    } catch (error) {
      this.#warn(
        'swarm_failed',
        `could not join the swarm (${(error as Error).message}): the node keeps running on TCP`,
      )
    }
  }

  // --- flooding: the relay path is #onFrame → ChatMessages.onChat (chat-messages.ts) → #broadcast → Sender ---

  /** Every frame after the handshake goes to the handler of its type (`#handlers`). */
  #onFrame(conn: PeerConnection, frame: Frame): void {
    // A node that is leaving delivers nothing more: what is shown and what is logged stay the same.
    // Frames from a connection still settling (or a duplicate being closed) count too: the seen-cache dedups.
    if (this.#state !== 'running' || this.#parts.refused.has(conn)) return
    const handler = this.#handlers[frame.type] as ((conn: PeerConnection, frame: Frame) => void) | undefined
    handler?.(conn, frame)
  }

  /** Queues `frame` for every peer but `cameFrom`; a chat message with its `id` goes by lazy push (lazy-push.ts). */
  #broadcast(frame: SignedFrame | SyncItemsFrame, cameFrom: PeerConnection | undefined, id?: string): void {
    const targets = (): PeerConnection[] => {
      const peers = relayTargets(this.#parts.links.registry.list(), cameFrom)
      return id === undefined ? peers : this.#parts.lazy.route(peers, id)
    }

    const queued = this.#parts.sender.broadcast(encodeBody(frame), targets)
    if (!queued && this.#state === 'running') {
      this.#warn('send_queue_full', 'outgoing queue is full: a message was dropped')
    }
  }

  #warn(code: string, message: string, failure?: ConnectFailure): void {
    this.emit('warning', failure ? {code, message, failure} : {code, message})
  }
}
