// The two ways the REPL speaks: sentences for people (`HumanSink`, human-sink.ts), NDJSON for programs (`JsonSink`,
// json-sink.ts). Both write through a LinePrinter, which the Repl makes prompt-safe on a TTY; neither knows about
// prompts or streams. This module holds what they share: the one interface they implement.

import type {HistoryMessage} from '../history/reader.js'
import type {
  ChatMessage,
  ClockSkew,
  CooldownSummary,
  DirectMessage,
  HeldReleased,
  NodeInfo,
  NodeWarning,
  PeerLeft,
  PeerPenalised,
  PeerSummary,
  RoomChurn,
  RoomLeft,
  RosterEntry,
} from '../p2p/types.js'
import type {IgnoredAuthor} from './ignore-list.js'

import {fingerprint} from '../p2p/identity.js'

/**
 * Writes whole lines (no trailing newline) to the user's stdout (`out`) or stderr (`err`). `hang` is the column where
 * a message's text starts: a terminal wraps a long line under it.
 */
export interface LinePrinter {
  out(line: string, hang?: number): void
  err(line: string): void
}

/** Everything the REPL shows. One method per kind of output, so the two formats cannot drift apart. */
export interface OutputSink {
  ready(info: NodeInfo): void
  /** A message from a peer; `mention` when it names you with `@`. */
  message(message: ChatMessage, mention: boolean): void
  /** Our own message, as the node sent it. */
  sent(message: ChatMessage): void
  /** A direct message to us, and one we sent. */
  direct(message: DirectMessage): void
  directSent(message: DirectMessage): void
  peerJoined(peer: PeerSummary): void
  peerLeft(peer: PeerLeft): void
  /** Messages kept while no peer was connected were sent (or given up) when one connected. */
  heldReleased(released: HeldReleased): void
  /** The answer to /peers. */
  peers(peers: PeerSummary[], cooldowns?: CooldownSummary[]): void
  /** The answer to /who: the room's roster, most recently heard of first. */
  who(entries: RosterEntry[]): void
  /** A node that is not a direct peer joined or left the room; joins and leaves past the rate limit, summed up. */
  roomJoined(entry: RosterEntry): void
  roomLeft(left: RoomLeft): void
  roomChurn(churn: RoomChurn): void
  /** The answer to /ignore, /unignore: who is ignored now, and how many messages were hidden this session. */
  ignoreList(authors: IgnoredAuthor[], hidden: number): void
  /** A peer cut (or refused) and put on the cool-down list. The human output already said it in the warning. */
  peerPenalised(event: PeerPenalised): void
  /** The answer to /help, or to `/help COMMAND` (a known command name). */
  help(topic?: string): void
  /** The answer to /history: the messages, oldest first. */
  history(entries: HistoryMessage[]): void
  /** A successful /connect or --join. */
  connected(peer: PeerSummary): void
  /** Something the start command wants the user to know. */
  notice(text: string): void
  /**
   * A command that failed (codes: unknown_command, usage, connect_failed, send_failed, history_unavailable,
   * history_failed): the command's answer. `reason` is a finer stable code (a connection failure's).
   */
  error(code: string, message: string, reason?: string): void
  /** A problem outside any command (the start command's, or an internal failure): a diagnostic. */
  problem(code: string, message: string): void
  /** Something the node survived (a misbehaving peer, ...), with the engine's code. */
  warning(warning: NodeWarning): void
  /** A new peer's clock differs from ours by more than a minute. */
  clockSkew(skew: ClockSkew): void
}

/** A node's fingerprint for display: ids from the network are checked, and a malformed one shows as `?`. */
export function safeFingerprint(id: string): string {
  try {
    return fingerprint(id)
  } catch {
    return '?'
  }
}
