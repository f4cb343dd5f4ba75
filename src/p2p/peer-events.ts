// What a new or lost peer triggers, each helper's part in a fixed order, and the TCP peer exchange (`peers` frames)
// that spreads addresses through the mesh. A line here is the place for "something to do when a peer comes or goes".

import type {PeerConnection} from './connection.js'
import type {DirectMessages} from './direct.js'
import type {HeldMessages} from './held.js'
import type {HistorySync} from './history-sync.js'
import type {LazyPush} from './lazy-push.js'
import type {LeaveGrace} from './leave-grace.js'
import type {Mesh} from './mesh.js'
import type {PeerRegistry} from './registry.js'
import type {Roster} from './roster.js'
import type {SyncLinks} from './sync/sync-link.js'
import type {ChatNodeEvents, CloseCode} from './types.js'

import {CLOCK_WARNING_MS} from './message-auth.js'
import {MAX_PEERS_PER_FRAME, type PeersFrame, type SignedFrame, type SignedPayload} from './protocol.js'

/** What peer events need from their node: the helpers that each do their part, and where the events go. */
export interface PeerEventsHost {
  readonly registry: PeerRegistry<PeerConnection>
  readonly mesh: Pick<Mesh, 'learn' | 'maintain' | 'scheduleRedial'>
  readonly roster: Pick<Roster, 'directDown' | 'directUp' | 'seen'>
  readonly held: HeldMessages<SignedFrame>
  readonly direct: Pick<DirectMessages, 'onPeerUp'>
  readonly history: Pick<HistorySync, 'onPeerDown' | 'onPeerUp'>
  readonly sync: Pick<SyncLinks<PeerConnection>, 'initiate'>
  /** Swarm streams replaced as duplicates: the peer stays, so its leave waits for it to come back. */
  readonly swaps: LeaveGrace
  readonly lazy: Pick<LazyPush, 'down' | 'up'>
  isRunning(): boolean
  relayLate(kind: 'chat' | 'dm', frame: SignedPayload, cameFrom: undefined): void
  emit<K extends 'clock_skew' | 'held_released' | 'peer_joined' | 'peer_left'>(
    event: K,
    ...args: ChatNodeEvents[K]
  ): void
}

export class PeerEvents {
  readonly #node: PeerEventsHost

  constructor(node: PeerEventsHost) {
    this.#node = node
  }

  up(conn: PeerConnection): void {
    const node = this.#node
    const remote = conn.summary()
    const peerCount = node.registry.size
    // A short-lived sender is gone in a moment: nobody should dial it, learn it or be told of it. A swarm peer's
    // address means nothing to a TCP peer: it is found on the DHT.
    const exchanged = conn.kind === 'tcp' && !conn.transient
    node.lazy.up(conn)
    if (exchanged) node.mesh.learn([remote])
    if (!conn.transient) node.roster.directUp(remote)
    this.sendPeers(conn)
    const released = node.held.size > 0 ? node.held.release(Date.now()) : undefined
    // Said while nobody was connected: it goes out as a late frame, so every node shows it once with its author's
    // time, marked late, like anything reconciliation brings.
    for (const frame of released?.send ?? []) node.relayLate(frame.type === 'dm' ? 'dm' : 'chat', frame, undefined)
    node.direct.onPeerUp(conn, peerCount)
    // One reconciliation per connection, run by the side that dialled (both sides learn what they lack); on a swarm
    // stream, the side Hyperswarm says initiated it.
    if (conn.direction === 'outbound') void node.sync.initiate(conn)
    if (exchanged) {
      // Tell the others about the newcomer at once, so the mesh can route around a relay that dies soon after.
      const announce = [{id: remote.id, host: remote.host, port: remote.port}]
      for (const other of node.registry.list())
        if (other !== conn && other.kind === 'tcp') other.sendFrame({type: 'peers', peers: announce})
    }

    node.history.onPeerUp(conn, peerCount)
    if (!node.swaps.up(remote.id)) node.emit('peer_joined', conn.summary())
    if (released) {
      const to = {id: remote.id, name: remote.name, host: remote.host, port: remote.port}
      node.emit('held_released', {sent: released.send.length, dropped: released.dropped, to})
    }

    const offsetMs = conn.clockOffsetMs
    if (offsetMs !== undefined && Math.abs(offsetMs) > CLOCK_WARNING_MS)
      node.emit('clock_skew', {peer: conn.summary(), offsetMs})
  }

  down(conn: PeerConnection, reason: string, removed: boolean, reasonCode: CloseCode): void {
    const node = this.#node
    node.history.onPeerDown(conn)
    node.lazy.down(conn)
    if (!removed || !node.isRunning() || !conn.remote) return
    node.roster.directDown(conn.remote, reason)
    const left = {...conn.remote, reason, reasonCode, ...(conn.transient ? {transient: true as const} : {})}
    if (conn.kind === 'swarm' && /duplicate/i.test(reason)) {
      node.swaps.down(left.id, () => {
        if (node.isRunning() && !node.registry.get(left.id)) node.emit('peer_left', left)
      })
    } else {
      node.emit('peer_left', left)
    }

    // Redial the address we dialled (a --join through a proxy, a forwarded port), not only the one the peer announces.
    if (conn.dialled) node.mesh.scheduleRedial(conn.dialled.host, conn.dialled.port)
    node.mesh.scheduleRedial(conn.remote.host, conn.remote.port)
    node.mesh.maintain()
  }

  /** A peer's `peers` frame: addresses to learn and maybe dial. */
  onPeers(conn: PeerConnection, frame: PeersFrame): void {
    if (conn.kind !== 'tcp') return // the TCP peer exchange stays among TCP peers (see sendPeers)
    this.#node.roster.seen(frame.peers.map((peer) => peer.id))
    this.#node.mesh.learn(frame.peers)
    this.#node.mesh.maintain()
  }

  /** Tells `conn` the other peers this node is connected to (the mesh's periodic exchange, and a new peer). */
  sendPeers(conn: PeerConnection): void {
    // The TCP peer exchange stays among TCP peers: a swarm peer finds others on the DHT, and a LAN's addresses
    // mean nothing (and tell too much) across the internet.
    if (conn.kind !== 'tcp') return
    const peers = this.#node.registry
      .list()
      .filter((other) => other !== conn && other.remote && other.kind === 'tcp' && !other.transient)
      .slice(0, MAX_PEERS_PER_FRAME)
      .map((other) => ({id: other.peerId, host: other.remote!.host, port: other.remote!.port}))
    if (peers.length > 0) conn.sendFrame({type: 'peers', peers})
  }
}
