// The history file format: one JSON object per line, `{"ts":"<ISO-8601>","event":"…","session":"…","seq":N,…}`.
// This module is the only place that knows how a line is built and how a line read back is checked.

import {join} from 'node:path'

import {toJsonLine} from '../text/sanitize.js'

/** A node as the history records it: its id, display name and listening address. `NodeInfo` from p2p fits. */
export interface HistoryNode {
  id: string
  name: string
  host: string
  port: number
}

/** What `HistoryLog.append` accepts: an event without the fields the log adds itself (`ts`, `session`, `seq`). */
export type HistoryEventInput =
  | {event: 'session_start'; node: HistoryNode}
  | {event: 'session_end'}
  | {event: 'peer_connected'; peer: HistoryNode}
  | {event: 'peer_disconnected'; peer: HistoryNode; reason: string}
  | {
      event: 'message_sent'
      id: string
      text: string
      /** `action` for a `/me` (`text` is `waves`); absent for a plain message */
      kind?: 'action'
      /** the name it was sent under: kept for an action, which reads `* Julia waves` */
      name?: string
    }
  | {
      event: 'message_received'
      id: string
      from: HistoryNode
      text: string
      /** the author's clock, ms since the epoch */
      sent_ts?: number
      /** true when the message was replayed from a peer's history rather than received live */
      history?: boolean
      /** `action` for a `/me`; absent for a plain message */
      kind?: 'action'
      /** true when it was said while this node was away or cut off, and arrived later (by reconciliation) */
      late?: boolean
    }
  | {event: 'dm_sent'; id: string; to: HistoryNode; text: string}
  | {event: 'dm_received'; id: string; from: HistoryNode; text: string; sent_ts?: number; late?: boolean}
  /**
   * A signed frame of the node's message store, exactly as its author signed it: read back at the next start so the
   * store survives a restart (docs/sync.md). Not an event a reader shows.
   */
  | {event: 'frame_stored'; kind: StoredKind; payload: string; sig: string}

export type StoredKind = 'announce' | 'chat' | 'dm'

export type HistoryEventType = HistoryEventInput['event']

/** Fields every written line carries besides the event's own. */
export interface HistoryStamp {
  /** when this node logged the event, ISO-8601 (UTC) */
  ts: string
  /** random id of the HistoryLog instance that wrote the line */
  session: string
  /** 1, 2, 3… within a session: lets a restarted writer write each event exactly once */
  seq: number
}

/** One line of a history file, as written and as read back. */
export type HistoryEvent = HistoryEventInput & HistoryStamp

export const HISTORY_EVENT_TYPES: readonly HistoryEventType[] = [
  'session_start',
  'session_end',
  'peer_connected',
  'peer_disconnected',
  'message_sent',
  'message_received',
  'dm_sent',
  'dm_received',
  'frame_stored',
]

/**
 * When the event happened by its author's clock: a received message's `sent_ts`, otherwise when it was logged.
 * `log tail` and /history order by it, so a message that arrived late sits where it was said.
 */
export function authorTime(e: HistoryEvent): number {
  if ((e.event === 'message_received' || e.event === 'dm_received') && e.sent_ts !== undefined) return e.sent_ts
  return Date.parse(e.ts)
}

/** Events in author-time order; equal times keep the file's order. */
export function byAuthorTime<T extends {event: HistoryEvent}>(records: T[]): T[] {
  return records
    .map((record, i) => ({record, i, at: authorTime(record.event)}))
    .sort((a, b) => a.at - b.at || a.i - b.i)
    .map(({record}) => record)
}

/** Lines that are the file's own records, not events a reader prints (`log tail`, /history). */
export function isShownEvent(e: HistoryEvent): boolean {
  return e.event !== 'frame_stored'
}

/** Where a node listening on `port` keeps its history. */
export function historyPath(dir: string, port: number): string {
  return join(dir, `chat_history_${port}.log`)
}

function node(n: HistoryNode): HistoryNode {
  // Copy the whitelisted fields only: callers may pass a richer object (a PeerSummary with `direction`, `since`).
  return {id: n.id, name: n.name, host: n.host, port: n.port}
}

/** The event's own fields in a fixed order, whitelisted. */
function body(e: HistoryEventInput): Record<string, unknown> {
  switch (e.event) {
    case 'session_start': {
      return {node: node(e.node)}
    }

    case 'session_end': {
      return {}
    }

    case 'peer_connected': {
      return {peer: node(e.peer)}
    }

    case 'peer_disconnected': {
      return {peer: node(e.peer), reason: e.reason}
    }

    case 'message_sent': {
      const out: Record<string, unknown> = {id: e.id, text: e.text}
      if (e.kind !== undefined) out.kind = e.kind
      if (e.name !== undefined) out.name = e.name
      return out
    }

    case 'message_received': {
      const out: Record<string, unknown> = {id: e.id, from: node(e.from), text: e.text}
      if (e.sent_ts !== undefined) out.sent_ts = e.sent_ts
      if (e.history !== undefined) out.history = e.history
      if (e.kind !== undefined) out.kind = e.kind
      if (e.late !== undefined) out.late = e.late
      return out
    }

    case 'dm_sent': {
      return {id: e.id, to: node(e.to), text: e.text}
    }

    case 'dm_received': {
      const out: Record<string, unknown> = {id: e.id, from: node(e.from), text: e.text}
      if (e.sent_ts !== undefined) out.sent_ts = e.sent_ts
      if (e.late !== undefined) out.late = e.late
      return out
    }

    case 'frame_stored': {
      return {kind: e.kind, payload: e.payload, sig: e.sig}
    }
  }
}

/**
 * One line, without the trailing newline. JSON.stringify escapes `\n`, so a line never contains one; `toJsonLine`
 * also escapes what a terminal would act on (C1, bidi overrides), so `cat` of the file is safe.
 */
export function serializeEvent(e: HistoryEventInput, stamp: HistoryStamp): string {
  return toJsonLine({ts: stamp.ts, event: e.event, session: stamp.session, seq: stamp.seq, ...body(e)})
}

type Obj = Record<string, unknown>

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function isPort(v: unknown): v is number {
  return Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 65_535
}

/** A message's `kind`: absent (a plain message) or `action`. */
function isKind(v: unknown): v is 'action' | undefined {
  return v === undefined || v === 'action'
}

function parseNode(v: unknown): HistoryNode | undefined {
  if (!isObj(v)) return undefined
  const {id, name, host, port} = v
  if (typeof id !== 'string' || typeof name !== 'string' || typeof host !== 'string' || !isPort(port)) return undefined
  return {id, name, host, port}
}

/**
 * Parses one line read back from a history file into a fresh, checked object, or `undefined` if it is not a valid
 * event (garbage, a cut line, an unknown event type, a field of the wrong type). Never throws.
 */
export function parseHistoryLine(line: string): HistoryEvent | undefined {
  let raw: unknown
  try {
    raw = JSON.parse(line)
  } catch {
    return undefined
  }

  if (!isObj(raw)) return undefined
  const {ts, session, seq} = raw
  if (typeof ts !== 'string' || Number.isNaN(Date.parse(ts))) return undefined
  if (typeof session !== 'string' || !Number.isSafeInteger(seq) || (seq as number) < 1) return undefined
  const stamp: HistoryStamp = {ts, session, seq: seq as number}

  switch (raw.event) {
    case 'session_start': {
      const n = parseNode(raw.node)
      return n ? {...stamp, event: 'session_start', node: n} : undefined
    }

    case 'session_end': {
      return {...stamp, event: 'session_end'}
    }

    case 'peer_connected': {
      const peer = parseNode(raw.peer)
      return peer ? {...stamp, event: 'peer_connected', peer} : undefined
    }

    case 'peer_disconnected': {
      const peer = parseNode(raw.peer)
      const {reason} = raw
      return peer && typeof reason === 'string' ? {...stamp, event: 'peer_disconnected', peer, reason} : undefined
    }

    case 'message_sent': {
      const {id, text, kind, name} = raw
      if (typeof id !== 'string' || typeof text !== 'string' || !isKind(kind)) return undefined
      if (name !== undefined && typeof name !== 'string') return undefined
      const e: HistoryEvent = {...stamp, event: 'message_sent', id, text}
      if (kind !== undefined) e.kind = kind
      if (name !== undefined) e.name = name
      return e
    }

    case 'message_received': {
      const {id, text, sent_ts: sentTs, history, kind, late} = raw
      const from = parseNode(raw.from)
      if (!from || typeof id !== 'string' || typeof text !== 'string') return undefined
      if (sentTs !== undefined && !Number.isFinite(sentTs)) return undefined
      if (history !== undefined && typeof history !== 'boolean') return undefined
      if (late !== undefined && typeof late !== 'boolean') return undefined
      if (!isKind(kind)) return undefined
      const e: HistoryEvent = {...stamp, event: 'message_received', id, from, text}
      if (sentTs !== undefined) e.sent_ts = sentTs as number
      if (history !== undefined) e.history = history
      if (kind !== undefined) e.kind = kind
      if (late !== undefined) e.late = late
      return e
    }

    case 'dm_sent': {
      const {id, text} = raw
      const to = parseNode(raw.to)
      return to && typeof id === 'string' && typeof text === 'string'
        ? {...stamp, event: 'dm_sent', id, to, text}
        : undefined
    }

    case 'dm_received': {
      const {id, text, sent_ts: sentTs, late} = raw
      const from = parseNode(raw.from)
      if (!from || typeof id !== 'string' || typeof text !== 'string') return undefined
      if (sentTs !== undefined && !Number.isFinite(sentTs)) return undefined
      if (late !== undefined && typeof late !== 'boolean') return undefined
      const e: HistoryEvent = {...stamp, event: 'dm_received', id, from, text}
      if (sentTs !== undefined) e.sent_ts = sentTs as number
      if (late !== undefined) e.late = late
      return e
    }

    case 'frame_stored': {
      const {kind, payload, sig} = raw
      if (kind !== 'announce' && kind !== 'chat' && kind !== 'dm') return undefined
      if (typeof payload !== 'string' || typeof sig !== 'string') return undefined
      return {...stamp, event: 'frame_stored', kind, payload, sig}
    }

    default: {
      return undefined
    }
  }
}
