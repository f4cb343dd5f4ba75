// A score per peer, gossipsub v1.1 simplified: misbehaviour lowers it (an invalid frame or a forged signature a lot,
// each message over the link's budget for new authors a little, each message a peer sends twice on one link a bit
// more), first deliveries raise it a little (capped, so good behaviour cannot buy a flood), and it decays toward 0.
// Below DISCONNECT_SCORE the peer is cut and put on the cool-down list; the mesh dials well-scored peers first.

export const SCORE_PENALTIES = {
  /** A frame that breaks the protocol (bad field, bad JSON, bad length …): the connection is closed anyway. */
  invalid_frame: 100,
  /** A message whose signature does not match its author. */
  bad_signature: 100,
  /** One message from a never-seen author over the link's budget (dropped before its signature is checked). */
  over_budget: 0.1,
  /**
   * One message from a never-seen author let through while the link has spent more than half its burst: a steady
   * stream of new authors costs its link even when this node is too slow (a busy machine) to see it go over.
   */
  sustained_new_authors: 0.03,
  /** The same message twice on one link: an honest peer forwards each message once per link. */
  duplicate: 1,
} as const
export type PenaltyKind = keyof typeof SCORE_PENALTIES

/** At or below this the peer is disconnected and cooled down (500 over-budget messages, 50 repeats, one forgery). */
export const DISCONNECT_SCORE = -50
/** Each first delivery adds this, up to MAX_POSITIVE_SCORE. */
export const FIRST_DELIVERY_REWARD = 0.01
export const MAX_POSITIVE_SCORE = 10
/** Scores halve toward 0 every minute: an old offence is forgiven, a fresh burst is not. */
export const SCORE_HALF_LIFE_MS = 60_000
/** Peers scored (by node id, kept across reconnects); least recently scored forgotten. */
export const MAX_SCORED_PEERS = 4096

interface Entry {
  score: number
  at: number
}

export class PeerScores {
  readonly #scores = new Map<string, Entry>()
  readonly #now: () => number
  readonly #maxPeers: number

  constructor(options: {now?: () => number; maxPeers?: number} = {}) {
    this.#now = options.now ?? Date.now
    this.#maxPeers = options.maxPeers ?? MAX_SCORED_PEERS
  }

  /** The peer's current score (0 for one never scored). */
  score(id: string): number {
    const entry = this.#scores.get(id)
    return entry ? this.#decayed(entry) : 0
  }

  /** Lowers the score; true when this took it to the disconnect threshold or below. */
  penalise(id: string, kind: PenaltyKind, count = 1): boolean {
    const score = this.#set(id, this.score(id) - SCORE_PENALTIES[kind] * count)
    return score <= DISCONNECT_SCORE
  }

  /** A first delivery: a small reward, capped. */
  reward(id: string): void {
    const score = this.score(id)
    if (score < MAX_POSITIVE_SCORE) this.#set(id, Math.min(MAX_POSITIVE_SCORE, score + FIRST_DELIVERY_REWARD))
  }

  forget(id?: string): void {
    if (id === undefined) this.#scores.clear()
    else this.#scores.delete(id)
  }

  #decayed(entry: Entry): number {
    const now = this.#now()
    if (now > entry.at) {
      entry.score *= 0.5 ** ((now - entry.at) / SCORE_HALF_LIFE_MS)
      entry.at = now
    }

    return entry.score
  }

  #set(id: string, score: number): number {
    this.#scores.delete(id)
    this.#scores.set(id, {score, at: this.#now()})
    if (this.#scores.size > this.#maxPeers) this.#scores.delete(this.#scores.keys().next().value as string)
    return score
  }
}
