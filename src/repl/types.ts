// What the REPL needs from a chat node and from its streams, structurally, so it depends on no engine module:
// the real ChatNode satisfies ReplNode, and tests pass an EventEmitter-based fake.

import type {HistoryMessage} from '../history/reader.js'
import type {
  ChatMessage,
  ChatNodeEvents,
  CooldownSummary,
  DirectMessage,
  NodeInfo,
  PeerSummary,
  RosterEntry,
} from '../p2p/types.js'

export type ReplEventName = keyof ChatNodeEvents
export type ReplListener<E extends ReplEventName> = (...args: ChatNodeEvents[E]) => void

/** The subset of ChatNode the REPL uses. */
export interface ReplNode {
  readonly info: NodeInfo
  on<E extends ReplEventName>(event: E, listener: ReplListener<E>): unknown
  off<E extends ReplEventName>(event: E, listener: ReplListener<E>): unknown
  /** Throws an Error with a `code` (EMPTY, TOO_LONG, ...) when the text is refused. `action`: a `/me`. */
  send(text: string, options?: {action?: boolean}): ChatMessage
  /** Rejects with an Error whose message says what failed. */
  connect(host: string, port: number): Promise<PeerSummary>
  peers(): PeerSummary[]
  /** Every node heard of in the room (not only the direct peers), for /who. */
  roster(): RosterEntry[]
  /** Nodes a direct message can be sealed to. */
  directory(): NodeInfo[]
  /** Throws an Error with a `code` when the text or recipient is refused. */
  sendDirect(to: string, text: string): DirectMessage
  /** The cool-down list, for /peers (a node without one has none). */
  cooldowns?(): CooldownSummary[]
  /** /retry: clears `address` (or everyone) from the cool-down list; returns how many entries went. */
  clearCooldown?(address?: {host: string; port: number}): number
}

/** Where lines come from: process.stdin, or any readable stream (a pipe, a PassThrough in tests). */
export type ReplInput = NodeJS.ReadableStream & {
  isTTY?: boolean
  isRaw?: boolean
  setRawMode?(mode: boolean): unknown
}

/** Where lines go: process.stdout / process.stderr, or any writable stream. */
export type ReplOutput = NodeJS.WritableStream & {
  isTTY?: boolean
  columns?: number
  /** tty.WriteStream's: 1, 4, 8 or 24 bits, from TERM, COLORTERM and FORCE_COLOR */
  getColorDepth?(): number
}

/** Reads the last `count` messages of the history log, oldest first: history's `readLastMessages`, for /history. */
export type HistoryReader = (count: number) => Promise<HistoryMessage[]>
