// History catch-up: a node keeps the signed frames of its last messages, gives them to a newcomer that asks (once
// per connection), and when it joins asks its first peer for what it missed, accepting no more than it asked for.

import type {PeerConnection} from './connection.js'
import type {SignedIntake} from './intake.js'
import type {ChatMessage} from './types.js'

import {chatMessage} from './message-auth.js'
import {type HistoryFrame, MAX_HISTORY_MESSAGES, MAX_PLAINTEXT_BYTES, type SignedPayload} from './protocol.js'

/** Recent messages kept to give a newcomer (and asked for when joining). */
export const DEFAULT_HISTORY_MESSAGES = 50

/** What history catch-up needs from its node. */
export interface HistoryHost {
  readonly intake: SignedIntake
  /** A message of someone else's from the history, to show (marked `history`). */
  deliver(message: ChatMessage): void
  /** An accepted history item, for the message store. */
  keep(frame: SignedPayload): void
}

export class HistorySync {
  /** How many messages are kept and asked for; 0 turns history off. */
  readonly size: number
  readonly #node: HistoryHost
  /** The signed frames of the last messages shown or sent, oldest first: what a newcomer is given. */
  readonly #recent: SignedPayload[] = []
  #asked = false
  #source: PeerConnection | undefined
  #budget = 0
  /** Connections whose request was answered: one answer each, however often they ask. */
  readonly #served = new WeakSet<PeerConnection>()

  constructor(node: HistoryHost, size = DEFAULT_HISTORY_MESSAGES) {
    this.#node = node
    this.size = Math.min(size, MAX_HISTORY_MESSAGES)
  }

  /** A node that comes back with a message store catches up by reconciliation: it asks for no history. */
  skipRequest(): void {
    this.#asked = true
  }

  /** Keeps a message shown or sent, for the next newcomer. */
  remember(frame: SignedPayload): void {
    if (this.size === 0) return
    this.#recent.push({payload: frame.payload, sig: frame.sig})
    if (this.#recent.length > this.size) this.#recent.shift()
  }

  /**
   * A peer registered. History comes from the first peer we dial to join; the node that was already there has nothing
   * to catch up on, nor has a node that dials out while it already has a peer: its live copies race the history (and
   * lose).
   */
  onPeerUp(conn: PeerConnection, peerCount: number): void {
    if (conn.direction !== 'outbound' || peerCount !== 1 || this.#asked || this.size <= 0) return
    this.#asked = true
    this.#source = conn
    this.#budget = this.size
    conn.sendFrame({type: 'history_request', n: this.size})
  }

  onPeerDown(conn: PeerConnection): void {
    if (conn === this.#source) this.#source = undefined
  }

  /** Answers a `history_request`, in frames that fit. */
  onRequest(conn: PeerConnection, n: number): void {
    if (this.#served.has(conn)) return
    this.#served.add(conn)
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

  /** A `history` frame: shown only from the peer asked, and no more messages than asked for. */
  onHistory(conn: PeerConnection, frame: HistoryFrame): void {
    if (conn !== this.#source) return // unasked-for history is ignored
    for (const item of frame.messages) {
      if (this.#budget <= 0) return
      this.#budget--
      // History is old by definition and never relayed: no age window; the peer sends what it holds, once, so no
      // author rate either.
      const result = this.#node.intake.receive(conn, 'chat', item, {anyAge: true, rateLimit: false})
      if (result.status === 'rejected') return
      if (result.status === 'dropped') continue
      this.remember(item)
      this.#node.keep(item)
      if (result.status === 'new') this.#node.deliver({...chatMessage(result.id, result.payload), history: true})
    }
  }
}
