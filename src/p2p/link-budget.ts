// What one link may cost us: a budget for messages from authors this node has never seen (IRC's "excess flood",
// counted only where a flood is cheap to make — a fresh identity per message escapes the per-author limit), and a
// short memory of the ids that came over it, to spot a peer that sends the same message twice. Authors this node
// already knows are spared, so a relay forwarding a busy room and a little leaked spam is not punished for the room.

import {TokenBucket} from './rate-limit.js'

/** Messages per second (and a burst) from never-seen authors, per link: a newcomer's burst passes, a flood does not. */
export const NEW_AUTHOR_MESSAGES_PER_SECOND = 300
export const NEW_AUTHOR_MESSAGE_BURST = 600
/** Authors this node has accepted a signed message from; least recently heard forgotten (they pay one token again). */
export const MAX_KNOWN_AUTHORS = 10_000
/** Message ids remembered per link to catch repeats (an honest peer sends each message once per link). */
export const LINK_RECENT_IDS = 1024

/** A set with a bound, least recently touched forgotten first. */
export class RecentSet {
  readonly #items = new Set<string>()
  readonly #max: number

  constructor(max: number) {
    this.#max = max
  }

  get size(): number {
    return this.#items.size
  }

  has(item: string): boolean {
    return this.#items.has(item)
  }

  /** Adds (or refreshes) an item; true when it was not there. */
  touch(item: string): boolean {
    const fresh = !this.#items.delete(item)
    this.#items.add(item)
    if (this.#items.size > this.#max) this.#items.delete(this.#items.values().next().value as string)
    return fresh
  }
}

export class LinkBudget {
  readonly #newAuthors: TokenBucket
  readonly #recent = new RecentSet(LINK_RECENT_IDS)
  /** Messages over the budget dropped on this link so far. */
  dropped = 0

  constructor(rate: {perSecond: number; burst: number}, now: () => number = Date.now) {
    this.#newAuthors = new TokenBucket(rate.perSecond, rate.burst, now)
  }

  /**
   * One message from a never-seen author: `drop` when it is over the budget (drop it unchecked), `sustained` when it
   * passes but the link has spent more than half its burst (a newcomer's burst does not; a steady flood does).
   */
  takeNewAuthor(): 'drop' | 'ok' | 'sustained' {
    if (!this.#newAuthors.take()) {
      this.dropped++
      return 'drop'
    }

    return this.#newAuthors.remaining < this.#newAuthors.burst / 2 ? 'sustained' : 'ok'
  }

  /** A message id that came over this link: false when the same link already sent it. */
  firstOnLink(id: string): boolean {
    return this.#recent.touch(id)
  }
}
