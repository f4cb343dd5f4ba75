// A connection's limits: its deadlines (handshake, heartbeat) and its bounds (unread outbox, frame rate). Apart from
// the connection so that flags and options can read the defaults without loading the connection itself.

/** The whole handshake must finish within this (a deadline, not an idle timer). */
export const HANDSHAKE_TIMEOUT_MS = 5000
export const HEARTBEAT_INTERVAL_MS = 5000
export const PEER_DEAD_AFTER_MS = 15_000
export const CLOSE_GRACE_MS = 2000
/** A peer that leaves this much unread in our send buffer is not reading: it is dropped, not buffered for. */
export const MAX_OUTBOX_BYTES = 1024 * 1024
/**
 * Frames per second from one connection, of every type: a relay forwards everyone's traffic, so this sits far above
 * the per-author message limit. Above it the peer is disconnected.
 */
export const HOP_FRAMES_PER_SECOND = 2000
export const HOP_FRAME_BURST = 4000

export interface ConnectionLimits {
  handshakeTimeoutMs: number
  heartbeatIntervalMs: number
  deadAfterMs: number
  maxOutboxBytes: number
  framesPerSecond: number
  frameBurst: number
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  handshakeTimeoutMs: HANDSHAKE_TIMEOUT_MS,
  heartbeatIntervalMs: HEARTBEAT_INTERVAL_MS,
  deadAfterMs: PEER_DEAD_AFTER_MS,
  maxOutboxBytes: MAX_OUTBOX_BYTES,
  framesPerSecond: HOP_FRAMES_PER_SECOND,
  frameBurst: HOP_FRAME_BURST,
}
