// Human output: sentences in the user's language, coloured and wrapped for a terminal (the `OutputSink` of output.ts).

import type {HistoryMessage} from '../history/reader.js'
import type {
  ChatMessage,
  ClockSkew,
  CooldownSummary,
  DirectMessage,
  HeldReleased,
  NodeInfo,
  NodeWarning,
  PeerLeft,
  PeerSummary,
  RoomChurn,
  RoomLeft,
  RosterEntry,
} from '../p2p/types.js'
import type {IgnoredAuthor} from './ignore-list.js'

import {formatAddress} from '../p2p/address.js'
import {sanitize} from '../text/sanitize.js'
import {leaveReasonText, warningText} from './engine-text.js'
import {fitTable, formatClock, formatStamp} from './format.js'
import {actionText, type Catalog, formatRemaining, helpLines, helpTopicLines, usageWidth} from './i18n.js'
import {markMentions, mentions} from './mention.js'
import {type LinePrinter, type OutputSink, safeFingerprint} from './output.js'
import {PLAIN, type Style} from './style.js'
import {visibleWidth} from './wrap.js'

/** Leave codes that mean the network failed, not the peer: silence, no route, a reset. */
const NETWORK_LOSSES: ReadonlySet<string> = new Set([
  'heartbeat',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNRESET',
])

export interface HumanOptions {
  /** Colours; PLAIN (the default) keeps every line exactly as DESIGN.md shows it. */
  style?: Style
  /** Prefix messages, joins and leaves with the local `HH:MM`. */
  timestamps?: boolean
  /** Ring the terminal bell with a message that mentions you. */
  bell?: boolean
  /** /peers as an aligned table with fingerprints (a terminal) instead of the plain `Name (host:port)` list. */
  table?: boolean
  /** The terminal's width, for /peers and /help to fit it; undefined keeps lines whole (a pipe, a file). */
  columns?: () => number | undefined
  /** The name whose `@mentions` are highlighted. */
  ownName?: () => string
  /** For tests: the clock behind timestamps and /history dates. */
  now?: () => number
}

/**
 * Human output. Every field is sanitised before it is put into a sentence (and coloured), so nothing from the
 * network reaches the terminal raw and no field can eat the sentence's own characters.
 */
export class HumanSink implements OutputSink {
  readonly #catalog: Catalog
  readonly #printer: LinePrinter
  readonly #style: Style
  readonly #timestamps: boolean
  readonly #bell: boolean
  readonly #table: boolean
  readonly #ownName: () => string
  readonly #now: () => number
  readonly #columns: () => number | undefined

  constructor(catalog: Catalog, printer: LinePrinter, options: HumanOptions = {}) {
    this.#catalog = catalog
    this.#printer = printer
    this.#style = options.style ?? PLAIN
    this.#timestamps = options.timestamps ?? false
    this.#bell = options.bell ?? false
    this.#table = options.table ?? false
    this.#ownName = options.ownName ?? (() => '')
    this.#now = options.now ?? Date.now
    this.#columns = options.columns ?? (() => undefined)
  }

  ready(): void {
    this.#out(this.#style.system(this.#catalog.readyHint))
  }

  message(message: ChatMessage, mention: boolean): void {
    const name = this.#style.name(message.from.id, sanitize(message.from.name))
    const text = this.#text(message.text, mention)
    const line = message.action
      ? this.#style.action(actionText(name, text))
      : this.#catalog.received({...message.from, name, host: sanitize(message.from.host)}, text)
    if (message.history) {
      // Sent before we joined: marked with its own time, dimmed, and never a bell.
      this.#said(this.#style.system(this.#catalog.historyMark(formatStamp(message.ts, this.#now()))) + line, text)
      return
    }

    if (message.late) {
      // Said while we were away or cut off: shown once, now, with the author's time.
      this.#said(
        this.#style.system(this.#catalog.lateMark(formatStamp(message.ts, this.#now()))) + line,
        text,
        mention && this.#bell ? '\u0007' : '',
      )
      return
    }

    this.#said(this.#stamped(line, message.ts), text, mention && this.#bell ? '\u0007' : '')
  }

  sent(message: ChatMessage): void {
    const text = sanitize(message.text)
    const line = message.action
      ? this.#style.action(actionText(sanitize(message.from.name), text))
      : this.#catalog.own(text)
    this.#said(this.#stamped(this.#style.own(line), message.ts), text)
    if (message.held) this.#out(this.#style.system(this.#catalog.heldNotice))
  }

  direct(message: DirectMessage): void {
    const from = {...message.from, name: this.#style.name(message.from.id, sanitize(message.from.name))}
    const text = sanitize(message.text)
    const line = this.#style.mention(this.#catalog.directReceived(from, text))
    const marked = message.late
      ? this.#style.system(this.#catalog.lateMark(formatStamp(message.ts, this.#now()))) + line
      : this.#stamped(line, message.ts)
    this.#said(marked, text, this.#bell ? '\u0007' : '')
  }

  directSent(message: DirectMessage): void {
    const to = {...message.to, name: sanitize(message.to.name)}
    const text = sanitize(message.text)
    this.#said(this.#stamped(this.#style.own(this.#catalog.directSent(to, text)), message.ts), text)
    if (message.held) this.#out(this.#style.system(this.#catalog.heldNotice))
  }

  heldReleased(released: HeldReleased): void {
    this.#out(
      this.#stamped(
        this.#style.system(this.#catalog.heldReleased(released.sent, released.dropped, this.#who(released.to))),
      ),
    )
  }

  peerJoined(peer: PeerSummary): void {
    this.#out(this.#stamped(this.#style.system(this.#catalog.peerJoined(this.#who(peer)))))
  }

  peerLeft(peer: PeerLeft): void {
    const reason = sanitize(leaveReasonText(this.#catalog.engine, peer))
    // A network outage is not a leave: say the peer was lost and that the node dials it again (the mesh does).
    const lost = peer.reasonCode !== undefined && NETWORK_LOSSES.has(peer.reasonCode)
    this.#out(
      this.#stamped(
        this.#style.system(
          lost ? this.#catalog.peerLost(this.#who(peer), reason) : this.#catalog.peerLeft(this.#who(peer), reason),
        ),
      ),
    )
  }

  peers(peers: PeerSummary[], cooldowns: CooldownSummary[] = []): void {
    this.#peerTable(peers)
    if (cooldowns.length === 0) return
    this.#out(this.#style.system(this.#catalog.cooldownHeader(cooldowns.length)))
    const now = this.#now()
    for (const entry of cooldowns)
      this.#out(
        this.#catalog.cooldownLine(sanitize(entry.target), sanitize(entry.code), formatRemaining(entry.until - now)),
      )
  }

  ignoreList(authors: IgnoredAuthor[], hidden: number): void {
    if (authors.length === 0) {
      this.#out(this.#catalog.ignoreNone)
      return
    }

    this.#out(
      this.#catalog.ignoreList(
        authors.map((a) => `${sanitize(a.name)} ${safeFingerprint(a.id)}`),
        hidden,
      ),
    )
  }

  peerPenalised(): void {
    // Said once already, by the warning that reported the disconnection; /peers lists the cool-down.
  }

  #peerTable(peers: PeerSummary[]): void {
    const t = this.#catalog.peerColumns
    // The score column only when the node scores its peers (every ChatNode does; a test double may not).
    const scored = peers.some((peer) => peer.score !== undefined)
    const titles = [t.name, t.address, t.fingerprint, t.since, t.direction, t.via, ...(scored ? [t.score] : [])]
    const line = (peer: PeerSummary): string => {
      const text = this.#catalog.peerLine(this.#who(peer), safeFingerprint(peer.id))
      // TCP is the usual case and keeps the line as it always was; a swarm peer says how it is reached.
      return peer.transport === 'swarm' ? `${text} [${this.#catalog.via(peer.transport, peer.route)}]` : text
    }

    this.#nodeList(
      peers,
      {none: this.#catalog.noPeers, header: this.#catalog.peersHeader(peers.length), line, titles},
      (peer) => [
        formatClock(peer.since),
        this.#catalog.direction(peer.direction),
        this.#catalog.via(peer.transport, peer.route),
        ...(scored ? [String(peer.score ?? 0)] : []),
      ],
    )
  }

  who(entries: RosterEntry[]): void {
    const t = this.#catalog.whoColumns
    const reach = (entry: RosterEntry): string => this.#catalog.reach(entry.direct)
    const list = {
      none: this.#catalog.whoNobody,
      header: this.#catalog.whoHeader(entries.length),
      line: (entry: RosterEntry) =>
        this.#catalog.whoLine(
          this.#who(entry),
          safeFingerprint(entry.id),
          reach(entry),
          formatStamp(entry.lastSeen, this.#now()),
        ),
      titles: [t.name, t.address, t.fingerprint, t.reach, t.lastSeen],
    }
    const now = this.#now()
    this.#nodeList(entries, list, (entry) => [reach(entry), formatStamp(entry.lastSeen, now)])
  }

  /**
   * The answer to /peers or /who: a sentence when there is nobody, else a header and then one `line` each (a pipe, a
   * file) or, on a terminal, a table of `titles` whose columns after name, address and fingerprint are `more`.
   */
  #nodeList<T extends NodeInfo>(
    nodes: T[],
    list: {header: string; line: (node: T) => string; none: string; titles: string[]},
    more: (node: T) => string[],
  ): void {
    if (nodes.length === 0) {
      this.#out(list.none)
      return
    }

    this.#out(list.header)
    if (this.#table) this.#nodeTable(nodes, list.titles, more)
    else for (const node of nodes) this.#out(list.line(node))
  }

  /** A table of nodes for a terminal: name (in its colour), address and fingerprint, then `more` columns. */
  #nodeTable<T extends NodeInfo>(nodes: T[], titles: string[], more: (node: T) => string[]): void {
    const header = titles.map((text) => ({text, paint: this.#style.header}))
    const rows = nodes.map((node) => {
      const who = this.#who(node)
      return [
        {text: who.name, paint: (text: string) => this.#style.name(node.id, text)},
        formatAddress(who),
        safeFingerprint(node.id),
        ...more(node),
      ]
    })
    // On a narrow terminal the last columns go first (/peers: score, via, then direction and time); name, address and
    // fingerprint stay, else the plain list, which the terminal wraps.
    const lines = fitTable([header, ...rows], this.#columns(), 3)
    if (lines) for (const line of lines) this.#printer.out(line)
    else for (const node of nodes) this.#out(this.#catalog.peerLine(this.#who(node), safeFingerprint(node.id)))
  }

  roomJoined(entry: RosterEntry): void {
    this.#out(this.#stamped(this.#style.system(this.#catalog.roomJoined(sanitize(entry.name)))))
  }

  roomLeft(left: RoomLeft): void {
    this.#out(this.#stamped(this.#style.system(this.#catalog.roomLeft(sanitize(left.name), left.reason))))
  }

  roomChurn(churn: RoomChurn): void {
    this.#out(this.#stamped(this.#style.system(this.#catalog.roomChurn(churn.joined, churn.left))))
  }

  help(topic?: string): void {
    // On a terminal a description too long for its row wraps under itself (the printer's hanging indent), the
    // details of one command under their indent.
    if (topic === undefined) {
      const lines = helpLines(this.#catalog)
      const hang = usageWidth(this.#catalog) + 2
      for (const [i, line] of lines.entries()) this.#printer.out(line, i < lines.length - 1 ? hang : 0)
      return
    }

    const [head, details] = helpTopicLines(this.#catalog, topic) ?? []
    if (head === undefined) return
    this.#printer.out(head, head.indexOf('  ') + 2)
    this.#printer.out(details, 2)
  }

  history(entries: HistoryMessage[]): void {
    if (entries.length === 0) {
      this.#out(this.#catalog.historyEmpty)
      return
    }

    this.#out(this.#style.system(this.#catalog.historyHeader(entries.length)))
    const now = this.#now()
    for (const entry of entries) {
      // When the author sent it, as the live line showed it; when it was logged only for older files.
      const stamp = `${this.#style.system(formatStamp(entry.sentTs ?? entry.ts, now))} `
      const text = sanitize(entry.text)
      if (entry.own) {
        const line = entry.action
          ? this.#style.action(actionText(sanitize(entry.from ?? this.#ownName()), text))
          : this.#catalog.own(text)
        this.#said(stamp + this.#style.own(line), text)
        continue
      }

      const name = sanitize(entry.from ?? '?')
      const painted = this.#style.name(entry.fromId ?? name, name)
      const marked = this.#text(entry.text, this.#mentions(entry.text))
      this.#said(
        stamp +
          (entry.action
            ? this.#style.action(actionText(painted, marked))
            : this.#catalog.receivedFrom(painted, marked)),
        marked,
      )
    }
  }

  connected(peer: PeerSummary): void {
    this.#out(this.#style.system(this.#catalog.connected(this.#who(peer))))
  }

  notice(text: string): void {
    this.#out(this.#style.system(sanitize(text)))
  }

  error(_code: string, message: string): void {
    this.#out(this.#style.error(sanitize(message)))
  }

  problem(_code: string, message: string): void {
    this.#printer.err(this.#style.error(sanitize(message)))
  }

  warning(warning: NodeWarning): void {
    const text = warning.failure
      ? this.#catalog.connectionFailure({...warning.failure, host: sanitize(warning.failure.host)})
      : warningText(this.#catalog.engine, warning)
    this.#printer.err(this.#style.error(this.#catalog.warning(sanitize(text))))
  }

  clockSkew({offsetMs, peer}: ClockSkew): void {
    this.#out(
      this.#style.error(
        this.#catalog.clockSkew({...peer, name: sanitize(peer.name), host: sanitize(peer.host)}, offsetMs),
      ),
    )
  }

  #mentions(text: string): boolean {
    return mentions(text, this.#ownName())
  }

  /** A message's text, sanitised, highlighted when it mentions you (mentions marked again inside it). */
  #text(raw: string, mention: boolean): string {
    const text = sanitize(raw)
    if (!mention || !this.#style.color) return text
    return this.#style.mention(markMentions(text, this.#ownName(), this.#style.mentionMark))
  }

  #who<T extends NodeInfo>(peer: T): T {
    return {...peer, name: sanitize(peer.name), host: sanitize(peer.host)}
  }

  /** With timestamps on, `HH:MM ` first: the author's time for a message (`at`), the time it happened otherwise. */
  #stamped(line: string, at?: number): string {
    return this.#timestamps ? `${this.#style.system(formatClock(at ?? this.#now()))} ${line}` : line
  }

  // Lines are built from sanitised fields (and the catalog's own text), so they are written as they are.
  #out(line: string): void {
    this.#printer.out(line)
  }

  /** A line that ends with what someone said (`text`, as rendered): a terminal wraps it under where `text` starts. */
  #said(line: string, text: string, suffix = ''): void {
    this.#printer.out(line + suffix, Math.max(0, visibleWidth(line) - visibleWidth(text)))
  }
}
