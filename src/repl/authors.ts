// Who is who, as far as this REPL knows: the names Tab completes (connected peers, nodes a direct message can reach,
// recent authors), the identity keys seen behind each display name (a second key for a name is flagged: names are
// chosen, keys are not), and how a name or fingerprint typed by the user (/ignore, /unignore) maps to ids.

import {LRUCache} from 'lru-cache'

import type {ReplNode} from './types.js'

import {safeFingerprint} from './output.js'

/** Names of message authors remembered for @completion (they may be several hops away, not direct peers). */
const MAX_SEEN_NAMES = 256

export class Authors {
  readonly #node: ReplNode
  readonly #ownName: () => string
  /** Names of recent authors for @completion: set() makes a name the most recent; the least recent goes when full. */
  readonly #seenNames = new LRUCache<string, true>({max: MAX_SEEN_NAMES})
  /**
   * Display name → the identity keys seen using it. Read with peek and set once per name: full, the name seen
   * first goes.
   */
  readonly #keysByName = new LRUCache<string, Set<string>>({max: MAX_SEEN_NAMES})

  constructor(node: ReplNode, ownName: () => string) {
    this.#node = node
    this.#ownName = ownName
  }

  /** `name` wrote or joined: it comes first in completion. */
  seen(name: string): void {
    this.#seenNames.set(name, true)
  }

  /**
   * Records that `id` uses `name`. Returns the fingerprints of the last keys behind it when this is a second (or
   * further) key for the name, once per key; undefined otherwise.
   */
  checkName(name: string, id: string): string[] | undefined {
    const known = this.#keysByName.peek(name)
    const ids = known ?? new Set<string>()
    if (ids.has(id)) return undefined
    ids.add(id)
    if (!known) this.#keysByName.set(name, ids)
    return ids.size > 1 ? [...ids].slice(-4).map((key) => safeFingerprint(key)) : undefined
  }

  /**
   * Names Tab completes after `@` and for peer arguments: connected peers first, then the nodes a direct message can
   * reach (most recently heard first), then recent authors.
   */
  peerNames(): string[] {
    let connected: string[] = []
    let reachable: string[] = []
    try {
      connected = this.#node.peers().map((peer) => peer.name)
      reachable = this.#node
        .directory()
        .map((node) => node.name)
        .reverse()
    } catch {
      // completion without the peer list is still completion
    }

    const names = [...connected, ...reachable, ...this.#seenNames.keys()]
    return [...new Set(names)].filter((name) => name !== this.#ownName())
  }

  /** Authors this REPL can name: peers, nodes that announced a key, and everyone seen writing; id → latest name. */
  known(): Map<string, string> {
    const names = new Map<string, string>()
    for (const [name, ids] of this.#keysByName) for (const id of ids) names.set(id, name)
    try {
      for (const n of [...this.#node.directory(), ...this.#node.peers(), this.#node.info]) names.set(n.id, n.name)
    } catch {
      // a node not running yet knows nobody
    }

    return names
  }
}

/** `who` as a fingerprint or a name (case-insensitively) among `authors`: the ids it can mean. */
export function resolveAuthor(who: string, authors: Map<string, string>): string[] {
  const wanted = who.toLowerCase()
  const byKey = [...authors.keys()].filter((id) => safeFingerprint(id) === wanted)
  if (byKey.length > 0) return byKey
  return [...authors].filter(([, name]) => name.toLowerCase() === wanted).map(([id]) => id)
}
