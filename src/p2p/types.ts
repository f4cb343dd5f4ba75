// Public shapes of the P2P engine: what a ChatNode emits and returns. No behaviour here.

import type {ConnectFailure} from './connect-failure.js'
import type {SwarmRoute, TransportKind} from './transport.js'

export type {ConnectFailure, ConnectFailureCode} from './connect-failure.js'

/** Where a node accepts connections. Peers are always shown by this, never by an outgoing socket's port. */
export interface Address {
  host: string
  port: number
}

/** A node as others see it: its id (Ed25519 public key, base64url), display name and listening address. */
export interface NodeInfo extends Address {
  id: string
  name: string
}

/** A chat message as shown and logged. `ts` is the author's clock in ms since the epoch. */
export interface ChatMessage {
  id: string
  from: NodeInfo
  text: string
  ts: number
  /** True for a message received from a peer's recent history when joining (sent before we were there). */
  history?: boolean
  /** True for an action (`/me waves`): `text` is `waves`, shown as `* Ana waves`. */
  action?: boolean
  /** On our own message: no peer was connected, so it is kept and sent when one connects (see `held_released`). */
  held?: true
  /** True for a message said while this node was away or cut off, learned later (by reconciliation): shown once. */
  late?: boolean
}

export type PeerDirection = 'inbound' | 'outbound'

/** A connected peer. */
export interface PeerSummary extends NodeInfo {
  direction: PeerDirection
  /** ms since the epoch when the connection was established */
  since: number
  /** How it is connected: over TCP, or over a Hyperswarm stream found on the DHT. */
  transport: TransportKind
  /** For a swarm peer, how the stream reaches it, where the library tells. */
  route?: SwarmRoute
  /** A short-lived sender (`chat send`): a user interface shows no join or leave line for it. */
  transient?: true
  /** The peer's score (src/p2p/peer-score.ts): 0 neutral, up to +10 for good service, cut at −50. In `peers()`. */
  score?: number
}

/** A peer put on the cool-down list: cut (or refused) and not redialled nor let in until `until`. */
export interface PeerPenalised {
  /** Why: the protocol error's code (room_mismatch, bad_signature, flooding, duplicate_flood, handshake_refused …). */
  code: string
  /** Who, readably: `Name (host:port)` once its hello was read, else the socket's address. */
  target: string
  /** The peer, when it got as far as its hello. */
  peer?: NodeInfo
  /** Its score after the offence. */
  score: number
  /** ms since the epoch when its cool-down ends. */
  until: number
}

/** One entry of the cool-down list, as `cooldowns()` gives it. */
export interface CooldownSummary {
  code: string
  target: string
  /** Listening addresses (`host:port`), node ids and IPs it covers. */
  addresses: string[]
  ids: string[]
  ips: string[]
  until: number
  /** Offences so far: each one doubles the period (1 min … 1 h). */
  strikes: number
}

/** Why a peer went away, in words a user can read ("quit", "connection reset", "heartbeat timeout", ...). */
/**
 * Why a connection ended, as a stable code for a user interface to word: a socket errno (ECONNRESET, …), one of
 * these, or a protocol error's code (`bad_signature`, `room_mismatch`, …) when the peer misbehaved.
 */
export type CloseCode =
  | 'ECONNREFUSED'
  | 'ECONNRESET'
  | 'EHOSTUNREACH'
  | 'ENETUNREACH'
  | 'ENOTFOUND'
  | 'ETIMEDOUT'
  | 'socket_error'
  | 'closed'
  | 'cooling_down'
  | 'duplicate'
  | 'error'
  | 'full'
  | 'heartbeat'
  | 'leaving'
  | 'not_reading'
  | 'peer_error'
  | 'quit'
  | 'refused_handshake'
  | 'self'
  | (string & {})

export interface PeerLeft extends NodeInfo {
  /** In English (kept for compatibility); a user interface words `reasonCode`. */
  reason: string
  /** Always set by ChatNode; optional so that events built elsewhere (tests, older plugins' fakes) stay valid. */
  reasonCode?: CloseCode
  /** As in PeerSummary: a short-lived sender left. */
  transient?: true
}

/** Something went wrong that the node survived: a misbehaving peer, an unreachable address. */
export interface NodeWarning {
  code: string
  /** In English; a user interface words `failure` itself when it is set. */
  message: string
  /** What the warning is about (a bootstrap list, a peer's fingerprint), for interfaces that word it themselves. */
  subject?: string
  /** Set when a connection failed before its hello: `code` is then `failure.code`. */
  failure?: ConnectFailure
}

/** A direct message: sealed to one recipient, carried by relays that cannot read it. */
export interface DirectMessage {
  id: string
  from: NodeInfo
  to: NodeInfo
  text: string
  ts: number
  /** As on ChatMessage: kept until a peer connects. */
  held?: true
  /** Sent while this node was away or cut off, learned later. */
  late?: boolean
}

/** What became of the messages written while no peer was connected, once one connected. */
export interface HeldReleased {
  /** Sent now (through `to` and on to the room). */
  sent: number
  /** Not delivered: held longer than peers accept (5 minutes), or past the 256 kept. */
  dropped: number
  /** The peer whose arrival released them. */
  to: NodeInfo
}

/** A node of the room, as the roster knows it (src/p2p/roster.ts). */
export interface RosterEntry extends NodeInfo {
  /** Connected to this node; otherwise heard of through others (hop counts are not knowable). */
  direct: boolean
  /** Still in the room, as far as this node knows. */
  present: boolean
  /** ms since the epoch when it was last heard of (an announcement, a message, a peer saying it is connected to it). */
  lastSeen: number
}

/** A node left the room: it said so (`quit`), or it was not heard of for 25 minutes (`timeout`). */
export interface RoomLeft extends RosterEntry {
  reason: 'quit' | 'timeout'
}

/** Joins and leaves of the room over the last seconds, past the rate at which they are announced one by one. */
export interface RoomChurn {
  joined: number
  left: number
}

/** Typed events of a ChatNode, for `node.on(name, listener)`. */
export interface ChatNodeEvents {
  ready: [NodeInfo]
  /** A message from another node, shown for the first time. */
  message: [ChatMessage]
  /** A message this node sent (through `send`). */
  sent: [ChatMessage]
  /** A direct message to this node. */
  direct: [DirectMessage]
  /** A direct message this node sent (through `sendDirect`). */
  direct_sent: [DirectMessage]
  /** A peer connected after messages were held: they were sent, or some were too old to be. */
  held_released: [HeldReleased]
  peer_joined: [PeerSummary]
  peer_left: [PeerLeft]
  /** A node that is not a direct peer joined the room (announced itself). Rate-limited: see `room_churn`. */
  room_joined: [RosterEntry]
  /** A node that is not a direct peer left the room. */
  room_left: [RoomLeft]
  /** Joins and leaves not announced one by one (over the rate limit), summed up every 10 s. */
  room_churn: [RoomChurn]
  warning: [NodeWarning]
  /** A misbehaving peer was cut (or refused) and put on the cool-down list; once per offender per period. */
  peer_penalised: [PeerPenalised]
  /** A signed frame entered the message store: the caller persists it (the engine writes no files). */
  stored: [StoredFrameInfo]
  /** A reconciliation this node ran with a peer is over. */
  synced: [SyncSummary]
  /** A new peer's clock differs from ours by more than a minute (`offsetMs` > 0: it is ahead). */
  clock_skew: [ClockSkew]
}

export interface ClockSkew {
  peer: PeerSummary
  /** the peer's clock minus ours, ms (give or take one trip of the handshake) */
  offsetMs: number
}

/** A signed frame as the message store keeps it (docs/sync.md). */
export interface StoredFrameInfo {
  id: string
  /** the author's clock, ms */
  ts: number
  kind: 'announce' | 'chat' | 'dm'
  payload: string
  sig: string
}

/** What one reconciliation with a peer cost and found. */
export interface SyncSummary {
  peer: PeerSummary
  /** round trips of `sync` frames */
  rounds: number
  /** bytes of the `sync` frames both ways (plaintext) */
  bytes: number
  /** frames the peer lacked, sent to it */
  pushed: number
  /** frames this node lacked, received */
  pulled: number
}
