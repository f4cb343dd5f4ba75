// Frames learned late — by reconciliation, or passed on by a peer that learned them so — are checked like any frame
// (dedup, age within the store's retention, signature, the author's rate), kept, passed on to the other peers, and
// shown once, marked late. A message said before this node was ever in the room is kept and passed on, not shown.

import {checkMessage, checkSigned} from '../message-auth.js'
import {decodeDirectPayload, type ProtocolError, type SyncItemsFrame} from '../protocol.js'
import type {ChatMessage, DirectMessage, NodeInfo} from '../types.js'
import type {MessageStore, StoredFrame} from './store.js'
import {toStoredFrame} from './stored-frame.js'

export type SyncItem = SyncItemsFrame['items'][number]

export interface LateIntakeContext<C> {
  readonly selfId: string
  readonly info: NodeInfo
  readonly store: MessageStore
  /** The node's dedup: its seen-cache and its store. */
  readonly seen: {add(id: string): unknown; has(id: string): boolean}
  /** When this node first joined the room (an earlier run's start): older messages are not shown as late. */
  readonly memberSince: number
  now(): number
  authorAllowed(authorId: string): boolean
  /** The node's handling of an announcement: true if new, false if known or stale, undefined if rejected. */
  learnKey(conn: C, announce: {payload: string; sig: string}): boolean | undefined
  openDirect(sealed: {box: string; eph: string}, context: string): string | undefined
  keep(frame: StoredFrame): void
  relay(item: SyncItem, cameFrom: C): void
  reject(conn: C, error: ProtocolError): void
  message(message: ChatMessage): void
  direct(message: DirectMessage): void
}

export function acceptLate<C>(ctx: LateIntakeContext<C>, conn: C, item: SyncItem): void {
  const now = ctx.now()
  const maxAgeMs = now - ctx.store.horizon()
  switch (item.kind) {
    case 'chat': {
      const verdict = checkMessage(item, {seen: ctx.seen, now, maxAgeMs})
      if (verdict.outcome === 'reject') return ctx.reject(conn, verdict.error)
      if (verdict.outcome !== 'accept') return
      const {message} = verdict
      ctx.seen.add(message.id)
      ctx.keep(toStoredFrame('chat', item))
      // Ours from an earlier run (we were cut off when we sent it): kept, not shown; the peer has it already.
      if (message.from.id === ctx.selfId) return
      if (!ctx.authorAllowed(message.from.id)) return
      ctx.relay(item, conn)
      if (message.ts >= ctx.memberSince) ctx.message({...message, late: true})
      return
    }

    case 'dm': {
      const verdict = checkSigned('dm', item, decodeDirectPayload, {seen: ctx.seen, now, maxAgeMs})
      if (verdict.outcome === 'reject') return ctx.reject(conn, verdict.error)
      if (verdict.outcome !== 'accept') return
      ctx.seen.add(verdict.id)
      ctx.keep(toStoredFrame('dm', item))
      const {box, eph, from, to, ts} = verdict.payload
      if (from.id === ctx.selfId || !ctx.authorAllowed(from.id)) return
      if (to !== ctx.selfId) {
        ctx.relay(item, conn)
        return
      }

      const text = ctx.openDirect({box, eph}, `${from.id}>${to}`)
      if (text !== undefined && ts >= ctx.memberSince) ctx.direct({id: verdict.id, from: {...from}, to: ctx.info, text, ts, late: true})
      return
    }

    case 'announce': {
      if (ctx.learnKey(conn, item)) ctx.relay(item, conn)
    }
  }
}
