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
  /** True for a message said while this node was away or cut off, learned later (by reconciliation): shown once. */
  late?: boolean
}

export type PeerDirection = 'inbound' | 'outbound'

/** A connected peer. */
export interface PeerSummary extends NodeInfo {
  direction: PeerDirection
  /** ms since the epoch when the connection was established */
  since: number
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
  /** Sent while this node was away or cut off, learned later. */
  late?: boolean
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
