// Turns a history event into one readable line for `chat log tail`. Names and texts come from remote peers, so
// everything printed from them goes through `sanitize` first, as in the REPL (terminal escape injection).

import {formatAddress} from '../p2p/address.js'
import {sanitize} from '../text/sanitize.js'
import {authorTime, type HistoryEvent, type HistoryNode} from './events.js'

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0')
}

/** `YYYY-MM-DD HH:MM:SS` in local time. */
export function formatTimestamp(iso: string): string {
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return sanitize(iso)
  return (
    `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
  )
}

/** `127.0.0.1:5001`, or `[::1]:5001` for an IPv6 host. */
function address(n: HistoryNode): string {
  return formatAddress({host: sanitize(n.host), port: n.port})
}

/** `Pedro (127.0.0.1:5001)` */
export function formatNode(n: HistoryNode): string {
  return `${sanitize(n.name)} (${address(n)})`
}

/** The event's own part of the line, after the timestamp. */
function describe(e: HistoryEvent): string {
  switch (e.event) {
    case 'session_start':
      return `-- session started: ${sanitize(e.node.name)} on ${address(e.node)}`
    case 'session_end':
      return '-- session ended'
    case 'peer_connected':
      return `* ${formatNode(e.peer)} connected`
    case 'peer_disconnected': {
      const reason = sanitize(e.reason).trim()
      return `* ${formatNode(e.peer)} disconnected${reason ? ` (${reason})` : ''}`
    }

    case 'message_sent':
      return e.kind === 'action' ? `* ${sanitize(e.name ?? 'You')} ${sanitize(e.text)}` : `You: ${sanitize(e.text)}`
    case 'message_received': {
      const line = e.kind === 'action' ? `* ${sanitize(e.from.name)} ${sanitize(e.text)}` : `${formatNode(e.from)}: ${sanitize(e.text)}`
      return `${e.history ? '(history) ' : ''}${e.late ? '(late) ' : ''}${line}`
    }

    case 'dm_sent':
      return `You → ${formatNode(e.to)} (private): ${sanitize(e.text)}`
    case 'dm_received':
      return `${e.late ? '(late) ' : ''}${formatNode(e.from)} → you (private): ${sanitize(e.text)}`
    case 'frame_stored':
      return `-- stored a signed ${e.kind} frame`
  }
}

/** When it happened: for a received message, when its author sent it (their clock); else when it was logged. */
export function eventTime(e: HistoryEvent): string {
  const at = new Date(authorTime(e))
  return Number.isNaN(at.getTime()) ? e.ts : at.toISOString()
}

/**
 * One line, no trailing newline, e.g. `2026-11-25 17:20:01  Pedro (127.0.0.1:5001): ola` or
 * `2026-11-25 17:20:01  * Pedro (127.0.0.1:5001) disconnected (quit)`.
 */
export function formatEvent(e: HistoryEvent): string {
  return `${formatTimestamp(eventTime(e))}  ${describe(e)}`
}
