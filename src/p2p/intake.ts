// Every signed payload a peer hands us (a chat message, a history item, a key announcement, a direct message) goes
// through `receive`: one validation (message-auth.ts) returning a verdict, one switch acting on it, and the steps
// after acceptance that every kind shares. Later checks plug in here through the hooks.

import type {PeerConnection} from './connection.js'
import type {SeenCache} from './flood.js'
import type {ProtocolError, SignedPayload} from './protocol.js'
import type {KeyedRateLimiter} from './rate-limit.js'

import {messageId, type SignedKind, type SignedPayloads, validateSigned} from './message-auth.js'

/** What became of a received payload. */
export type Intake<P> =
  /** Someone else's, new, within its author's rate: to show, store or relay. */
  | {id: string; payload: P; status: 'new'}
  /** Ours, from an earlier run of this identity (or our own echo under another id): never shown again. */
  | {id: string; payload: P; status: 'own'}
  /** A duplicate (`duplicate` set), outside the age window, over a budget, or over its author's rate: dropped quietly. */
  | {status: 'dropped'; duplicate?: true}
  /** The hop broke the rules (malformed, forged) and is being disconnected. */
  | {status: 'rejected'}

export interface IntakeHost {
  readonly selfId: string
  /** The ids already had: the seen-cache, and the message store (docs/sync.md). */
  readonly seen: Pick<SeenCache, 'add' | 'has'>
  readonly authorLimiter: KeyedRateLimiter
  /** The age window, ms: the message store's retention (its horizon); default MAX_MESSAGE_AGE_MS. */
  maxAgeMs?(): number
  /** Asked after the cheap checks, before the signature: false drops the payload (a per-link budget, say). */
  beforeSignature?(conn: PeerConnection, kind: SignedKind, authorId: string): boolean
  /** A hop sent an invalid payload; called before it is disconnected (a score penalty, say). */
  onReject?(conn: PeerConnection, error: ProtocolError): void
  /** A live payload (not history, not a key list) accepted from `conn`, before the author's rate is applied. */
  onAccept?(conn: PeerConnection, authorId: string, id: string): void
  /** A live payload already seen arrived from `conn` (normal from another path; from the same link twice, not). */
  onDuplicate?(conn: PeerConnection, id: string): void
}

export class SignedIntake {
  readonly #node: IntakeHost

  constructor(node: IntakeHost) {
    this.#node = node
  }

  /**
   * Validates `body` as a `kind` payload that came from `conn`. `anyAge` lifts the age window (history, key lists);
   * `rateLimit: false` skips the author's rate (history: the peer sends what it holds, once).
   */
  receive<K extends SignedKind>(
    conn: PeerConnection,
    kind: K,
    body: SignedPayload,
    {anyAge = false, rateLimit = true}: {anyAge?: boolean; rateLimit?: boolean} = {},
  ): Intake<SignedPayloads[K]> {
    const node = this.#node
    const beforeSignature = node.beforeSignature && ((authorId: string) => node.beforeSignature!(conn, kind, authorId))
    const verdict = validateSigned(kind, body, {
      now: Date.now(),
      seen: node.seen,
      anyAge,
      maxAgeMs: node.maxAgeMs?.(),
      beforeSignature,
    })
    switch (verdict.outcome) {
      case 'ignore': {
        if (verdict.why !== 'duplicate') return {status: 'dropped'}
        if (!anyAge) node.onDuplicate?.(conn, messageId(body.payload))
        return {status: 'dropped', duplicate: true}
      }

      case 'reject': {
        node.onReject?.(conn, verdict.error)
        conn.reject(verdict.error)
        return {status: 'rejected'}
      }

      case 'accept': {
        const {id, payload} = verdict
        if (!anyAge) node.onAccept?.(conn, payload.from.id, id)
        if (payload.from.id === node.selfId) {
          node.seen.add(id)
          return {id, payload, status: 'own'}
        }

        // After the signature: a forger cannot spend someone else's allowance. Dropped, not punished: the hop
        // relaying a noisy author is not at fault. Not remembered either, so a flood of them cannot fill the
        // seen-cache (a copy by another path is checked again, and dropped again while the author is over).
        if (rateLimit && !node.authorLimiter.take(payload.from.id)) return {status: 'dropped'}
        node.seen.add(id)
        return {id, payload, status: 'new'}
      }
    }
  }
}
