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

/** The event's own part of the line, after the timestamp. */
function describe(e: HistoryEvent): string {
  switch (e.event) {
    case 'session_start':
      return `-- session started: ${stripControls(e.node.name)} on ${formatAddress(e.node.host, e.node.port)}`
    case 'session_end':
      return '-- session ended'
    case 'peer_connected':
      return `* ${formatNode(e.peer)} connected`
    case 'peer_disconnected': {
      const reason = stripControls(e.reason).trim()
      return `* ${formatNode(e.peer)} disconnected${reason ? ` (${reason})` : ''}`
    }

    case 'message_sent':
      return e.kind === 'action' ? `* ${stripControls(e.name ?? 'You')} ${stripControls(e.text)}` : `You: ${stripControls(e.text)}`
    case 'message_received': {
      const line = e.kind === 'action' ? `* ${stripControls(e.from.name)} ${stripControls(e.text)}` : `${formatNode(e.from)}: ${stripControls(e.text)}`
      return `${e.history ? '(history) ' : ''}${line}`
    }

    case 'dm_sent':
      return `You → ${formatNode(e.to)} (private): ${stripControls(e.text)}`
    case 'dm_received':
      return `${formatNode(e.from)} → you (private): ${stripControls(e.text)}`
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
export function formatEvent(e: HistoryEvent): string {
  return `${formatTimestamp(eventTime(e))}  ${describe(e)}`
}
