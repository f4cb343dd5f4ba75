// Which of a node's events the history keeps, and as what: the one place that turns engine events into history events.

import type {EventEmitter} from 'node:events'

import type {ChatMessage, ChatNodeEvents, DirectMessage, PeerLeft, PeerSummary, StoredFrameInfo} from '../p2p/types.js'
import type {HistoryEventInput, HistoryNode} from './events.js'

/** A peer as the history records it (the engine's summary carries more than the file needs). */
function peerOf(p: HistoryNode): HistoryNode {
  return {id: p.id, name: p.name, host: p.host, port: p.port}
}

export const historyEvent = {
  sent: (m: ChatMessage): HistoryEventInput => ({
    event: 'message_sent',
    id: m.id,
    text: m.text,
    ...(m.action ? {kind: 'action', name: m.from.name} : {}),
  }),
  message: (m: ChatMessage): HistoryEventInput => ({
    event: 'message_received',
    id: m.id,
    from: m.from,
    text: m.text,
    sent_ts: m.ts,
    ...(m.history ? {history: true} : {}),
    ...(m.action ? {kind: 'action'} : {}),
    ...(m.late ? {late: true} : {}),
  }),
  direct_sent: (m: DirectMessage): HistoryEventInput => ({event: 'dm_sent', id: m.id, to: m.to, text: m.text}),
  direct: (m: DirectMessage): HistoryEventInput => ({
    event: 'dm_received',
    id: m.id,
    from: m.from,
    text: m.text,
    sent_ts: m.ts,
    ...(m.late ? {late: true} : {}),
  }),
  // The message store survives a restart in the history file (docs/sync.md): the writer stays its only writer.
  stored: (f: StoredFrameInfo): HistoryEventInput => ({
    event: 'frame_stored',
    kind: f.kind,
    payload: f.payload,
    sig: f.sig,
  }),
  peer_joined: (p: PeerSummary): HistoryEventInput => ({event: 'peer_connected', peer: peerOf(p)}),
  peer_left: (p: PeerLeft): HistoryEventInput => ({event: 'peer_disconnected', peer: peerOf(p), reason: p.reason}),
} satisfies {[K in keyof ChatNodeEvents]?: (...args: ChatNodeEvents[K]) => HistoryEventInput}

/**
 * Appends the node's messages, direct messages and peer changes as history events; returns what stops it. What an
 * author the user ignores (`ignored`) wrote is not recorded.
 */
export function recordNodeEvents(
  node: EventEmitter<ChatNodeEvents>,
  append: (event: HistoryEventInput) => void,
  ignored: (authorId: string) => boolean = () => false,
): () => void {
  // The table is typed against ChatNodeEvents above; subscribing by name needs the untyped view.
  const emitter = node as EventEmitter
  const wired = Object.entries(historyEvent).map(([name, toEvent]) => {
    const listener = (arg: unknown): void => {
      const {from} = arg as {from?: {id?: unknown}}
      if ((name === 'message' || name === 'direct') && typeof from?.id === 'string' && ignored(from.id)) return
      append((toEvent as (arg: unknown) => HistoryEventInput)(arg))
    }

    emitter.on(name, listener)
    return [name, listener] as const
  })
  return () => {
    for (const [name, listener] of wired) emitter.off(name, listener)
  }
}
