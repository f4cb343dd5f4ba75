// The helpers a ChatNode is made of, and how each one's host is wired to the others. ChatNode keeps lifecycle,
// dialling, the frame handlers and flooding; this is where a new helper is plugged in (docs/architecture.md,
// "Plugging into the engine").

import type {EventEmitter} from 'node:events'

import type {ConnectFailure} from './connect-failure.js'
import type {LocalEnd, PeerConnection} from './connection.js'
import type {Identity} from './identity.js'
import type {Frame, SignedFrame, SyncItemsFrame} from './protocol.js'
import type {RoomKey} from './room.js'
import type {ChatNodeEvents, NodeInfo, PeerSummary} from './types.js'

import {ChatMessages} from './chat-messages.js'
import {DirectMessages} from './direct.js'
import {ChatNodeError} from './errors.js'
import {SeenCache} from './flood.js'
import {HeldMessages} from './held.js'
import {HistorySync} from './history-sync.js'
import {SignedIntake} from './intake.js'
import {LazyPush} from './lazy-push.js'
import {LeaveGrace} from './leave-grace.js'
import {Links} from './links.js'
import {Listener} from './listener.js'
import {Mesh} from './mesh.js'
import {MAX_MESSAGE_AGE_MS} from './message-auth.js'
import {
  AUTHOR_MESSAGE_BURST,
  AUTHOR_MESSAGES_PER_SECOND,
  type ChatNodeOptions,
  DEFAULT_HOST,
  DEFAULT_PORT,
} from './options.js'
import {PeerEvents} from './peer-events.js'
import {PeerHealth} from './peer-health.js'
import {KeyedRateLimiter} from './rate-limit.js'
import {Roster} from './roster.js'
import {Sender} from './sender.js'
import {LateRelay} from './sync/late-relay.js'
import {MessageStore} from './sync/store.js'
import {restoreFrames} from './sync/stored-frame.js'
import {SyncLinks} from './sync/sync-link.js'

/** What the parts need from ChatNode itself: who it is, its state, and what it keeps (frames in, floods, dials). */
export interface NodeCore {
  readonly id: string
  readonly name: string
  readonly identity: Identity
  readonly room: RoomKey
  /** Where the parts' events go (the node). */
  readonly events: EventEmitter<ChatNodeEvents>
  isRunning(): boolean
  info(): NodeInfo
  /** The author's next sequence number (shared by every payload this node signs). */
  nextSeq(): number
  warn(code: string, message: string, failure?: ConnectFailure): void
  onFrame(conn: PeerConnection, frame: Frame): void
  /** Floods `frame`; a chat message with its `id` goes by lazy push. */
  broadcast(frame: SignedFrame | SyncItemsFrame, cameFrom: PeerConnection | undefined, id?: string): void
  sendOrHold(frame: SignedFrame, ts: number): boolean
  connectOnce(host: string, port: number): Promise<PeerSummary>
}

export interface NodeParts {
  readonly seen: SeenCache
  readonly sender: Sender
  /** Cool-down list, peer scores, per-link budgets (src/p2p/peer-health.ts). */
  readonly health: PeerHealth
  /** Every accepted signed frame within retention: what reconciliation compares (docs/sync.md). */
  readonly store: MessageStore
  readonly intake: SignedIntake
  readonly listener: Listener<PeerConnection>
  readonly links: Links
  readonly mesh: Mesh
  /** Every node heard of in the room, for /who and the room's joins and leaves. */
  readonly roster: Roster
  readonly history: HistorySync
  readonly sync: SyncLinks<PeerConnection>
  readonly direct: DirectMessages
  readonly chat: ChatMessages
  /** Chat messages go whole along a spanning tree and as ids on the other links (lazy-push.ts). */
  readonly lazy: LazyPush
  readonly peerEvents: PeerEvents
  /** Chat and direct messages written while no peer was connected, for the next one. */
  readonly held: HeldMessages<SignedFrame>
  /** Swarm streams replaced as duplicates: the peer stays, so its leave waits for it to come back (LeaveGrace). */
  readonly swaps: LeaveGrace
  /** Connections refused for being on the cool-down list: what they sent alongside their hello is not looked at. */
  readonly refused: WeakSet<PeerConnection>
}

export function buildParts(node: NodeCore, options: ChatNodeOptions): NodeParts {
  const emit: EventEmitter<ChatNodeEvents>['emit'] = (event, ...args) => node.events.emit(event, ...args)
  const warn = (code: string, message: string, failure?: ConnectFailure): void => node.warn(code, message, failure)
  const seen = new SeenCache(options.seenCache)
  const sender = new Sender((error) => warn('send_failed', `could not send: ${String(error)}`))
  const author = options.authorRate ?? {perSecond: AUTHOR_MESSAGES_PER_SECOND, burst: AUTHOR_MESSAGE_BURST}
  const health = new PeerHealth((event) => emit('peer_penalised', event), {
    newAuthorRate: options.newAuthorRate,
    cooldown: options.cooldown,
    limitLoopback: options.limitLoopback,
  })
  health.knowAuthor(node.id)
  const store = new MessageStore(options.store)
  const loaded = store.load(restoreFrames(options.storedFrames ?? []))
  // An id is known if recently seen or stored; the age window is the store's (an older id is refused, not re-shown).
  const known = {has: (id: string) => seen.has(id) || store.has(id), add: (id: string) => seen.add(id)}
  const intake: SignedIntake = new SignedIntake({
    selfId: node.id,
    seen: known,
    authorLimiter: new KeyedRateLimiter(author.perSecond, author.burst),
    maxAgeMs: () => Date.now() - store.horizon(),
    beforeSignature: (conn, _kind, author): boolean => chat.admit(conn, author),
    onAccept: (conn, author, id) => health.accepted(conn, author, id),
    onDuplicate: (conn, id) => health.duplicate(conn, id),
  })
  // Off by default with --degree 0 (only the links asked for: every one carries every message); never for `chat send`.
  const lazyOn =
    !options.transient && (options.lazyPush === undefined ? options.degree !== 0 : options.lazyPush !== false)
  const lazyHost = {
    known: (id: string) => known.has(id),
    chat(id: string) {
      const stored = store.get(id)
      return stored?.kind === 'chat' ? stored : undefined
    },
  }
  const lazy = new LazyPush(lazyHost, lazyOn, options.lazyPush || {})
  const running = (): boolean => node.isRunning()
  const peerCount = (): number => links.registry.size
  const {host = DEFAULT_HOST, port = DEFAULT_PORT} = options
  const limits = {
    maxPending: options.maxPendingConnections,
    inboundRatePerIp: options.inboundRatePerIp,
    limitLoopback: options.limitLoopback,
  }
  const listener: Listener<PeerConnection> = new Listener(
    {
      isRunning: running,
      peerCount,
      maxPeers: (): number => links.registry.maxPeers,
      accept: (socket) => links.accept(socket),
      warn,
      admit: (ip) => !health.refuseInbound(ip),
    },
    {host, port, ...limits},
  )
  const refused = new WeakSet<PeerConnection>()
  const links: Links = new Links(
    {
      selfId: node.id,
      local: (): LocalEnd => ({
        identity: node.identity,
        name: node.name,
        listen: {host, port: listener.port},
        room: node.room,
        transient: options.transient,
        lazy: lazy.enabled,
      }),
      hold: (conn) => listener.hold(conn),
      release: (conn) => listener.release(conn),
      onPeerUp: (conn) => peerEvents.up(conn),
      onPeerDown: (conn, reason, removed, code) => peerEvents.down(conn, reason, removed, code),
      // A reconciliation under way on the closed duplicate is lost with it: run one on the kept socket.
      onPeerReplaced(conn) {
        if (conn.direction === 'outbound') void sync.initiate(conn)
      },
      onFrame: (conn, frame) => node.onFrame(conn, frame),
      warn,
      refuseDial(host, port) {
        const cooling = health.blocked(host, port)
        return (
          cooling && new ChatNodeError({code: 'cooling_down', host, port, reason: cooling.code, until: cooling.until})
        )
      },
      dialled: (conn, host, port) => health.dialled(conn, host, port),
      refuseAfterHello(conn, remote) {
        const cooling = health.refuseAfterHello(remote)
        if (!cooling) return undefined
        refused.add(conn)
        return {code: cooling.code, host: remote.host, port: remote.port, until: cooling.until}
      },
      closed(conn, protocolError) {
        const penalty = health.closed(conn, protocolError)
        return penalty === undefined || penalty.fresh
      },
    },
    options.maxPeers,
    options.connection,
  )
  const mesh: Mesh = new Mesh(
    {
      selfId: node.id,
      isRunning: running,
      connectedIds: () => new Set(links.registry.list().map((conn) => conn.peerId)),
      connectionCount: peerCount,
      dialOnce: async (host, port) => (await node.connectOnce(host, port)).id,
      blocked: (host, port, id) => health.blocked(host, port, id) !== undefined,
      score: (id) => health.scores.score(id),
      exchangePeers() {
        for (const conn of links.registry.list()) peerEvents.sendPeers(conn)
      },
    },
    {...options.mesh, degree: options.degree ?? undefined},
  )
  const roster = new Roster({
    isDirect: (id) => links.registry.list().some((conn) => conn.peerId === id),
    joined: (entry) => emit('room_joined', entry),
    left: (left) => emit('room_left', left),
    churn: (churn) => emit('room_churn', churn),
  })
  mesh.learn(options.addressBook ?? [])
  const history: HistorySync = new HistorySync(
    {intake, deliver: (message) => emit('message', message), keep: (frame) => chat.keep('chat', frame)},
    options.history,
  )
  // A node that comes back with a store catches up by reconciliation; only a newcomer asks for recent history.
  if (loaded > 0) history.skipRequest()
  const lateRelay = new LateRelay((frame: SyncItemsFrame, cameFrom: PeerConnection | undefined) =>
    node.broadcast(frame, cameFrom),
  )
  const sync: SyncLinks<PeerConnection> = new SyncLinks<PeerConnection>({
    store,
    accept: (conn, item) => chat.onLate(conn, item),
  })
  sync.on('done', (conn, report) => emit('synced', {peer: conn.summary(), ...report}))
  sync.on('failed', (conn, reason) => warn('sync_failed', `could not reconcile with ${conn.label}: ${reason}`))
  // A newcomer is shown what was said in the last few minutes (as live messages are accepted), not the whole store.
  const memberSince = options.memberSince ?? Date.now() - MAX_MESSAGE_AGE_MS
  const direct: DirectMessages = new DirectMessages({
    identity: node.identity,
    seen,
    intake,
    info: () => node.info(),
    nextSeq: () => node.nextSeq(),
    isRunning: running,
    transient: options.transient ?? false,
    peerCount,
    broadcast: (frame, cameFrom) => node.broadcast(frame, cameFrom),
    sendOwn: (frame, ts) => node.sendOrHold(frame, ts),
    deliver: (message) => (message.late && message.ts < memberSince ? false : emit('direct', message)),
    announced: (from, how) => roster.announced(from, how),
    heard: (from) => roster.heard(from),
    keep: (kind, frame, known) => chat.keep(kind, frame, known),
    forget: (id) => store.delete(id),
    relayLate: (kind, frame, cameFrom) => lateRelay.relay(kind, frame, cameFrom),
    warn,
  })
  const chat: ChatMessages = new ChatMessages({
    intake,
    seen,
    store,
    memberSince,
    admitLink: (conn, author) => health.admit(conn, author),
    heard: (from) => roster.heard(from),
    remember: (frame) => history.remember(frame),
    broadcast: (frame, cameFrom, id) => node.broadcast(frame, cameFrom, id),
    lazy,
    relayLate: (kind, frame, cameFrom) => lateRelay.relay(kind, frame, cameFrom),
    lateDirect: (conn, frame) => direct.onDirect(conn, {type: 'dm', ...frame}, true),
    lateAnnounce: (conn, frame) => direct.onAnnounce(conn, {type: 'announce', ...frame}, true),
    deliver: (message) => emit('message', message),
    stored: (frame) => emit('stored', frame),
    warn,
  })
  const held = new HeldMessages<SignedFrame>()
  const swaps = new LeaveGrace()
  const peerEvents: PeerEvents = new PeerEvents({
    registry: links.registry,
    mesh,
    roster,
    held,
    direct,
    history,
    sync,
    swaps,
    lazy,
    isRunning: running,
    relayLate: (kind, frame, cameFrom) => lateRelay.relay(kind, frame, cameFrom),
    emit,
  })
  return {
    seen,
    sender,
    health,
    store,
    intake,
    listener,
    links,
    mesh,
    roster,
    history,
    sync,
    direct,
    chat,
    lazy,
    peerEvents,
    held,
    swaps,
    refused,
  }
}
