// Engine errors, warnings and leave reasons in the reader's language, looked up by their code (src/repl/i18n-engine.ts).
//
// ChatNode's errors carry a typed detail (src/p2p/errors.ts), worded here from its fields. Warnings and the reasons a
// connection ended are still English strings with a code at best: those are recognised by the engine's own fixed
// phrases (never free text), and whatever is not recognised is shown as the engine wrote it.

import {formatAddress} from '../p2p/address.js'
import {chatNodeErrorDetail, type ChatNodeErrorDetail} from '../p2p/errors.js'
import {type PassphraseWeakness, RoomSecretError} from '../p2p/room.js'
import {
  type EngineTexts,
  PROTOCOL_CODES,
  type ProtocolCode,
  REASON_CODES,
  type ReasonCode,
  WARNING_CODES,
  type WarningCode,
} from './i18n-engine.js'

/** The engine's fixed English reasons (src/p2p/connection.ts, node.ts), by code. */
const ENGLISH_REASONS: Readonly<Record<string, ReasonCode>> = {
  'connection refused': 'ECONNREFUSED',
  'connection reset': 'ECONNRESET',
  'host unreachable': 'EHOSTUNREACH',
  'network unreachable': 'ENETUNREACH',
  'host not found': 'ENOTFOUND',
  'connection timed out': 'ETIMEDOUT',
  'connection closed': 'closed',
  'on the cool-down list': 'cooling_down',
  'duplicate connection': 'duplicate',
  'too many peers': 'full',
  'this node is leaving': 'leaving',
  quit: 'quit',
  'the peer closed the handshake: the room secret does not match, or it accepts no more connections':
    'refused_handshake',
  'connected to itself': 'self',
  'closed the connection': 'peer_closed',
}

const has = <T extends string>(list: readonly T[], code: string | undefined): code is T =>
  code !== undefined && (list as readonly string[]).includes(code)

function field(error: unknown, name: string): unknown {
  return typeof error === 'object' && error !== null && name in error
    ? (error as Record<string, unknown>)[name]
    : undefined
}

function stringField(error: unknown, name: string): string | undefined {
  const value = field(error, name)
  return typeof value === 'string' ? value : undefined
}

function numberField(error: unknown, name: string): number | undefined {
  const value = field(error, name)
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined
}

export function errorCode(error: unknown): string | undefined {
  return stringField(error, 'code')
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message
  return typeof error === 'string' ? error : String(error)
}

/**
 * Why a connection ended, in the reader's language: a reason code (ECONNREFUSED, quit, ...) or one of the engine's
 * fixed English reasons; anything else (a peer's own words) as it is.
 */
export function reasonText(texts: EngineTexts, reason: string): string {
  if (has(REASON_CODES, reason)) return texts.reasons[reason]
  const code = ENGLISH_REASONS[reason]
  if (code) return texts.reasons[code]
  const heartbeat = /^heartbeat timeout \(silent for more than (\d+) s\)$/.exec(reason)
  if (heartbeat) return texts.heartbeat(Number(heartbeat[1]))
  if (reason.startsWith('peer is not reading')) return texts.reasons.not_reading
  const reported = /^peer reported an error \(([\w-]{1,40})\): ([\s\S]*)$/.exec(reason)
  if (reported) return texts.peerReported(reported[1], reported[2])
  return reason
}

/**
 * Why a peer left, in the reader's language: by the engine's `reasonCode` when it has one with fixed words; the
 * reasons with variable parts (a heartbeat's seconds, a peer's own error) and events without a code by `reason`.
 */
export function leaveReasonText(texts: EngineTexts, left: {reason: string; reasonCode?: string}): string {
  const code = left.reasonCode
  if (code !== 'heartbeat' && has(REASON_CODES, code)) return texts.reasons[code]
  if (has(PROTOCOL_CODES, code)) return texts.protocol[code]
  return reasonText(texts, left.reason)
}

/**
 * A ChatNode error in the reader's language, from its typed detail; undefined for anything that is not one (the
 * caller then shows the error's own message).
 */
export function nodeErrorText(texts: EngineTexts, error: unknown): string | undefined {
  const detail = chatNodeErrorDetail(error)
  if (!detail) return undefined
  const worded: ChatNodeErrorDetail = detail
  // One function per code, each typed by its own detail: the lookup by the detail's code is safe.
  return (texts.errors[worded.code] as (d: ChatNodeErrorDetail) => string)(worded)
}

/** A node warning in the reader's language: a peer disconnected for a protocol error, or one of the other codes. */
export function warningText(
  texts: EngineTexts,
  warning: {code: string; message: string; peer?: unknown; subject?: string},
): string {
  const {code, message} = warning
  if (has(WARNING_CODES, code))
    return texts.warnings[code as WarningCode](warningDetail(code as WarningCode, message, warning))
  const peer = peerLabel(warning.peer) ?? disconnectedLabel(message, code)
  if (peer === undefined) return message
  const reason = has(PROTOCOL_CODES, code) ? texts.protocol[code as ProtocolCode] : texts.protocol.peer_misbehaved
  return texts.peerDisconnected(peer, reason, code)
}

function peerLabel(peer: unknown): string | undefined {
  const name = stringField(peer, 'name')
  const host = stringField(peer, 'host')
  const port = numberField(peer, 'port')
  if (host === undefined || port === undefined) return undefined
  const address = formatAddress({host, port})
  return name === undefined ? address : `${name} (${address})`
}

/** The peer in the engine's "disconnected LABEL: reason (code)". */
function disconnectedLabel(message: string, code: string): string | undefined {
  if (!message.startsWith('disconnected ') || !message.endsWith(` (${code})`)) return undefined
  const rest = message.slice('disconnected '.length)
  const colon = rest.indexOf(': ')
  return colon > 0 ? rest.slice(0, colon) : undefined
}

function warningDetail(code: WarningCode, message: string, warning: unknown): string {
  switch (code) {
    case 'dm_unreadable': {
      return (
        stringField(field(warning, 'from'), 'name') ??
        /^a direct message from (.*) could not be opened/.exec(message)?.[1] ??
        '?'
      )
    }

    case 'send_failed': {
      return message.replace(/^could not send: /, '')
    }

    case 'server_error': {
      return message.replace(/^listening socket failed: /, '')
    }

    // The swarm's warnings name what they are about (a bootstrap list, a peer's fingerprint) in `subject`.
    case 'dht_unreachable':
    case 'swarm_unreachable':
    case 'swarm_unreachable_relaying': {
      return stringField(warning, 'subject') ?? '?'
    }

    case 'swarm_failed': {
      return /^could not join the swarm \((.*)\): the node keeps running on TCP$/s.exec(message)?.[1] ?? message
    }

    default: {
      return ''
    }
  }
}

/** A --secret that cannot make a room key, in the reader's language; undefined for any other error. */
export function roomSecretText(texts: EngineTexts, error: unknown): string | undefined {
  return error instanceof RoomSecretError ? texts.roomErrors[error.code] : undefined
}

/** The warning for an easy passphrase, in the reader's language. */
export function weakPassphraseText(texts: EngineTexts, weak: PassphraseWeakness): string {
  const why = weak.kind === 'short' ? texts.weakness.short(weak.min) : texts.weakness[weak.kind]
  return texts.weakPassphrase(why)
}

export {type NodeErrorTexts} from './i18n-engine.js'
