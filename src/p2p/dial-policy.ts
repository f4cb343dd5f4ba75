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
      peer.retryAt <= context.now,
  )
  const random = context.random ?? Math.random
  // Fisher–Yates, stopping once enough are picked.
  for (let i = 0; i < Math.min(wanted, candidates.length); i++) {
    const j = i + Math.floor(random() * (candidates.length - i))
    ;[candidates[i], candidates[j]] = [candidates[j], candidates[i]]
  }

  return candidates.slice(0, wanted)
}
