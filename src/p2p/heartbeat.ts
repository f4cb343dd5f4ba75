// One connection's pings: a ping every interval (a peer silent for longer than `deadAfterMs` is dead), and round
// trips: a ping whose pong proves the peer read and handled every frame written before it (confirmDelivery).

import type {PingFrame} from './protocol.js'

/** What the heartbeat needs from its connection. */
export interface HeartbeatLink {
  /** Writes a ping; false if it could not be sent. */
  send(frame: PingFrame): boolean
  /** When a byte last came from the peer (ms since the epoch). */
  lastHeard(): number
  /** The peer was silent too long: close the connection with this reason. */
  dead(reason: string): void
}

export class Heartbeat {
  readonly #link: HeartbeatLink
  readonly #limits: {deadAfterMs: number; heartbeatIntervalMs: number}
  #timer: NodeJS.Timeout | undefined
  #pings = 0
  /** Waiting roundTrip() calls, by the number of their ping. */
  readonly #waiting = new Map<number, (ok: boolean) => void>()

  constructor(link: HeartbeatLink, limits: {deadAfterMs: number; heartbeatIntervalMs: number}) {
    this.#link = link
    this.#limits = limits
  }

  /** Starts pinging (once the hello is done). */
  start(): void {
    this.#timer = setInterval(() => this.#beat(), this.#limits.heartbeatIntervalMs)
  }

  stop(): void {
    clearInterval(this.#timer)
    this.#timer = undefined
  }

  /** A pong: pongs come in the order of the pings, so one answers every round trip up to its number. */
  pong(n: number): void {
    for (const [k, done] of this.#waiting) if (k <= n) done(true)
  }

  /** The connection closed: every waiting round trip fails. */
  closed(): void {
    for (const done of this.#waiting.values()) done(false)
  }

  /** Resolves true once the peer answers a ping sent now; false if the connection closes first or `timeoutMs` passes. */
  roundTrip(timeoutMs: number): Promise<boolean> {
    const n = ++this.#pings
    return new Promise((resolve) => {
      const finish = (ok: boolean): void => {
        clearTimeout(timer)
        this.#waiting.delete(n)
        resolve(ok)
      }

      const timer = setTimeout(() => finish(false), timeoutMs)
      this.#waiting.set(n, finish)
      if (!this.#link.send({type: 'ping', n})) finish(false)
    })
  }

  #beat(): void {
    if (Date.now() - this.#link.lastHeard() > this.#limits.deadAfterMs) {
      this.#link.dead(`heartbeat timeout (silent for more than ${Math.round(this.#limits.deadAfterMs / 1000)} s)`)
      return
    }

    this.#link.send({type: 'ping', n: ++this.#pings})
  }
}
