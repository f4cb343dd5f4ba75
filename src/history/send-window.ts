// The lines on their way to the history writer: a queue of lines not yet sent, batched, and a window of lines sent
// and not yet acknowledged. `child.send()` never refuses (Node buffers without limit), so the window is what bounds
// the IPC channel, and the queue's byte cap is what bounds this process. Knows nothing of processes: its host says
// whether a writer can take a batch and hands it over.

import {Fifo} from './fifo.js'
import {MAX_APPEND_LINES} from './writer-protocol.js'

/** Lines sent to the writer and not yet acknowledged. */
export const ACK_WINDOW = 1000
/**
 * An appended line waits at most this long for others before it goes to the writer: one IPC message, and one
 * wake-up of the writer process, per batch instead of per line. A node killed with SIGKILL can lose this much.
 */
export const BATCH_MS = 20
/** A batch this big goes at once; also the most bytes of lines in one IPC message. */
export const MAX_BATCH_BYTES = 256 * 1024
/** Bytes of lines waiting in this process beyond the window; past this the oldest are dropped. */
export const MAX_QUEUE_BYTES = 8 * 1024 * 1024

/** Lines with consecutive seqs from `first`: one `append` message to the writer. */
export interface Batch {
  first: number
  lines: string[]
}

export interface SendWindowHost {
  /** True while a writer is ready for lines and its channel is open. */
  canSend(): boolean
  /** Hands a batch to the writer; false if the channel refused it (the lines stay in flight until requeued). */
  send(batch: Batch): boolean
}

export interface SendWindowLimits {
  ackWindow: number
  batchMs: number
  maxBatchBytes: number
  maxBatchLines: number
  maxQueueBytes: number
}

const DEFAULT_LIMITS: SendWindowLimits = {
  ackWindow: ACK_WINDOW,
  batchMs: BATCH_MS,
  maxBatchBytes: MAX_BATCH_BYTES,
  maxBatchLines: MAX_APPEND_LINES,
  maxQueueBytes: MAX_QUEUE_BYTES,
}

interface Entry {
  seq: number
  line: string
  bytes: number
}

export class SendWindow {
  readonly #host: SendWindowHost
  readonly #limits: SendWindowLimits
  /** sent to the current writer, awaiting ack, in seq order */
  #inFlight: Entry[] = []
  /** not yet sent, in seq order */
  readonly #queue = new Fifo<Entry>()
  #queuedBytes = 0
  #batchTimer?: NodeJS.Timeout

  constructor(host: SendWindowHost, limits: Partial<SendWindowLimits> = {}) {
    this.#host = host
    this.#limits = {...DEFAULT_LIMITS, ...limits}
  }

  /** lines sent, not yet acknowledged */
  get inFlight(): number {
    return this.#inFlight.length
  }

  /** lines waiting in this process */
  get queued(): number {
    return this.#queue.length
  }

  get queuedBytes(): number {
    return this.#queuedBytes
  }

  /** lines not known to be written: in flight or queued */
  get pending(): number {
    return this.#inFlight.length + this.#queue.length
  }

  /**
   * Queues the line with seq `seq` (seqs must increase) and sends within the batch delay, or at once when a full batch
   * waits. Returns how many of the oldest queued lines were dropped to keep the queue under its byte cap.
   */
  push(seq: number, line: string): number {
    const bytes = Buffer.byteLength(line)
    this.#queue.push({seq, line, bytes})
    this.#queuedBytes += bytes
    let dropped = 0
    while (this.#queuedBytes > this.#limits.maxQueueBytes && this.#queue.length > 0) {
      this.#unqueue()
      dropped++
    }

    if (this.#queuedBytes >= this.#limits.maxBatchBytes) this.pump()
    else this.#batchTimer ??= setTimeout(() => this.pump(), this.#limits.batchMs)
    return dropped
  }

  /** Every line with seq ≤ `upTo` is written: it leaves the window (and makes room for more). */
  ack(upTo: number): void {
    let n = 0
    while (n < this.#inFlight.length && this.#inFlight[n].seq <= upTo) n++
    if (n > 0) this.#inFlight.splice(0, n)
  }

  /** A new writer found lines up to `lastSeq` already in the file: they need not be sent. */
  skipWritten(lastSeq: number): void {
    while ((this.#queue.peek()?.seq ?? Infinity) <= lastSeq) this.#unqueue()
  }

  /** The writer is gone: what was in flight is not known to be written, so it goes first to the next one. */
  requeue(): void {
    for (const e of this.#inFlight) this.#queuedBytes += e.bytes
    this.#queue.prepend(this.#inFlight)
    this.#inFlight = []
  }

  /** Forgets every pending line and the batch timer. Returns how many lines were forgotten. */
  clear(): number {
    const lost = this.pending
    clearTimeout(this.#batchTimer)
    this.#batchTimer = undefined
    this.#inFlight = []
    this.#queue.clear()
    this.#queuedBytes = 0
    return lost
  }

  /** Moves queued lines into the window, in batches of consecutive seqs, while the host can send. */
  pump(): void {
    clearTimeout(this.#batchTimer)
    this.#batchTimer = undefined
    const {ackWindow, maxBatchBytes, maxBatchLines} = this.#limits
    while (this.#inFlight.length < ackWindow && this.#queue.length > 0 && this.#host.canSend()) {
      const first = this.#queue.peek()?.seq ?? 0
      const lines: string[] = []
      let bytes = 0
      for (let next = this.#queue.peek(); next && next.seq === first + lines.length; next = this.#queue.peek()) {
        if (lines.length > 0 && (bytes + next.bytes > maxBatchBytes || lines.length >= maxBatchLines)) break
        if (this.#inFlight.length >= ackWindow) break
        const e = this.#unqueue()!
        this.#inFlight.push(e)
        lines.push(e.line)
        bytes += e.bytes
      }

      if (!this.#host.send({first, lines})) break
    }
  }

  #unqueue(): Entry | undefined {
    const e = this.#queue.shift()
    if (e) this.#queuedBytes -= e.bytes
    return e
  }
}
