// ChatNode: one peer of the chat, a TCP server and a client at once. It owns the lifecycle, dialling and flooding,
// and reports everything through typed events. Its helpers each get a small host object of callbacks: Listener
// (admission), Links (a connection's way into the peer table), SignedIntake (validation), HistorySync, DirectMessages
// and Mesh. A library: no terminal, no files, no process handling. Map: docs/architecture.md.

import {EventEmitter} from 'node:events'

import pTimeout from 'p-timeout'

import type {ConnectFailure} from './connect-failure.js'
import type {PeerConnection} from './connection.js'
import {DirectMessages} from './direct.js'
import {ChatNodeError} from './errors.js'
import {relayTargets, SeenCache} from './flood.js'
import {HeldMessages} from './held.js'
import {HistorySync} from './history-sync.js'
import {generateIdentity, type Identity} from './identity.js'
import {SignedIntake} from './intake.js'
import {LeaveGrace} from './leave-grace.js'
import {Links} from './links.js'
import {Listener} from './listener.js'
import {type AddressBookEntry, Mesh} from './mesh.js'
import {nameProblem} from './name.js'
import {PeerHealth} from './peer-health.js'
import {authorMessage, chatMessage, checkText, CLOCK_WARNING_MS, MAX_CLOCK_SKEW_MS, MAX_MESSAGE_AGE_MS} from './message-auth.js'
import {AUTHOR_MESSAGE_BURST, AUTHOR_MESSAGES_PER_SECOND, type ChatNodeOptions, DEFAULT_HOST, DEFAULT_PORT, STOP_TIMEOUT_MS} from './options.js'
import {
  type ChatFrame,
  encodeBody,
  type Frame,
  MAX_NAME_CHARS,
  MAX_PEERS_PER_FRAME,
  type SignedFrame,
  type SignedPayload,
  type SyncItemsFrame,
} from './protocol.js'
import {KeyedRateLimiter} from './rate-limit.js'
import {PUBLIC_ROOM, type RoomKey} from './room.js'
import {Roster} from './roster.js'
import {Sender} from './sender.js'
import type {SwarmLink} from './swarm/swarm.js'
import {LateRelay} from './sync/late-relay.js'
import {MessageStore} from './sync/store.js'
import {restoreFrames, toStoredFrame} from './sync/stored-frame.js'
import {SyncLinks} from './sync/sync-link.js'
import type {ChatMessage, CloseCode, ChatNodeEvents, CooldownSummary, DirectMessage, NodeInfo, PeerSummary, RosterEntry} from './types.js'

export {ChatNodeError} from './errors.js'
export {DEFAULT_HISTORY_MESSAGES} from './history-sync.js'
export {type ChatNodeOptions, DEFAULT_HOST, DEFAULT_PORT} from './options.js'

/** A full seen-cache (ids all inside the acceptance window) is reported at most this often. */
const SEEN_FULL_WARNING_MS = 60_000

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
  /** Every node heard of in the room, for /who and the room's joins and leaves. */
  readonly #roster: Roster
  /** Chat and direct messages written while no peer was connected, for the next one. */
  readonly #held = new HeldMessages<SignedFrame>()
  /** Cool-down list, peer scores, per-link budgets (src/p2p/peer-health.ts). */
  readonly #health: PeerHealth
  /** Connections refused for being on the cool-down list: what they sent alongside their hello is not looked at. */
  readonly #refused = new WeakSet<PeerConnection>()
  #seenFullWarnedAt = 0
  /** Every accepted signed frame within retention: what reconciliation compares (docs/sync.md). */
  readonly #store: MessageStore
  readonly #sync: SyncLinks<PeerConnection>
  readonly #lateRelay: LateRelay<PeerConnection | undefined>
  /** Messages said before this node was first in the room are kept and passed on when learned late, not shown. */
  readonly #memberSince: number
  readonly #swarmOptions: ChatNodeOptions['swarm']
  #swarm: SwarmLink | undefined
  /** Swarm streams replaced as duplicates: the peer stays, so its leave waits for it to come back (LeaveGrace). */
  readonly #swaps = new LeaveGrace()
  readonly #handlers: FrameHandlers = {
    chat: (conn, frame) => this.#onChat(conn, frame),
    peers: (conn, frame) => {
      if (conn.kind !== 'tcp') return // the TCP peer exchange stays among TCP peers (see #sendPeers)
      this.#roster.seen(frame.peers.map((peer) => peer.id))
      this.#mesh.learn(frame.peers)
      this.#mesh.maintain()
    },
    history_request: (conn, frame) => this.#history.onRequest(conn, frame.n),
    history: (conn, frame) => this.#history.onHistory(conn, frame),
    announce: (conn, frame) => this.#direct.onAnnounce(conn, frame),
    keys: (conn, frame) => this.#direct.onKeys(conn, frame),
    dm: (conn, frame) => this.#direct.onDirect(conn, frame),
    sync: (conn, frame) => this.#sync.onSync(conn, frame),
    sync_want: (conn, frame) => this.#sync.onWant(conn, frame),
    sync_items: (conn, frame) => this.#sync.onItems(conn, frame),
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
    this.#seen = new SeenCache(options.seenCache)
    this.#sender = new Sender((error) => this.#warn('send_failed', `could not send: ${String(error)}`))
    const author = options.authorRate ?? {perSecond: AUTHOR_MESSAGES_PER_SECOND, burst: AUTHOR_MESSAGE_BURST}
    const health = new PeerHealth((event) => this.emit('peer_penalised', event), {
      newAuthorRate: options.newAuthorRate,
      cooldown: options.cooldown,
      limitLoopback: options.limitLoopback,
    })
    this.#health = health
    health.knowAuthor(this.id)
    this.#store = new MessageStore(options.store)
    const loaded = this.#store.load(restoreFrames(options.storedFrames ?? []))
    // A newcomer is shown what was said in the last few minutes (as live messages are accepted), not the whole store.
    this.#memberSince = options.memberSince ?? Date.now() - MAX_MESSAGE_AGE_MS
    // An id is known if recently seen or stored; the age window is the store's (an older id is refused, not re-shown).
    const known = {has: (id: string) => this.#seen.has(id) || this.#store.has(id), add: (id: string) => this.#seen.add(id)}
    this.#intake = new SignedIntake({
      selfId: this.id,
      seen: known,
      authorLimiter: new KeyedRateLimiter(author.perSecond, author.burst),
      maxAgeMs: () => Date.now() - this.#store.horizon(),
      beforeSignature: (conn, _kind, author) => this.#admit(conn, author),
      onAccept: (conn, author, id) => health.accepted(conn, author, id),
      onDuplicate: (conn, id) => health.duplicate(conn, id),
    })
    const running = (): boolean => this.#state === 'running'
    const warn = (code: string, message: string, failure?: ConnectFailure): void => this.#warn(code, message, failure)
    const peerCount = (): number => this.#links.registry.size
    const {host = DEFAULT_HOST, port = DEFAULT_PORT} = options
    const limits = {maxPending: options.maxPendingConnections, inboundRatePerIp: options.inboundRatePerIp, limitLoopback: options.limitLoopback}
    this.#listener = new Listener(
      {
        isRunning: running,
        peerCount,
        maxPeers: () => this.#links.registry.maxPeers,
        accept: (socket) => this.#links.accept(socket),
        warn,
        admit: (ip) => !health.refuseInbound(ip),
      },
      {host, port, ...limits},
    )
    this.#links = new Links(
      {
        selfId: this.id,
        local: () => ({identity: this.#identity, name: this.name, listen: {host, port: this.#listener.port}, room: this.#room, transient: options.transient}),
        hold: (conn) => this.#listener.hold(conn),
        release: (conn) => this.#listener.release(conn),
        onPeerUp: (conn) => this.#onPeerUp(conn),
        onPeerDown: (conn, reason, removed, code) => this.#onPeerDown(conn, reason, removed, code),
        // A reconciliation under way on the closed duplicate is lost with it: run one on the kept socket.
        onPeerReplaced: (conn) => {
          if (conn.direction === 'outbound') void this.#sync.initiate(conn)
        },
        onFrame: (conn, frame) => this.#onFrame(conn, frame),
        warn,
        refuseDial: (host, port) => {
          const cooling = health.blocked(host, port)
          return cooling && new ChatNodeError({code: 'cooling_down', host, port, reason: cooling.code, until: cooling.until})
        },
        dialled: (conn, host, port) => health.dialled(conn, host, port),
        refuseAfterHello: (conn, remote) => {
          const cooling = health.refuseAfterHello(remote)
          if (!cooling) return undefined
          this.#refused.add(conn)
          return {code: cooling.code, host: remote.host, port: remote.port, until: cooling.until}
        },
        closed: (conn, protocolError) => {
          const penalty = health.closed(conn, protocolError)
          return penalty === undefined || penalty.fresh
        },
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
        blocked: (host, port, id) => health.blocked(host, port, id) !== undefined,
        score: (id) => health.scores.score(id),
        exchangePeers: () => {
          for (const conn of this.#links.registry.list()) this.#sendPeers(conn)
        },
      },
      {...options.mesh, degree: options.degree ?? undefined},
    )
    this.#roster = new Roster({
      isDirect: (id) => this.#links.registry.list().some((conn) => conn.peerId === id),
      joined: (entry) => this.emit('room_joined', entry),
      left: (left) => this.emit('room_left', left),
      churn: (churn) => this.emit('room_churn', churn),
    })
    this.#mesh.learn(options.addressBook ?? [])
    const deliver = (message: ChatMessage): boolean => this.emit('message', message)
    this.#history = new HistorySync({intake: this.#intake, deliver, keep: (frame) => this.#keep('chat', frame)}, options.history)
    // A node that comes back with a store catches up by reconciliation; only a newcomer asks for recent history.
    if (loaded > 0) this.#history.skipRequest()
    this.#lateRelay = new LateRelay((frame: SyncItemsFrame, cameFrom) => this.#broadcast(frame, cameFrom))
    this.#sync = new SyncLinks({store: this.#store, accept: (conn, item) => this.#onLate(conn, item)})
    this.#sync.on('done', (conn, report) => this.emit('synced', {peer: conn.summary(), ...report}))
    this.#sync.on('failed', (conn, reason) => this.#warn('sync_failed', `could not reconcile with ${conn.label}: ${reason}`))
    this.#direct = new DirectMessages({
      identity: this.#identity,
      seen: this.#seen,
      intake: this.#intake,
      info: () => this.info,
      nextSeq: () => ++this.#seq,
      isRunning: running,
      transient: options.transient ?? false,
      peerCount,
      broadcast: (frame, cameFrom) => this.#broadcast(frame, cameFrom),
      sendOwn: (frame, ts) => this.#sendOrHold(frame, ts),
      deliver: (message) => (message.late && message.ts < this.#memberSince ? false : this.emit('direct', message)),
      announced: (from, how) => this.#roster.announced(from, how),
      heard: (from) => this.#roster.heard(from),
      keep: (kind, frame, known) => this.#keep(kind, frame, known),
      forget: (id) => this.#store.delete(id),
      relayLate: (kind, frame, cameFrom) => this.#lateRelay.relay(kind, frame, cameFrom),
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
    this.#roster.start()
    this.emit('ready', this.info)
    return this.info
  }

  /** Connected peers, by their listening addresses. */
  peers(): PeerSummary[] {
    return this.#links.registry.list().map((conn) => ({...conn.summary(), score: Math.round(this.#health.scores.score(conn.peerId) * 10) / 10}))
  }

  /** Peers on the cool-down list (not redialled, refused if they come back), soonest to end first. */
  cooldowns(): CooldownSummary[] {
    return this.#health.cooldown.list().map(({code, keys, label, strikes, until}) => {
      const of = (prefix: string): string[] => keys.filter((key) => key.startsWith(prefix)).map((key) => key.slice(prefix.length))
      return {code, target: label, addresses: of('addr:'), ids: of('id:'), ips: of('ip:'), until, strikes}
    })
  }

  /**
   * Takes `host:port` (or, without it, everyone) off the cool-down list and redials the addresses the user asked
   * for. Returns how many entries were cleared.
   */
  clearCooldown(address?: {host: string; port: number}): number {
    const cleared = address
      ? this.#health.cooldown.clear(`addr:${address.host}:${address.port}`, `ip:${address.host}`)
      : this.#health.cooldown.clear()
    if (cleared > 0) this.#mesh.redialPinned()
    return cleared
  }

  /** Every node in the room as far as this one knows (itself excepted), most recently heard of first. */
  roster(): RosterEntry[] {
    return this.#roster.list()
  }

  /** The address book: every peer this node knows of, with when it was last reached or heard of (to persist). */
  addressBook(): AddressBookEntry[] {
    return this.#mesh.addressBook()
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
    this.#keep('chat', frame, {id: message.id, ts: message.ts})
    const sent = this.#sendOrHold(frame, message.ts) ? {...message, held: true as const} : message
    this.emit('sent', sent)
    return sent
  }

  /** Floods a message of ours, or keeps it for the next peer when none is connected (true: it was kept). */
  #sendOrHold(frame: SignedFrame, ts: number): boolean {
    if (this.#links.registry.size > 0) {
      this.#broadcast(frame, undefined)
      return false
    }

    this.#held.hold(frame, ts)
    return true
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
    this.#direct.announce({leaving: true}) // the room learns we left, not only our direct peers
    this.#mesh.stop()
    this.#direct.stop()
    this.#swaps.clear()
    this.#roster.stop()
    const serverClosed = this.#listener.close()
    const swarmClosed = this.#swarm?.destroy().catch(() => {})
    await this.#sender.stop()
    const connections = [...(await this.#links.registry.clear()), ...this.#listener.takePending()]
    for (const conn of connections) conn.close('this node is leaving', {type: 'bye'}, 'leaving')
    await pTimeout(Promise.all(connections.map((conn) => conn.closed)), {milliseconds: STOP_TIMEOUT_MS, fallback: () => []})
    for (const conn of connections) conn.destroy('this node is leaving', 'leaving')
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
    // A short-lived sender is gone in a moment: nobody should dial it, learn it or be told of it. A swarm peer's
    // address means nothing to a TCP peer: it is found on the DHT.
    const exchanged = conn.kind === 'tcp' && !conn.transient
    if (exchanged) this.#mesh.learn([remote])
    if (!conn.transient) this.#roster.directUp(remote)
    this.#sendPeers(conn)
    const released = this.#held.size > 0 ? this.#held.release(Date.now()) : undefined
    // Said while nobody was connected: it goes out as a late frame, so every node shows it once with its author's
    // time, marked late, like anything reconciliation brings.
    for (const frame of released?.send ?? []) this.#lateRelay.relay(frame.type === 'dm' ? 'dm' : 'chat', frame, undefined)
    this.#direct.onPeerUp(conn, peerCount)
    // One reconciliation per connection, run by the side that dialled (both sides learn what they lack); on a swarm
    // stream, the side Hyperswarm says initiated it.
    if (conn.direction === 'outbound') void this.#sync.initiate(conn)
    if (exchanged) {
      // Tell the others about the newcomer at once, so the mesh can route around a relay that dies soon after.
      const announce = [{id: remote.id, host: remote.host, port: remote.port}]
      for (const other of this.#links.registry.list()) if (other !== conn && other.kind === 'tcp') other.sendFrame({type: 'peers', peers: announce})
    }

    this.#history.onPeerUp(conn, peerCount)
    if (!this.#swaps.up(remote.id)) this.emit('peer_joined', conn.summary())
    if (released) {
      const to = {id: remote.id, name: remote.name, host: remote.host, port: remote.port}
      this.emit('held_released', {sent: released.send.length, dropped: released.dropped, to})
    }
    const offsetMs = conn.clockOffsetMs
    if (offsetMs !== undefined && Math.abs(offsetMs) > CLOCK_WARNING_MS) this.emit('clock_skew', {peer: conn.summary(), offsetMs})
  }

  #onPeerDown(conn: PeerConnection, reason: string, removed: boolean, reasonCode: CloseCode): void {
    this.#history.onPeerDown(conn)
    if (!removed || this.#state !== 'running' || !conn.remote) return
    this.#roster.directDown(conn.remote, reason)
    const left = {...conn.remote, reason, reasonCode, ...(conn.transient ? {transient: true as const} : {})}
    if (conn.kind === 'swarm' && /duplicate/i.test(reason)) {
      this.#swaps.down(left.id, () => {
        if (this.#state === 'running' && !this.#links.registry.get(left.id)) this.emit('peer_left', left)
      })
    } else {
      this.emit('peer_left', left)
    }

    // Redial the address we dialled (a --join through a proxy, a forwarded port), not only the one the peer announces.
    if (conn.dialled) this.#mesh.scheduleRedial(conn.dialled.host, conn.dialled.port)
    this.#mesh.scheduleRedial(conn.remote.host, conn.remote.port)
    this.#mesh.maintain()
  }

  #sendPeers(conn: PeerConnection): void {
    // The TCP peer exchange stays among TCP peers: a swarm peer finds others on the DHT, and a LAN's addresses
    // mean nothing (and tell too much) across the internet.
    if (conn.kind !== 'tcp') return
    const peers = this.#links.registry
      .list()
      .filter((other) => other !== conn && other.remote && other.kind === 'tcp' && !other.transient)
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
    if (this.#state !== 'running' || this.#refused.has(conn)) return
    const handler = this.#handlers[frame.type] as ((conn: PeerConnection, frame: Frame) => void) | undefined
    handler?.(conn, frame)
  }

  /** A chat message, flooded live or learned `late` by reconciliation (then passed on as late, and marked so). */
  #onChat(conn: PeerConnection, frame: SignedPayload, late = false): void {
    const result = this.#intake.receive(conn, 'chat', frame)
    if (result.status === 'own') this.#keep('chat', frame, {id: result.id, ts: result.payload.ts}) // ours from an earlier run: kept, never shown again
    if (result.status !== 'new') return
    this.#roster.heard(result.payload.from)
    this.#history.remember(frame)
    this.#keep('chat', frame, {id: result.id, ts: result.payload.ts})
    // Forward first: what the listeners do with the message (display, history) is not on the next hop's path.
    if (late) this.#lateRelay.relay('chat', frame, conn)
    else this.#broadcast({type: 'chat', payload: frame.payload, sig: frame.sig}, conn)
    const message = chatMessage(result.id, result.payload)
    if (late && message.ts < this.#memberSince) return // said before this node was ever in the room
    // Older than a live message can be, even from a skewed clock: it waited somewhere.
    this.emit('message', late || message.ts < Date.now() - MAX_CLOCK_SKEW_MS ? {...message, late: true} : message)
  }

  /**
   * Asked before a payload's signature is checked: drop it unverified when the seen-cache cannot take its id without
   * forgetting one inside the acceptance window (a replay could then be shown), or when its link is over its budget.
   */
  #admit(conn: PeerConnection, author: string): boolean {
    if (!this.#seen.hasRoom()) {
      const now = Date.now()
      if (now - this.#seenFullWarnedAt >= SEEN_FULL_WARNING_MS) {
        this.#seenFullWarnedAt = now
        const minutes = Math.round(this.#seen.protectMs / 60_000)
        this.#warn('seen_cache_full', `more than ${this.#seen.maxEntries} messages in ${minutes} min: new messages are dropped until older ones age out`)
      }

      return false
    }

    return this.#health.admit(conn, author)
  }

  /** A signed frame learned late, by reconciliation (asked for, pushed, or passed on by a peer that learned it so). */
  #onLate(conn: PeerConnection, item: SyncItemsFrame['items'][number]): void {
    const frame = {payload: item.payload, sig: item.sig}
    switch (item.kind) {
      case 'chat': {
        this.#onChat(conn, frame, true)
        return
      }

      case 'dm': {
        this.#direct.onDirect(conn, {type: 'dm', ...frame}, true)
        return
      }

      case 'announce': {
        this.#direct.onAnnounce(conn, {type: 'announce', ...frame}, true)
      }
    }
  }

  /** Adds a frame to the message store; `stored` tells the caller to persist it (the engine writes no files). */
  #keep(kind: 'announce' | 'chat' | 'dm', frame: SignedPayload, known?: {id: string; ts: number}): void {
    const stored = toStoredFrame(kind, frame, known)
    if (this.#store.add(stored)) this.emit('stored', stored)
  }

  #broadcast(frame: SignedFrame | SyncItemsFrame, cameFrom: PeerConnection | undefined): void {
    const queued = this.#sender.broadcast(encodeBody(frame), () => relayTargets(this.#links.registry.list(), cameFrom))
    if (!queued && this.#state === 'running') {
      this.#warn('send_queue_full', 'outgoing queue is full: a message was dropped')
    }
  }

  #warn(code: string, message: string, failure?: ConnectFailure): void {
    this.emit('warning', failure ? {code, message, failure} : {code, message})
  }
}
