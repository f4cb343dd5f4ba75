// The sender (the seed's Queue + sender thread): one p-queue with concurrency 1 that drains outgoing broadcasts
// onto connections in order. Callers never await it on the hot path; the queue is bounded so a flood of sends
// cannot grow memory without limit.

import PQueue from 'p-queue'

export const MAX_PENDING_BROADCASTS = 10_000

/** Anything a frame body can be sent to; a connection refuses (returns false) once it is closing. */
export interface FrameSink {
  sendBody(body: Buffer): boolean
}

export class Sender {
  readonly maxPending: number
  readonly #queue = new PQueue({concurrency: 1})
  readonly #onError: (error: unknown) => void
  #stopped = false

  constructor(onError: (error: unknown) => void, maxPending = MAX_PENDING_BROADCASTS) {
    this.#onError = onError
    this.maxPending = maxPending
  }

  /** Number of broadcasts waiting to be written. */
  get pending(): number {
    return this.#queue.size + this.#queue.pending
  }

  /** Queues one encoded frame body for every target (each connection seals it with its own keys); false if the sender is stopped or full (the frame is dropped). */
  broadcast(body: Buffer, targets: () => Iterable<FrameSink>): boolean {
    if (this.#stopped || this.pending >= this.maxPending) return false
    // Fire-and-forget by design: failures are reported through onError, never as an unhandled rejection.
    this.#queue
      .add(() => {
        for (const sink of targets()) sink.sendBody(body)
      })
      .catch(this.#onError)
    return true
  }

  /** Resolves when everything queued so far has been written to the sockets. */
  async drain(): Promise<void> {
    await this.#queue.onIdle()
  }

  /** Writes what is queued, then refuses new work. */
  async stop(): Promise<void> {
    this.#stopped = true
    await this.#queue.onIdle()
  }
}
