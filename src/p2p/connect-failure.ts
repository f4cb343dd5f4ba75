// Why a connection failed before its hello, by a stable code a user interface can word (and a cool-down list can
// key on), from what the connection saw: a socket error, a protocol error while handshaking, or a silent close.
// The codes are documented in docs/protocol.md ("Connection failures"). Also a socket error's close code and words.

import type {CloseCode, PeerDirection} from './types.js'

export const CONNECT_FAILURE_CODES = [
  'refused',
  'unreachable',
  'timeout',
  'not_chat_protocol',
  'room_mismatch',
  'version',
  'bad_identity',
  'closed',
] as const

export type ConnectFailureCode = (typeof CONNECT_FAILURE_CODES)[number]

/** A failed connection: why (`code`), which side dialled, and the other end's address. */
export interface ConnectFailure {
  code: ConnectFailureCode
  direction: PeerDirection
  /** For an outbound connection the address dialled; for an inbound one the socket's remote end. */
  host: string
  port: number
  /** The operating system's error code (ECONNREFUSED, EHOSTUNREACH, ...) when a socket error was the cause. */
  errno?: string
}

/** What a connection saw as it closed before the handshake completed. */
export interface CloseCause {
  /** The socket's error code, if the socket failed. */
  errno?: string
  /** The code of the protocol error that closed it (bad_length, room_mismatch, handshake_timeout, ...). */
  protocolCode?: string
  /** The other end closed without a byte after our first handshake message. */
  silentClose?: boolean
}

const UNREACHABLE_ERRNOS = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EADDRNOTAVAIL'])
/**
 * Protocol errors while handshaking that mean the other end is something other than a chat node. (`decrypt_failed`
 * is not one: it comes after a complete handshake, even when the garbage came in the same chunk as the hello.)
 */
const FOREIGN_PROTOCOL_CODES = new Set([
  'bad_length',
  'handshake_failed',
  'bad_json',
  'bad_utf8',
  'bad_frame',
  'bad_field',
])

/** The failure code for a connection that closed before its hello; undefined for a protocol error of another kind. */
export function classifyClose(cause: CloseCause): ConnectFailureCode | undefined {
  const {errno, protocolCode, silentClose} = cause
  if (protocolCode !== undefined) {
    if (protocolCode === 'handshake_timeout') return 'timeout'
    if (protocolCode === 'room_mismatch' || protocolCode === 'version' || protocolCode === 'bad_identity')
      return protocolCode
    if (FOREIGN_PROTOCOL_CODES.has(protocolCode)) return 'not_chat_protocol'
    return undefined
  }

  if (silentClose) return 'room_mismatch'
  if (errno === 'ECONNREFUSED') return 'refused'
  if (errno === 'ETIMEDOUT') return 'timeout'
  if (errno !== undefined && UNREACHABLE_ERRNOS.has(errno)) return 'unreachable'
  return 'closed'
}

function where({host, port}: {host: string; port: number}): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`
}

/**
 * The failure in English, for logs and the engine's error messages (`could not reach 127.0.0.1:22: it does not
 * speak the chat protocol…`); the REPL words it itself, in the user's language, from the code.
 */
export function describeFailure(failure: ConnectFailure, handshakeTimeoutMs = 5000): string {
  const within = handshakeTimeoutMs < 1000 ? `${handshakeTimeoutMs} ms` : `${Math.round(handshakeTimeoutMs / 1000)} s`
  if (failure.direction === 'inbound') {
    const inbound: Record<ConnectFailureCode, string> = {
      refused: 'closed during the handshake',
      unreachable: 'closed during the handshake',
      closed: 'closed during the handshake',
      timeout: `did not finish the handshake within ${within}`,
      not_chat_protocol: 'does not speak the chat protocol',
      room_mismatch: 'used another room secret',
      version: 'speaks another version of the chat protocol',
      bad_identity: 'could not prove its identity',
    }
    return `a connection from ${where(failure)} ${inbound[failure.code]}`
  }

  const outbound: Record<ConnectFailureCode, string> = {
    refused: 'connection refused',
    unreachable: `no route to it (${failure.errno ?? 'unreachable'}): check the address and the network`,
    timeout: `no answer to the handshake within ${within}: is it a chat node?`,
    not_chat_protocol: 'it does not speak the chat protocol: check the address and port',
    room_mismatch:
      'the room secret does not match: check the invite code or passphrase (or the node accepts no more connections)',
    version: 'it speaks another version of the chat protocol: both must run the same version',
    bad_identity: 'its identity signature does not match its handshake key',
    closed: `it closed the connection during the handshake (${failure.errno ?? 'no reason given'}): it may be full or limiting new connections`,
  }
  return `could not reach ${where(failure)}: ${outbound[failure.code]}`
}

const SOCKET_ERROR_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'host not found',
  EPIPE: 'connection closed',
  ETIMEDOUT: 'connection timed out',
}

/** A socket error's stable code: its errno when worded above, else `socket_error` (EPIPE is a plain close). */
export function socketCloseCode(error: NodeJS.ErrnoException): CloseCode {
  if (error.code === 'EPIPE') return 'closed'
  return error.code !== undefined && error.code in SOCKET_ERROR_REASONS ? (error.code as CloseCode) : 'socket_error'
}

/** A socket error in words a user can read. */
export function describeSocketError(error: NodeJS.ErrnoException): string {
  return (error.code && SOCKET_ERROR_REASONS[error.code]) ?? error.message
}
