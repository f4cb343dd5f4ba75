// Chat messages as they come in, flooded live or learned late by reconciliation: validated once by the intake, then
// kept (for newcomers and in the message store), relayed to the other peers and only then emitted. Also the check
// asked before a payload's signature, and the message store's additions for every kind. The relay path is
// ChatNode#onFrame → ChatMessages.onChat → SignedIntake.receive → ChatNode#broadcast (docs/architecture.md).

import type {PeerConnection} from './connection.js'
import type {SeenCache} from './flood.js'
import type {SignedIntake} from './intake.js'
import type {LazyPush} from './lazy-push.js'
import type {SignedFrame, SignedPayload, SyncItemsFrame} from './protocol.js'
import type {MessageStore, StoredFrame} from './sync/store.js'
import type {ChatMessage, NodeInfo} from './types.js'

import {chatMessage, MAX_CLOCK_SKEW_MS} from './message-auth.js'
import {toStoredFrame} from './sync/stored-frame.js'

/** A full seen-cache (ids all inside the acceptance window) is reported at most this often. */
const SEEN_FULL_WARNING_MS = 60_000

type SignedKind = 'announce' | 'chat' | 'dm'

/** What the chat path needs from its node. */
export interface ChatHost {
  readonly intake: SignedIntake
  readonly seen: SeenCache
  readonly store: MessageStore
  /** Messages said before this node was first in the room are kept and passed on when learned late, not shown. */
  readonly memberSince: number
  /** The per-link budget (peer-health.ts): false drops the payload before its signature is checked. */
  admitLink(conn: PeerConnection, author: string): boolean
  /** `from` wrote a message: it is in the room (the roster). */
  heard(from: NodeInfo): void
  /** Kept for the next newcomer's history. */
  remember(frame: SignedPayload): void
  broadcast(frame: SignedFrame, cameFrom: PeerConnection, id: string): void
  /** Lazy push: a live copy already had prunes its link; a new one puts its link on the tree. */
  readonly lazy: Pick<LazyPush, 'delivered' | 'duplicate'>
  relayLate(kind: 'chat', frame: SignedPayload, cameFrom: PeerConnection): void
  /** The other signed kinds learned late go to the direct messages. */
  lateDirect(conn: PeerConnection, frame: SignedPayload): void
  lateAnnounce(conn: PeerConnection, frame: SignedPayload): void
  deliver(message: ChatMessage): void
  /** A frame entered the message store: the caller persists it (the engine writes no files). */
  stored(frame: StoredFrame): void
  warn(code: string, message: string): void
}

export class ChatMessages {
  readonly #node: ChatHost
  #seenFullWarnedAt = 0

  constructor(node: ChatHost) {
    this.#node = node
  }

  /** A chat message, flooded live or learned `late` by reconciliation (then passed on as late, and marked so). */
  onChat(conn: PeerConnection, frame: SignedPayload, late = false): void {
    const node = this.#node
    const result = node.intake.receive(conn, 'chat', frame)
    if (result.status === 'own') this.keep('chat', frame, {id: result.id, ts: result.payload.ts}) // ours from an earlier run: kept, never shown again
    if (result.status === 'dropped' && result.duplicate && !late) node.lazy.duplicate(conn)
    if (result.status !== 'new') return
    node.lazy.delivered(result.id, late ? undefined : conn)
    node.heard(result.payload.from)
    node.remember(frame)
    this.keep('chat', frame, {id: result.id, ts: result.payload.ts})
    // Forward first: what the listeners do with the message (display, history) is not on the next hop's path.
    if (late) node.relayLate('chat', frame, conn)
    else node.broadcast({type: 'chat', payload: frame.payload, sig: frame.sig}, conn, result.id)
    const message = chatMessage(result.id, result.payload)
    if (late && message.ts < node.memberSince) return // said before this node was ever in the room
    // Older than a live message can be, even from a skewed clock: it waited somewhere.
    node.deliver(late || message.ts < Date.now() - MAX_CLOCK_SKEW_MS ? {...message, late: true} : message)
  }

  /** A signed frame learned late, by reconciliation (asked for, pushed, or passed on by a peer that learned it so). */
  onLate(conn: PeerConnection, item: SyncItemsFrame['items'][number]): void {
    const frame = {payload: item.payload, sig: item.sig}
    switch (item.kind) {
      case 'chat': {
        this.onChat(conn, frame, true)
        return
      }

      case 'dm': {
        this.#node.lateDirect(conn, frame)
        return
      }

      case 'announce': {
        this.#node.lateAnnounce(conn, frame)
      }
    }
  }

  /**
   * Asked before a payload's signature is checked: drop it unverified when the seen-cache cannot take its id without
   * forgetting one inside the acceptance window (a replay could then be shown), or when its link is over its budget.
   */
  admit(conn: PeerConnection, author: string): boolean {
    const {seen} = this.#node
    if (!seen.hasRoom()) {
      const now = Date.now()
      if (now - this.#seenFullWarnedAt >= SEEN_FULL_WARNING_MS) {
        this.#seenFullWarnedAt = now
        const minutes = Math.round(seen.protectMs / 60_000)
        this.#node.warn(
          'seen_cache_full',
          `more than ${seen.maxEntries} messages in ${minutes} min: new messages are dropped until older ones age out`,
        )
      }

      return false
    }

    return this.#node.admitLink(conn, author)
  }

  /** Adds a frame to the message store; `stored` tells the caller to persist it. */
  keep(kind: SignedKind, frame: SignedPayload, known?: {id: string; ts: number}): void {
    const stored = toStoredFrame(kind, frame, known)
    if (this.#node.store.add(stored)) this.#node.stored(stored)
  }
}
