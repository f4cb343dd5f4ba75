// Frames learned late (by reconciliation) are passed on to the other peers as `sync_items`, not as live floods, so
// that every node that gets them knows they are late. Items learned in one turn of the event loop travel together.

import type {SyncItemKind, SyncItemsFrame} from '../protocol.js'

import {itemFrames} from './sync-link.js'

export class LateRelay<C> {
  readonly #send: (frame: SyncItemsFrame, cameFrom: C) => void
  /** By the peer they came from (they go to every other one). */
  #pending: Map<C, SyncItemsFrame['items']> | undefined

  constructor(send: (frame: SyncItemsFrame, cameFrom: C) => void) {
    this.#send = send
  }

  relay(kind: SyncItemKind, frame: {payload: string; sig: string}, cameFrom: C): void {
    if (!this.#pending) {
      this.#pending = new Map()
      setImmediate(() => this.#flush())
    }

    const items = this.#pending.get(cameFrom) ?? []
    items.push({kind, payload: frame.payload, sig: frame.sig})
    this.#pending.set(cameFrom, items)
  }

  #flush(): void {
    const pending = this.#pending
    this.#pending = undefined
    for (const [cameFrom, items] of pending ?? []) for (const frame of itemFrames(items)) this.#send(frame, cameFrom)
  }
}
