// The sender (the seed's Queue + sender thread): writes each outgoing broadcast to its targets at once, in the
// caller's turn, so the order of broadcasts is the order of calls. It used to be a p-queue with concurrency 1, but
// every job was synchronous (each connection seals and writes at once), so the queue never held anything: it cost a
// promise, a task record and a microtask per message (about 50 µs of a relay's 900, docs/performance.md). What a
// slow peer leaves unsent is bounded per connection (MAX_OUTBOX_BYTES: a peer that does not read is dropped).

/** Anything a frame body can be sent to; a connection refuses (returns false) once it is closing. */
export interface FrameSink {
  sendBody(body: Buffer): boolean
}

export class Sender {
  readonly #onError: (error: unknown) => void
  #stopped = false

  constructor(onError: (error: unknown) => void) {
    this.#onError = onError
  }

  /** Writes one encoded frame body to every target (each connection seals it with its own keys); false once stopped. */
  broadcast(body: Buffer, targets: () => Iterable<FrameSink>): boolean {
    if (this.#stopped) return false
    try {
      for (const sink of targets()) sink.sendBody(body)
    } catch (error) {
      this.#onError(error) // reported, never thrown into the frame handler that relays
    }

    return true
  }

  /** Everything broadcast so far is already written to the sockets: resolves at once (kept for callers that wait). */
  async drain(): Promise<void> {}

  /** Refuses new work. */
  async stop(): Promise<void> {
    this.#stopped = true
  }
}
