// Public shapes of the P2P engine: what a ChatNode emits and returns. No behaviour here.

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
}

export type PeerDirection = 'inbound' | 'outbound'

/** A connected peer. */
export interface PeerSummary extends NodeInfo {
  direction: PeerDirection
  /** ms since the epoch when the connection was established */
  since: number
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
export interface PeerLeft extends NodeInfo {
  reason: string
}

/** Something went wrong that the node survived: a misbehaving peer, an unreachable address. */
export interface NodeWarning {
  code: string
  message: string
}

/** A direct message: sealed to one recipient, carried by relays that cannot read it. */
export interface DirectMessage {
  id: string
  from: NodeInfo
  to: NodeInfo
  text: string
  ts: number
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
  peer_joined: [PeerSummary]
  peer_left: [PeerLeft]
  warning: [NodeWarning]
  /** A misbehaving peer was cut (or refused) and put on the cool-down list; once per offender per period. */
  peer_penalised: [PeerPenalised]
}
