// Reconciliation over one connection. The side that dialled runs the session (a Reconciler as initiator) as soon
// as the peer is registered; the other answers each round statelessly. Once the difference is known, the initiator
// pushes the frames the peer lacks and asks for those it lacks, a batch at a time: each batch is followed by a ping
// whose pong (the stream is ordered) says the batch was written and handled, so neither outbox ever holds more
// than one batch. Frames that arrive this way go to `accept`, which checks them like any frame.

import {EventEmitter} from 'node:events'

import type {MessageStore, StoredFrame} from './store.js'

import {
  encodeBody,
  type Frame,
  MAX_PLAINTEXT_BYTES,
  MAX_SYNC_ITEMS,
  MAX_SYNC_WANT,
  ProtocolError,
  type SyncFrame,
  type SyncItemsFrame,
  type SyncWantFrame,
} from '../protocol.js'
import {TokenBucket} from '../rate-limit.js'
import {Reconciler} from './reconcile.js'

/** Rounds one session may take before it is abandoned (a well-behaved peer needs about a dozen for 1,000 differences). */
export const MAX_SYNC_ROUNDS = 64
/** Frames pushed or asked for per batch: a batch of the largest payloads stays within a connection's outbox. */
export const SYNC_BATCH_FRAMES = 25
/** How long a round or a batch may wait for the peer before the session is abandoned. */
export const SYNC_ROUND_TIMEOUT_MS = 15_000
/** Rounds a peer may ask this node to answer: a steady rate and a burst (each costs O(stored frames) at most). */
export const SYNC_ROUNDS_PER_SECOND = 5
export const SYNC_ROUND_BURST = 64
/** Frames a peer may ask for, per second and in a burst (a node that was away a week may ask for all of them). */
export const SYNC_WANTS_PER_SECOND = 500
export const SYNC_WANT_BURST = 20_000

/** What a sync link needs of a connection. */
export interface SyncConnection {
  readonly isOpen: boolean
  sendFrame(frame: Frame): boolean
  roundTrip(timeoutMs: number): Promise<boolean>
  reject(error: ProtocolError): void
}

export interface SyncContext<C extends SyncConnection> {
  store: MessageStore
  /** Checks a frame learned late (verify, dedup, rate) and, if new, keeps, shows and relays it. */
  accept(conn: C, item: SyncItemsFrame['items'][number]): void
}

/** What one finished session did, for tests, the bench and docs/sync.md's figures. */
export interface SyncReport {
  /** round trips of `sync` frames */
  rounds: number
  /** bytes of the `sync` frames both ways (plaintext) */
  bytes: number
  pushed: number
  pulled: number
}

export interface SyncLinksEvents<C> {
  done: [C, SyncReport]
  failed: [C, string]
}

interface LinkState {
  /** Set on the initiator while its rounds run. */
  session?: {reconciler: Reconciler; rounds: number; bytes: number; waiting?: (ranges: SyncFrame['ranges']) => void}
  roundBudget: TokenBucket
  wantBudget: TokenBucket
}

export class SyncLinks<C extends SyncConnection> extends EventEmitter<SyncLinksEvents<C>> {
  readonly #context: SyncContext<C>
  readonly #links = new WeakMap<C, LinkState>()

  constructor(context: SyncContext<C>) {
    super()
    this.#context = context
  }

  /** Runs a reconciliation with `conn` as the initiator. Resolves when it is over (never rejects). */
  async initiate(conn: C): Promise<void> {
    const state = this.#state(conn)
    if (state.session) return
    const reconciler = new Reconciler(this.#context.store.keys(), 'initiator')
    const session: NonNullable<LinkState['session']> = {reconciler, rounds: 0, bytes: 0}
    state.session = session
    const have = new Set<string>()
    const need = new Set<string>()
    try {
      let ranges = reconciler.initiate()
      for (;;) {
        if (++session.rounds > MAX_SYNC_ROUNDS) throw new Error(`no agreement after ${MAX_SYNC_ROUNDS} rounds`)
        const answer = await this.#round(conn, session, ranges)
        const step = reconciler.reconcile(answer)
        for (const id of step.have) have.add(id)
        for (const id of step.need) need.add(id)
        if (step.ranges.length === 0) break
        ranges = step.ranges
      }

      await this.#push(conn, [...have])
      await this.#pull(conn, [...need])
      this.emit('done', conn, {rounds: session.rounds, bytes: session.bytes, pushed: have.size, pulled: need.size})
    } catch (error) {
      if (conn.isOpen) this.emit('failed', conn, (error as Error).message)
    } finally {
      state.session = undefined
    }
  }

  onSync(conn: C, frame: SyncFrame): void {
    const state = this.#state(conn)
    const {session} = state
    if (session?.waiting) {
      const resolve = session.waiting
      session.waiting = undefined
      resolve(frame.ranges)
      return
    }

    // A round of the peer's session: answered from the store as it is now, no state kept.
    if (!state.roundBudget.take()) {
      conn.reject(
        new ProtocolError('sync_flood', `more than ${SYNC_ROUNDS_PER_SECOND} reconciliation rounds per second`),
      )
      return
    }

    const {ranges} = new Reconciler(this.#context.store.keys(), 'responder').reconcile(frame.ranges)
    conn.sendFrame({type: 'sync', ranges})
  }

  onWant(conn: C, frame: SyncWantFrame): void {
    const state = this.#state(conn)
    const frames: StoredFrame[] = []
    for (const id of frame.ids) {
      // Past the budget the rest is not answered: the peer asks again on its next connection.
      if (!state.wantBudget.take()) break
      const stored = this.#context.store.get(id)
      if (stored) frames.push(stored)
    }

    sendItems(conn, frames)
  }

  onItems(conn: C, frame: SyncItemsFrame): void {
    for (const item of frame.items) {
      if (!conn.isOpen) return
      this.#context.accept(conn, item)
    }
  }

  #state(conn: C): LinkState {
    let state = this.#links.get(conn)
    if (!state) {
      state = {
        roundBudget: new TokenBucket(SYNC_ROUNDS_PER_SECOND, SYNC_ROUND_BURST),
        wantBudget: new TokenBucket(SYNC_WANTS_PER_SECOND, SYNC_WANT_BURST),
      }
      this.#links.set(conn, state)
    }

    return state
  }

  #round(
    conn: C,
    session: NonNullable<LinkState['session']>,
    ranges: SyncFrame['ranges'],
  ): Promise<SyncFrame['ranges']> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        session.waiting = undefined
        reject(new Error('the peer did not answer a reconciliation round'))
      }, SYNC_ROUND_TIMEOUT_MS)
      timer.unref()
      session.waiting = (answer) => {
        clearTimeout(timer)
        session.bytes += encodeBody({type: 'sync', ranges: answer}).length
        resolve(answer)
      }

      const frame: SyncFrame = {type: 'sync', ranges}
      session.bytes += encodeBody(frame).length
      if (!conn.sendFrame(frame)) {
        clearTimeout(timer)
        reject(new Error('the connection closed'))
      }
    })
  }

  /** Sends the frames the peer lacks, a batch per round trip. */
  async #push(conn: C, ids: string[]): Promise<void> {
    for (let i = 0; i < ids.length; i += SYNC_BATCH_FRAMES) {
      const frames = ids.slice(i, i + SYNC_BATCH_FRAMES).flatMap((id) => this.#context.store.get(id) ?? [])
      sendItems(conn, frames)
      if (!(await conn.roundTrip(SYNC_ROUND_TIMEOUT_MS))) throw new Error('the peer stopped answering while receiving')
    }
  }

  /** Asks for the frames this node lacks, a batch per round trip: the answer is in before the pong. */
  async #pull(conn: C, ids: string[]): Promise<void> {
    for (let i = 0; i < ids.length; i += Math.min(SYNC_BATCH_FRAMES, MAX_SYNC_WANT)) {
      conn.sendFrame({type: 'sync_want', ids: ids.slice(i, i + SYNC_BATCH_FRAMES)})
      if (!(await conn.roundTrip(SYNC_ROUND_TIMEOUT_MS))) throw new Error('the peer stopped answering while sending')
    }
  }
}

/** Frames as `sync_items`, as many to a frame as fit. */
export function sendItems(conn: Pick<SyncConnection, 'sendFrame'>, frames: StoredFrame[]): void {
  for (const frame of itemFrames(frames)) conn.sendFrame(frame)
}

export function itemFrames(frames: Array<SyncItemsFrame['items'][number]>): SyncItemsFrame[] {
  const out: SyncItemsFrame[] = []
  let items: SyncItemsFrame['items'] = []
  let bytes = 0
  for (const {kind, payload, sig} of frames) {
    const size = payload.length * 2 + sig.length + 64 // JSON escaping at most doubles a payload
    if (items.length > 0 && (bytes + size > MAX_PLAINTEXT_BYTES / 2 || items.length >= MAX_SYNC_ITEMS)) {
      out.push({type: 'sync_items', items})
      items = []
      bytes = 0
    }

    items.push({kind, payload, sig})
    bytes += size
  }

  if (items.length > 0) out.push({type: 'sync_items', items})
  return out
}
