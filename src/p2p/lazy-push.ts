// The node's side of lazy push (src/p2p/broadcast-tree.ts): which connections take part, the `ihave`, `graft` and
// `prune` frames, and grafts answered from the message store. Only live chat messages are pushed lazily; direct
// messages, announcements and late frames (`sync_items`) still go whole down every link.

import type {PeerConnection} from './connection.js'
import type {GraftFrame, IhaveFrame, SignedPayload} from './protocol.js'

import {BroadcastTree, type TreeOptions, type TreeStats} from './broadcast-tree.js'
import {KeyedRateLimiter} from './rate-limit.js'

/** Chat messages a peer may graft from us per second (and burst): an honest peer grafts a few, not a flood's worth. */
export const GRAFTED_PER_SECOND = 300
export const GRAFTED_BURST = 600

export interface LazyPushHost {
  /** True when the node has message `id` (seen or stored). */
  known(id: string): boolean
  /** The chat message `id` as its author signed it, if the node still holds it. */
  chat(id: string): SignedPayload | undefined
}

export class LazyPush {
  /** False: this node says nothing of lazy push in its hello and pushes every chat message down every link. */
  readonly enabled: boolean
  readonly #host: LazyPushHost
  readonly #tree: BroadcastTree<PeerConnection>
  readonly #grafted = new KeyedRateLimiter(GRAFTED_PER_SECOND, GRAFTED_BURST, 1000)

  constructor(host: LazyPushHost, enabled: boolean, options: TreeOptions = {}) {
    this.enabled = enabled
    this.#host = host
    this.#tree = new BroadcastTree<PeerConnection>(
      {
        ihave: (conn, ids) => conn.sendFrame({type: 'ihave', ids}),
        graft: (conn, ids) => conn.sendFrame({type: 'graft', ids}),
        prune: (conn) => conn.sendFrame({type: 'prune'}),
      },
      options,
    )
  }

  get stats(): TreeStats {
    return this.#tree.stats
  }

  up(conn: PeerConnection): void {
    this.#tree.add(conn, this.enabled && conn.lazy)
  }

  down(conn: PeerConnection): void {
    this.#tree.remove(conn)
  }

  /** The peers to push chat message `id` to whole; the lazy ones among `targets` get its id instead. */
  route(targets: PeerConnection[], id: string): PeerConnection[] {
    return this.#tree.route(targets, id) // with lazy push off every peer is eager: counted, nothing announced
  }

  /** A chat message arrived new: live from `conn` (its link is on the tree), or late (`conn` undefined). */
  delivered(id: string, conn: PeerConnection | undefined): void {
    if (this.enabled) this.#tree.delivered(id, conn)
  }

  /** A chat message already had arrived live from `conn`. */
  duplicate(conn: PeerConnection): void {
    if (this.enabled) this.#tree.duplicate(conn)
  }

  onIhave(conn: PeerConnection, frame: IhaveFrame): void {
    if (this.enabled && conn.lazy) this.#tree.onIhave(conn, frame.ids, (id) => this.#host.known(id))
  }

  /** Sends the asked-for chat messages still held (over the peer's budget, the rest are left to reconciliation). */
  onGraft(conn: PeerConnection, frame: GraftFrame): void {
    if (!this.enabled || !conn.lazy) return
    for (const id of this.#tree.onGraft(conn, frame.ids)) {
      const chat = this.#host.chat(id)
      if (!chat) continue
      if (!this.#grafted.take(conn.peerId)) return
      conn.sendFrame({type: 'chat', payload: chat.payload, sig: chat.sig})
    }
  }

  onPrune(conn: PeerConnection): void {
    if (this.enabled) this.#tree.onPrune(conn)
  }

  stop(): void {
    this.#tree.stop()
  }
}
