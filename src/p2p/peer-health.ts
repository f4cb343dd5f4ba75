// Peer health: the one place that decides what a misbehaving peer costs it. It keeps the cool-down list, the peer
// scores, each link's budget for never-seen authors and the set of authors this node knows, and tells the node
// (through a narrow link interface, no sockets here) whom to refuse, whom not to redial and which link to cut.

import type {CooldownSummary, NodeInfo, PeerDirection, PeerPenalised} from './types.js'

import {isLoopback} from './address.js'
import {Cooldown, type CooldownEntry, type CooldownKey, type CooldownOptions} from './cooldown.js'
import {
  LinkBudget,
  MAX_KNOWN_AUTHORS,
  NEW_AUTHOR_MESSAGE_BURST,
  NEW_AUTHOR_MESSAGES_PER_SECOND,
  RecentSet,
} from './link-budget.js'
import {PeerScores, type PenaltyKind} from './peer-score.js'
import {ProtocolError} from './protocol.js'

/** Protocol errors that are not the peer's fault (a slow network, our own bug): no cool-down for them. */
const FORGIVEN_CODES = new Set(['handshake_timeout', 'internal', 'rekey'])
/** A dialled address that closes our handshake this many times in a row (a room mismatch, or a full node) cools down. */
export const REFUSALS_BEFORE_COOLDOWN = 2
const MAX_REFUSAL_ADDRESSES = 1024

/** What peer health needs from a connection. */
export interface HealthLink {
  readonly peerId: string
  readonly remote: NodeInfo | undefined
  readonly label: string
  readonly direction: PeerDirection
  /** The code of the protocol error that closed it, if one did. */
  readonly errorCode: string | undefined
  /** Outbound: the peer closed the socket before answering our first handshake message. */
  readonly refusedHandshake: boolean
  /**
   * The IP a TCP connection came from; undefined for a swarm stream (proven by its key, cooled down by id: a
   * relayed stream's IP is the relay's, which would refuse everyone it carries).
   */
  readonly remoteIp: string | undefined
  /** False once it is closing (cut): what it still brings is not checked. */
  readonly isOpen: boolean
  reject(error: ProtocolError): void
}

export interface PeerHealthOptions {
  /** Messages per second from never-seen authors per link; the burst defaults to twice that. */
  newAuthorRate?: {burst: number; perSecond: number}
  cooldown?: CooldownOptions
  /** Refuse cooled-down IPs on loopback too (off: every local node shares 127.0.0.1). */
  limitLoopback?: boolean
  now?: () => number
}

const addr = (host: string, port: number): CooldownKey => `addr:${host}:${port}`

export class PeerHealth {
  readonly cooldown: Cooldown
  readonly scores: PeerScores
  readonly #rate: {burst: number; perSecond: number}
  readonly #limitLoopback: boolean
  readonly #now: () => number
  readonly #onPenalised: (event: PeerPenalised) => void
  readonly #knownAuthors = new RecentSet(MAX_KNOWN_AUTHORS)
  readonly #links = new WeakMap<HealthLink, LinkBudget>()
  readonly #dialled = new WeakMap<HealthLink, CooldownKey>()
  readonly #refusals = new Map<CooldownKey, number>()

  constructor(onPenalised: (event: PeerPenalised) => void, options: PeerHealthOptions = {}) {
    this.#onPenalised = onPenalised
    this.#now = options.now ?? Date.now
    this.cooldown = new Cooldown({now: this.#now, ...options.cooldown})
    this.scores = new PeerScores({now: this.#now})
    this.#rate = options.newAuthorRate ?? {perSecond: NEW_AUTHOR_MESSAGES_PER_SECOND, burst: NEW_AUTHOR_MESSAGE_BURST}
    this.#limitLoopback = options.limitLoopback ?? false
  }

  /** The cool-down list as the node reports it (`ChatNode#cooldowns`), soonest to end first. */
  cooldowns(): CooldownSummary[] {
    return this.cooldown.list().map(({code, keys, label, strikes, until}) => {
      const of = (prefix: string): string[] =>
        keys.filter((key) => key.startsWith(prefix)).map((key) => key.slice(prefix.length))
      return {code, target: label, addresses: of('addr:'), ids: of('id:'), ips: of('ip:'), until, strikes}
    })
  }

  /** Takes `host:port` and its IP (or, without it, everyone) off the cool-down list; returns how many were cleared. */
  clearCooldown(address?: {host: string; port: number}): number {
    return address ? this.cooldown.clear(addr(address.host, address.port), `ip:${address.host}`) : this.cooldown.clear()
  }

  /** An author this node has accepted a message from (ours included): its messages cost no link budget. */
  knowAuthor(id: string): void {
    this.#knownAuthors.touch(id)
  }

  /** Remembers where an outbound link was dialled: the address to cool down if it misbehaves before its hello. */
  dialled(link: HealthLink, host: string, port: number): void {
    this.#dialled.set(link, addr(host, port))
  }

  /** At accept: refuse a cooled-down IP before a byte is read (not loopback, unless asked). */
  refuseInbound(ip: string): boolean {
    if (!this.#limitLoopback && isLoopback(ip)) return false
    return this.cooldown.active(`ip:${ip}`) !== undefined
  }

  /** After the hello: the entry that refuses this peer (by its id or its listening address), if any. */
  refuseAfterHello(remote: NodeInfo): CooldownEntry | undefined {
    return this.cooldown.active(`id:${remote.id}`, addr(remote.host, remote.port))
  }

  /** Before a dial: the entry that forbids dialling this address (or this node id), if any. */
  blocked(host: string, port: number, id?: string): CooldownEntry | undefined {
    return this.cooldown.active(addr(host, port), ...(id ? [`id:${id}` as const] : []))
  }

  /**
   * A signed message from `authorId` arrived on `link` and passed the cheap checks. Known authors pass; a never-seen
   * one takes a token of the link's budget, and over it the message is dropped unverified and the link penalised.
   */
  admit(link: HealthLink, authorId: string): boolean {
    if (this.#knownAuthors.has(authorId)) return true
    const taken = this.#budget(link).takeNewAuthor()
    const flooding = `sent more than ${this.#rate.perSecond} messages a second from authors this node has never seen`
    if (taken === 'sustained') this.#penalise(link, 'sustained_new_authors', 'flooding', flooding)
    if (taken !== 'drop') return link.isOpen
    this.#penalise(link, 'over_budget', 'flooding', flooding)
    return false
  }

  /** A message accepted from `link` (first delivery): its author is known from now on; the link earns a little. */
  accepted(link: HealthLink, authorId: string, id: string): void {
    this.knowAuthor(authorId)
    this.#budget(link).firstOnLink(id)
    if (link.peerId) this.scores.reward(link.peerId)
  }

  /** A message seen before arrived on `link`: from another path that is normal, the same link twice is not. */
  duplicate(link: HealthLink, id: string): void {
    if (this.#budget(link).firstOnLink(id)) return
    this.#penalise(link, 'duplicate', 'duplicate_flood', 'sent the same messages more than once')
  }

  /**
   * A connection closed. A protocol error (or an address that keeps closing our handshake) puts the offender on the
   * cool-down list; returns the entry and whether it is new this period (worth one line), or undefined.
   */
  closed(link: HealthLink, protocolError: boolean): {entry: CooldownEntry; fresh: boolean} | undefined {
    const dialled = this.#dialled.get(link)
    if (link.remote && dialled) this.#refusals.delete(dialled)
    let code = protocolError ? (link.errorCode ?? 'peer_misbehaved') : undefined
    if (!code && link.refusedHandshake && dialled) {
      const refusals = (this.#refusals.get(dialled) ?? 0) + 1
      this.#refusals.delete(dialled)
      if (refusals < REFUSALS_BEFORE_COOLDOWN) {
        this.#refusals.set(dialled, refusals)
        if (this.#refusals.size > MAX_REFUSAL_ADDRESSES)
          this.#refusals.delete(this.#refusals.keys().next().value as CooldownKey)
        return undefined
      }

      code = 'handshake_refused'
    }

    if (!code || FORGIVEN_CODES.has(code)) return undefined
    if (link.peerId && (code === 'bad_signature' || !['duplicate_flood', 'flooding'].includes(code))) {
      this.scores.penalise(link.peerId, code === 'bad_signature' ? 'bad_signature' : 'invalid_frame')
    }

    // The id is proven by the handshake and the dialled address is where we went; the address a peer claims in its
    // hello is not proven (an attacker could name a victim's), so it is never cooled down on its word. The mesh knows
    // a peer by id too, so a cut inbound peer is not dialled at its claimed address either.
    const keys: CooldownKey[] = []
    if (link.remote) keys.push(`id:${link.remote.id}`)
    if (dialled) keys.push(dialled)
    // Every local node shares 127.0.0.1: on loopback an IP names nobody (a pre-hello failure there is not cooled
    // down here; the dialler's own cool-down bounds its attempts).
    const ip = link.remoteIp
    if (ip && link.direction === 'inbound' && (this.#limitLoopback || !isLoopback(ip))) keys.push(`ip:${ip}`)
    if (keys.length === 0) return undefined
    const result = this.cooldown.add(keys, code, link.label)
    if (result.fresh) {
      this.#onPenalised({
        code,
        target: link.label,
        ...(link.remote ? {peer: {...link.remote}} : {}),
        score: link.peerId ? Math.round(this.scores.score(link.peerId) * 10) / 10 : 0,
        until: result.entry.until,
      })
    }

    return result
  }

  #budget(link: HealthLink): LinkBudget {
    let budget = this.#links.get(link)
    if (!budget) {
      budget = new LinkBudget(this.#rate, this.#now)
      this.#links.set(link, budget)
    }

    return budget
  }

  #penalise(link: HealthLink, kind: PenaltyKind, code: string, message: string): void {
    // Before its hello a link carries no messages; scores are kept by node id, across reconnects.
    if (!link.peerId) return
    if (this.scores.penalise(link.peerId, kind)) link.reject(new ProtocolError(code, message))
  }
}
