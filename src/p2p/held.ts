// Messages written while no peer is connected (a node alone in its room, or cut off while the mesh heals): kept for
// the next peer rather than lost without a word. Bounded in count and in age: peers refuse a message older than
// MAX_MESSAGE_AGE_MS, so an older one is counted as not delivered instead of being sent to be dropped.

import {MAX_MESSAGE_AGE_MS} from './message-auth.js'
import {MAX_HELD_MESSAGES} from './options.js'

/** What became of the held messages when a peer connected. */
export interface HeldRelease<T> {
  /** Still young enough to be accepted: to send now, oldest first. */
  send: T[]
  /** Given up: older than the age peers accept, or pushed out by newer ones while over the limit. */
  dropped: number
}

export class HeldMessages<T> {
  readonly #items: Array<{item: T; ts: number}> = []
  readonly #max: number
  readonly #maxAgeMs: number
  #overflow = 0

  constructor({max = MAX_HELD_MESSAGES, maxAgeMs = MAX_MESSAGE_AGE_MS}: {max?: number; maxAgeMs?: number} = {}) {
    this.#max = max
    this.#maxAgeMs = maxAgeMs
  }

  get size(): number {
    return this.#items.length
  }

  /** Keeps `item`, written at `ts` (the author's clock, as signed). */
  hold(item: T, ts: number): void {
    this.#items.push({item, ts})
    if (this.#items.length > this.#max) {
      this.#items.shift()
      this.#overflow++
    }
  }

  /** Empties the store: what to send now, and how many were given up. */
  release(now: number): HeldRelease<T> {
    // A margin under the peers' limit: the message must still be young when it arrives several hops away.
    const oldest = now - this.#maxAgeMs + 5000
    const items = this.#items.splice(0)
    const send = items.filter(({ts}) => ts >= oldest).map(({item}) => item)
    const dropped = this.#overflow + items.length - send.length
    this.#overflow = 0
    return {send, dropped}
  }
}
