// Turns a history event into one readable line for `chat log tail`. Names and texts come from remote peers, so
// everything printed from them is stripped of control characters first (terminal escape injection).

import type {HistoryEvent, HistoryNode} from './events.js'

// Line breaks and tabs become spaces: one event stays one line.
const BREAKS = /[\t\n\v\f\r\u0085\u2028\u2029]/g
// C0 and C1 controls (ESC, and U+009B, a one-character CSI), DEL, and the bidi marks and overrides that can make a
// line read differently from what it contains ("Trojan Source").
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g

/** `text` made safe for a terminal line: no control characters, no line breaks. */
export function stripControls(text: string): string {
  return text.replace(BREAKS, ' ').replace(CONTROLS, '')
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0')
}

/** `YYYY-MM-DD HH:MM:SS` in local time. */
export function formatTimestamp(iso: string): string {
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return stripControls(iso)
  return (
    `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
  )
}

/** `127.0.0.1:5001`, or `[::1]:5001` for an IPv6 host. */
export function formatAddress(host: string, port: number): string {
  const h = stripControls(host)
  return h.includes(':') ? `[${h}]:${port}` : `${h}:${port}`
}

/** `Pedro (127.0.0.1:5001)` */
export function formatNode(n: HistoryNode): string {
  return `${stripControls(n.name)} (${formatAddress(n.host, n.port)})`
}

/** The words of `chat log tail`, in the reader's language (the catalogues in src/repl/i18n-log.ts). */
export interface LogTexts {
  sessionStarted(name: string, address: string): string
  sessionEnded: string
  connected(peer: string): string
  /** `reason` is empty when the log has none. */
  disconnected(peer: string, reason: string): string
  own(text: string): string
  /** An action (`/me waves`): `* Julia waves`. */
  action(name: string, text: string): string
  /** Our own name in an action logged before names were (older logs). */
  you: string
  received(from: string, text: string): string
  /** Prefix of a message received from a peer's history when joining. */
  historyMark: string
  directSent(to: string, text: string): string
  directReceived(from: string, text: string): string
  /** No history file for that port in that directory (exit 2). */
  notFound(port: number, dir: string, path: string): string
  /** `--follow` on a history that does not exist yet: it is awaited. */
  waiting(path: string): string
}

/** The event's own part of the line, after the timestamp. */
function describe(e: HistoryEvent, t: LogTexts): string {
  switch (e.event) {
    case 'session_start':
      return t.sessionStarted(stripControls(e.node.name), formatAddress(e.node.host, e.node.port))
    case 'session_end':
      return t.sessionEnded
    case 'peer_connected':
      return t.connected(formatNode(e.peer))
    case 'peer_disconnected':
      return t.disconnected(formatNode(e.peer), stripControls(e.reason).trim())
    case 'message_sent':
      return e.kind === 'action' ? t.action(stripControls(e.name ?? t.you), stripControls(e.text)) : t.own(stripControls(e.text))
    case 'message_received': {
      const line = e.kind === 'action' ? t.action(stripControls(e.from.name), stripControls(e.text)) : t.received(formatNode(e.from), stripControls(e.text))
      return `${e.history ? t.historyMark : ''}${line}`
    }

    case 'dm_sent':
      return t.directSent(formatNode(e.to), stripControls(e.text))
    case 'dm_received':
      return t.directReceived(formatNode(e.from), stripControls(e.text))
  }
}

/** When it happened: for a received message, when its author sent it (their clock); else when it was logged. */
export function eventTime(e: HistoryEvent): string {
  const sent = (e.event === 'message_received' || e.event === 'dm_received') && e.sent_ts !== undefined ? new Date(e.sent_ts) : undefined
  return sent && !Number.isNaN(sent.getTime()) ? sent.toISOString() : e.ts
}

/**
 * One line, no trailing newline, e.g. `2026-11-25 17:20:01  Pedro (127.0.0.1:5001): ola` or
 * `2026-11-25 17:20:01  * Pedro (127.0.0.1:5001) disconnected (quit)`.
 */
export function formatEvent(e: HistoryEvent, texts: LogTexts): string {
  return `${formatTimestamp(eventTime(e))}  ${describe(e, texts)}`
}
