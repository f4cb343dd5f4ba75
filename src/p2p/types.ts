// Public shapes of the P2P engine: what a ChatNode emits and returns. No behaviour here.

import type {SwarmRoute, TransportKind} from './transport.js'

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
  /** How it is connected: over TCP, or over a Hyperswarm stream found on the DHT. */
  transport: TransportKind
  /** For a swarm peer, how the stream reaches it, where the library tells. */
  route?: SwarmRoute
}

/** Why a peer went away, in words a user can read ("quit", "connection reset", "heartbeat timeout", ...). */
export interface PeerLeft extends NodeInfo {
  reason: string
}

/** Something went wrong that the node survived: a misbehaving peer, an unreachable address. */
export interface NodeWarning {
  code: string
  message: string
  /** What the warning is about (a bootstrap list, a peer's fingerprint), for interfaces that word it themselves. */
  subject?: string
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
}
