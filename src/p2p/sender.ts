// The sender (the seed's Queue + sender thread): a p-queue with concurrency 1 drains outgoing broadcasts onto
// connections in call order. One queue job writes a whole batch: every broadcast made while a job is queued or
// running joins the next batch instead of getting a job of its own, because a p-queue job (a promise, a task record,
// a timestamp, events) cost about as much as sealing the frame (issue 16, docs/performance.md). p-queue starts a job
// in the caller's turn when the queue is idle, so a relay's forward still leaves before the display and history work
// of that turn. The batch is bounded: a flood of sends cannot grow memory without limit.

import PQueue from 'p-queue'

export const MAX_PENDING_BROADCASTS = 10_000

/** Anything a frame body can be sent to; a connection refuses (returns false) once it is closing. */
export interface FrameSink {
  sendBody(body: Buffer): boolean
}

interface Broadcast {
  body: Buffer
  targets: () => Iterable<FrameSink>
}

export class Sender {
  readonly maxPending: number
  readonly #queue = new PQueue({concurrency: 1})
  readonly #onError: (error: unknown) => void
  /** Broadcasts not yet handed to a job; undefined when no job is waiting to take them. */
  #batch: Broadcast[] | undefined
  #stopped = false

  constructor(onError: (error: unknown) => void, maxPending = MAX_PENDING_BROADCASTS) {
    this.#onError = onError
    this.maxPending = maxPending
  }

  /** Broadcasts waiting to be written. */
  get pending(): number {
    return this.#batch?.length ?? 0
  }

  /** Queues one encoded frame body for every target (each connection seals it with its own keys); false if the sender is stopped or full (the frame is dropped). */
  broadcast(body: Buffer, targets: () => Iterable<FrameSink>): boolean {
    if (this.#stopped || this.pending >= this.maxPending) return false
    if (this.#batch) {
      this.#batch.push({body, targets})
      return true
    }

    const batch: Broadcast[] = [{body, targets}]
    this.#batch = batch
    // Fire-and-forget by design: failures are reported through onError, never as an unhandled rejection.
    this.#queue
      .add(() => {
        if (this.#batch === batch) this.#batch = undefined
        this.#write(batch)
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

  #write(batch: Broadcast[]): void {
    for (const {body, targets} of batch) {
      try {
        for (const sink of targets()) sink.sendBody(body)
      } catch (error) {
        this.#onError(error) // reported; the rest of the batch still goes
      }
    }
  }
}
