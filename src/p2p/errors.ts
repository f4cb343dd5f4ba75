// The engine's errors for its callers (the REPL, the commands), in the engine's one code style: snake_case, as the
// wire's error codes (`bad_signature`) and the warnings (`send_queue_full`). Each code carries the facts a UI needs
// to word it in its own language, so nobody parses the English message (noise/errors.ts is the model).

import {type ConnectFailure, describeFailure} from './connect-failure.js'

/** Every failure a ChatNode call can report, with its facts. */
export type ChatNodeErrorDetail =
  | {code: 'address_in_use'; host: string; port: number}
  | {code: 'already_started'}
  | {code: 'bad_address'; host: string; port: number}
  | {code: 'bad_name'; limit: number}
  /** The address (or the node there) is on the cool-down list until `until` for breaking the protocol (`reason`). */
  | {code: 'cooling_down'; host: string; port: number; reason: string; until: number}
  | {code: 'dial_in_progress'; host: string; port: number}
  | {code: 'empty'}
  | {code: 'full'; maxPeers: number}
  /** Listening failed for another reason; `errno` is the system's code when there is one. */
  | {code: 'listen_failed'; errno: string | undefined; host: string; port: number}
  | {code: 'listen_not_allowed'; host: string; port: number}
  | {code: 'no_such_address'; host: string}
  | {code: 'not_running'}
  /** The address is this node's own, or the node there has this node's identity. */
  | {code: 'self'; host: string; port: number}
  | {code: 'too_long'; length: number; limit: number}
  | {code: 'unknown_recipient'; to: string}
  /** A dial that failed before the hello: `failure` says why by a stable code (connect-failure.ts). */
  | {code: 'unreachable'; host: string; port: number; failure: ConnectFailure}

export type ChatNodeErrorCode = ChatNodeErrorDetail['code']

/** A failure the caller can act on: `code` and `detail` are stable, `message` says in English what failed and what to do. */
export class ChatNodeError extends Error {
  override readonly name = 'ChatNodeError'
  readonly code: ChatNodeErrorCode
  readonly detail: ChatNodeErrorDetail

  /** `message` only where the English needs more than the detail holds; otherwise it is worded from the detail. */
  constructor(detail: ChatNodeErrorDetail, message: string = describe(detail)) {
    super(message)
    this.code = detail.code
    this.detail = detail
  }
}

/** The typed detail of an engine error, undefined for anything else. */
export function chatNodeErrorDetail(error: unknown): ChatNodeErrorDetail | undefined {
  return error instanceof ChatNodeError ? error.detail : undefined
}

/** The English message of each code (the default a UI may replace with its own words). */
function describe(detail: ChatNodeErrorDetail): string {
  switch (detail.code) {
    case 'address_in_use': {
      return `port ${detail.port} on ${detail.host} is already in use: choose another with --port`
    }

    case 'already_started': {
      return 'this node was already started'
    }

    case 'bad_address': {
      return detail.host.length === 0
        ? 'host must not be empty'
        : `port must be a whole number from 1 to 65535, not "${detail.port}"`
    }

    case 'bad_name': {
      return `a name must be 1 to ${detail.limit} printable characters`
    }

    case 'cooling_down': {
      const seconds = Math.max(1, Math.ceil((detail.until - Date.now()) / 1000))
      return `${detail.host}:${detail.port} is on the cool-down list for ${seconds} s more (${detail.reason}): /retry ${detail.host}:${detail.port} clears it`
    }

    case 'dial_in_progress': {
      return `already connecting to ${detail.host}:${detail.port}`
    }

    case 'empty': {
      return 'an empty message is not sent'
    }

    case 'full': {
      return `this node already has ${detail.maxPeers} peers`
    }

    case 'listen_failed': {
      return `cannot listen on ${detail.host}:${detail.port}`
    }

    case 'listen_not_allowed': {
      return `not allowed to listen on ${detail.host}:${detail.port}: choose a port above 1023`
    }

    case 'no_such_address': {
      return `cannot listen on ${detail.host}: no such local address`
    }

    case 'not_running': {
      return 'the node is not running'
    }

    case 'self': {
      return `${detail.host}:${detail.port} is this node's own address`
    }

    case 'too_long': {
      return `message too long: ${detail.length.toLocaleString('en')} characters (the limit is ${detail.limit.toLocaleString('en')})`
    }

    case 'unknown_recipient': {
      return 'no key is known for that node yet: it has not announced itself'
    }

    case 'unreachable': {
      return describeFailure(detail.failure)
    }
  }
}
