// The peer table (the seed's `peers` dict behind a `threading.Lock`). Every check-then-act goes through one
// async-mutex Mutex, so two connections settling at the same moment cannot both win, and a late `close` of a
// replaced duplicate cannot remove the live connection (entries are removed only if they are still the same object).

import {Mutex} from 'async-mutex'

export const DEFAULT_MAX_PEERS = 32

/** What the registry needs to know about a connection. */
export interface RegistryEntry {
  /** The remote node's id. */
  readonly peerId: string
  /** The id of the node that opened this connection (us for outbound, the peer for inbound). */
  readonly initiatorId: string
  /** What it runs over (`tcp` when unset). */
  readonly kind?: 'swarm' | 'tcp'
}

export type AddResult<C> =
  {status: 'added'} | {status: 'duplicate'; existing: C} | {status: 'full'} | {status: 'replaced'; previous: C}

/**
 * Settles two connections between the same pair the same way on both ends: the one opened by the node with the
 * smaller id wins. Both nodes see the same two initiator ids, so both keep the same socket. When one node opened both
 * (over TCP and over the swarm), both ends keep the TCP one: the hellos may arrive in either order at either end.
 */
export function preferredConnection<C extends RegistryEntry>(a: C, b: C): C {
  if (a.initiatorId === b.initiatorId) {
    if ((a.kind ?? 'tcp') !== (b.kind ?? 'tcp')) return (a.kind ?? 'tcp') === 'tcp' ? a : b
    return a
  }

  return a.initiatorId < b.initiatorId ? a : b
}

export class PeerRegistry<C extends RegistryEntry> {
  readonly maxPeers: number
  readonly #mutex = new Mutex()
  readonly #byId = new Map<string, C>()
  readonly #dialing = new Set<string>()

  constructor(maxPeers = DEFAULT_MAX_PEERS) {
    this.maxPeers = maxPeers
  }

  get size(): number {
    return this.#byId.size
  }

  get(peerId: string): C | undefined {
    return this.#byId.get(peerId)
  }

  list(): C[] {
    return [...this.#byId.values()]
  }

  /** Registers a connection whose hello arrived, settling duplicates deterministically. */
  add(conn: C): Promise<AddResult<C>> {
    return this.#withLock((): AddResult<C> => {
      const existing = this.#byId.get(conn.peerId)
      if (existing === conn) return {status: 'added'}
      if (existing) {
        if (preferredConnection(existing, conn) === existing) return {status: 'duplicate', existing}
        this.#byId.set(conn.peerId, conn)
        return {status: 'replaced', previous: existing}
      }

      if (this.#byId.size >= this.maxPeers) return {status: 'full'}
      this.#byId.set(conn.peerId, conn)
      return {status: 'added'}
    })
  }

  /** Removes `conn` only if it is still the registered connection for its peer. */
  remove(conn: C): Promise<boolean> {
    return this.#withLock(() => {
      if (this.#byId.get(conn.peerId) !== conn) return false
      this.#byId.delete(conn.peerId)
      return true
    })
  }

  /** Claims an address for dialling; false if a dial to it is already under way. Pair with `endDial`. */
  beginDial(key: string): Promise<boolean> {
    return this.#withLock(() => {
      if (this.#dialing.has(key)) return false
      this.#dialing.add(key)
      return true
    })
  }

  endDial(key: string): Promise<void> {
    return this.#withLock(() => {
      this.#dialing.delete(key)
    })
  }

  /** Empties the table (on stop) and returns what was in it. */
  clear(): Promise<C[]> {
    return this.#withLock(() => {
      const all = [...this.#byId.values()]
      this.#byId.clear()
      this.#dialing.clear()
      return all
    })
  }

  #withLock<T>(fn: () => T): Promise<T> {
    // Only the map changes inside the lock; socket I/O happens after it is released.
    return this.#mutex.runExclusive(fn)
  }
}
