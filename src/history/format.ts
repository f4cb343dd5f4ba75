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
  /** Before a message learned late, by reconciliation (docs/sync.md). */
  lateMark: string
  /** A signed frame kept for the message store (a line `log tail` shows only in full listings). */
  frameStored(kind: string): string
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
    case 'session_start': {
      return t.sessionStarted(sanitize(e.node.name), address(e.node))
    }

    case 'session_end': {
      return t.sessionEnded
    }

    case 'peer_connected': {
      return t.connected(formatNode(e.peer))
    }

    case 'peer_disconnected': {
      return t.disconnected(formatNode(e.peer), sanitize(e.reason).trim())
    }

    case 'message_sent': {
      return e.kind === 'action' ? t.action(sanitize(e.name ?? t.you), sanitize(e.text)) : t.own(sanitize(e.text))
    }

    case 'message_received': {
      const line =
        e.kind === 'action'
          ? t.action(sanitize(e.from.name), sanitize(e.text))
          : t.received(formatNode(e.from), sanitize(e.text))
      return `${e.history ? t.historyMark : ''}${e.late ? t.lateMark : ''}${line}`
    }

    case 'dm_sent': {
      return t.directSent(formatNode(e.to), sanitize(e.text))
    }

    case 'dm_received': {
      return `${e.late ? t.lateMark : ''}${t.directReceived(formatNode(e.from), sanitize(e.text))}`
    }

    case 'frame_stored': {
      return t.frameStored(e.kind)
    }
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
export function formatEvent(e: HistoryEvent, texts: LogTexts): string {
  return `${formatTimestamp(eventTime(e))}  ${describe(e, texts)}`
}
