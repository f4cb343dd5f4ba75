// Hyperswarm can open two streams for one pair and close one, or replace a stream the other side is reconnecting:
// the peer stays, only its stream changes. A leave caused that way waits a short grace; if the same peer is back
// in time, users see neither a leave nor a join.

/** How long a peer whose stream was replaced as a duplicate may take to come back on the other one. */
export const SWAP_GRACE_MS = 3000
/** Leaves waiting at once; past this the oldest is reported at once. */
const MAX_WAITING = 256

export class LeaveGrace {
  readonly #graceMs: number
  readonly #waiting = new Map<string, {timer: NodeJS.Timeout; report: () => void}>()

  constructor(graceMs = SWAP_GRACE_MS) {
    this.#graceMs = graceMs
  }

  /** The peer's link went down as a duplicate: `report` runs after the grace unless `up(id)` comes first. */
  down(id: string, report: () => void): void {
    this.#settle(id)
    if (this.#waiting.size >= MAX_WAITING) this.#settle(this.#waiting.keys().next().value as string)
    const timer = setTimeout(() => {
      this.#waiting.delete(id)
      report()
    }, this.#graceMs)
    timer.unref()
    this.#waiting.set(id, {timer, report})
  }

  /** The peer is connected again: true if its leave was still waiting (then neither is reported). */
  up(id: string): boolean {
    const waiting = this.#waiting.get(id)
    if (!waiting) return false
    clearTimeout(waiting.timer)
    this.#waiting.delete(id)
    return true
  }

  /** Drops every waiting leave unreported (the node is stopping). */
  clear(): void {
    for (const {timer} of this.#waiting.values()) clearTimeout(timer)
    this.#waiting.clear()
  }

  /** Reports a waiting leave at once. */
  #settle(id: string): void {
    const waiting = this.#waiting.get(id)
    if (!waiting) return
    clearTimeout(waiting.timer)
    this.#waiting.delete(id)
    waiting.report()
  }
}
