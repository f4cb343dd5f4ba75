// Which known peers to dial: enough to reach the target degree, chosen at random, never ourselves, never a peer
// we are connected or connecting to, never one still waiting out a failed attempt. Pure, so it is tested without
// sockets or clocks.

export interface KnownPeer {
  id: string
  host: string
  port: number
  /** ms since the epoch before which this peer is not dialled again (after a failure). */
  retryAt: number
}

export interface DialContext {
  selfId: string
  connectedIds: ReadonlySet<string>
  /** "host:port" keys of dials under way. */
  dialing: ReadonlySet<string>
  /** Connections we have plus dials under way: both count toward the target. */
  current: number
  target: number
  now: number
  random?: () => number
  /** Peers on the cool-down list are never chosen. */
  blocked?: (peer: KnownPeer) => boolean
  /** Better-scored peers are chosen first; equal scores (every new peer's 0) are picked at random. */
  score?: (id: string) => number
}

export function addressKey(host: string, port: number): string {
  return `${host}:${port}`
}

export function chooseDials(known: Iterable<KnownPeer>, context: DialContext): KnownPeer[] {
  const wanted = context.target - context.current
  if (wanted <= 0) return []
  const candidates = [...known].filter(
    (peer) =>
      peer.id !== context.selfId &&
      !context.connectedIds.has(peer.id) &&
      !context.dialing.has(addressKey(peer.host, peer.port)) &&
      peer.retryAt <= context.now &&
      !context.blocked?.(peer),
  )
  const random = context.random ?? Math.random
  // Fisher–Yates, stopping once enough are picked.
  // (all the way when scores rank them afterwards, so that ties are fairly random).
  const shuffled = context.score ? candidates.length : Math.min(wanted, candidates.length)
  for (let i = 0; i < shuffled; i++) {
    const j = i + Math.floor(random() * (candidates.length - i))
    ;[candidates[i], candidates[j]] = [candidates[j], candidates[i]]
  }

  const chosen = candidates.slice(0, wanted)
  if (!context.score) return chosen
  // A stable sort after the shuffle: the best scores first, ties stay in their random order.
  const {score} = context
  const scored = candidates.map((peer) => ({peer, score: score(peer.id)}))
  if (scored.every((entry) => entry.score === 0)) return chosen
  const ranked = scored.map((entry, i) => ({...entry, i})).sort((a, b) => b.score - a.score || a.i - b.i)
  return ranked.slice(0, wanted).map((entry) => entry.peer)
}
