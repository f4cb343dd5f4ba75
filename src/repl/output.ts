// The two ways the REPL speaks: sentences for people, NDJSON for programs. Both write through a LinePrinter, which
// the Repl makes prompt-safe on a TTY; neither knows about prompts or streams.

import type {HistoryMessage} from '../history/reader.js'
import {formatAddress} from '../p2p/address.js'
import {fingerprint} from '../p2p/identity.js'
import type {
  ChatMessage,
  ClockSkew,
  CooldownSummary,
  DirectMessage,
  HeldReleased,
  NodeInfo,
  NodeWarning,
  PeerLeft,
  PeerPenalised,
  PeerSummary,
  RoomChurn,
  RoomLeft,
  RosterEntry,
} from '../p2p/types.js'
import {sanitize, toJsonLine} from '../text/sanitize.js'
import {leaveReasonText, warningText} from './engine-text.js'
import {formatClock, formatStamp, formatTable, tableWidth} from './format.js'
import {actionText, type Catalog, formatRemaining, helpLines, helpTopicLines, usageWidth} from './i18n.js'
import type {IgnoredAuthor} from './ignore-list.js'
import {markMentions, mentions} from './mention.js'
import {PLAIN, type Style} from './style.js'
import {visibleWidth} from './wrap.js'

/**
 * Writes whole lines (no trailing newline) to the user's stdout (`out`) or stderr (`err`). `hang` is the column where
 * a message's text starts: a terminal wraps a long line under it.
 */

/** Leave codes that mean the network failed, not the peer: silence, no route, a reset. */
const NETWORK_LOSSES: ReadonlySet<string> = new Set(['heartbeat', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET'])
export interface LinePrinter {
  out(line: string, hang?: number): void
  err(line: string): void
}

/** Everything the REPL shows. One method per kind of output, so the two formats cannot drift apart. */
export interface OutputSink {
  ready(info: NodeInfo): void
  /** A message from a peer; `mention` when it names you with `@`. */
  message(message: ChatMessage, mention: boolean): void
  /** Our own message, as the node sent it. */
  sent(message: ChatMessage): void
  /** A direct message to us, and one we sent. */
  direct(message: DirectMessage): void
  directSent(message: DirectMessage): void
  peerJoined(peer: PeerSummary): void
  peerLeft(peer: PeerLeft): void
  /** Messages kept while no peer was connected were sent (or given up) when one connected. */
  heldReleased(released: HeldReleased): void
  /** The answer to /peers. */
  peers(peers: PeerSummary[], cooldowns?: CooldownSummary[]): void
  /** The answer to /who: the room's roster, most recently heard of first. */
  who(entries: RosterEntry[]): void
  /** A node that is not a direct peer joined or left the room; joins and leaves past the rate limit, summed up. */
  roomJoined(entry: RosterEntry): void
  roomLeft(left: RoomLeft): void
  roomChurn(churn: RoomChurn): void
  /** The answer to /ignore, /unignore: who is ignored now, and how many messages were hidden this session. */
  ignoreList(authors: IgnoredAuthor[], hidden: number): void
  /** A peer cut (or refused) and put on the cool-down list. The human output already said it in the warning. */
  peerPenalised(event: PeerPenalised): void
  /** The answer to /help, or to `/help COMMAND` (a known command name). */
  help(topic?: string): void
  /** The answer to /history: the messages, oldest first. */
  history(entries: HistoryMessage[]): void
  /** A successful /connect or --join. */
  connected(peer: PeerSummary): void
  /** Something the start command wants the user to know. */
  notice(text: string): void
  /**
   * A command that failed (codes: unknown_command, usage, connect_failed, send_failed, history_unavailable,
   * history_failed): the command's answer. `reason` is a finer stable code (a connection failure's).
   */
  error(code: string, message: string, reason?: string): void
  /** A problem outside any command (the start command's, or an internal failure): a diagnostic. */
  problem(code: string, message: string): void
  /** Something the node survived (a misbehaving peer, ...), with the engine's code. */
  warning(warning: NodeWarning): void
  /** A new peer's clock differs from ours by more than a minute. */
  clockSkew(skew: ClockSkew): void
}

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

/** A node's fingerprint for display: ids from the network are checked, and a malformed one shows as `?`. */
export function safeFingerprint(id: string): string {
  try {
    return fingerprint(id)
  } catch {
    return '?'
  }
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
      this.#said(this.#style.system(this.#catalog.lateMark(formatStamp(message.ts, this.#now()))) + line, text, mention && this.#bell ? '\u0007' : '')
      return
    }

    this.#said(this.#stamped(line, message.ts), text, mention && this.#bell ? '\u0007' : '')
  }

  sent(message: ChatMessage): void {
    const text = sanitize(message.text)
    const line = message.action ? this.#style.action(actionText(sanitize(message.from.name), text)) : this.#catalog.own(text)
    this.#said(this.#stamped(this.#style.own(line), message.ts), text)
    if (message.held) this.#out(this.#style.system(this.#catalog.heldNotice))
  }

  direct(message: DirectMessage): void {
    const from = {...message.from, name: this.#style.name(message.from.id, sanitize(message.from.name))}
    const text = sanitize(message.text)
    const line = this.#style.mention(this.#catalog.directReceived(from, text))
    const marked = message.late ? this.#style.system(this.#catalog.lateMark(formatStamp(message.ts, this.#now()))) + line : this.#stamped(line, message.ts)
    this.#said(marked, text, this.#bell ? '\u0007' : '')
  }

  directSent(message: DirectMessage): void {
    const to = {...message.to, name: sanitize(message.to.name)}
    const text = sanitize(message.text)
    this.#said(this.#stamped(this.#style.own(this.#catalog.directSent(to, text)), message.ts), text)
    if (message.held) this.#out(this.#style.system(this.#catalog.heldNotice))
  }

  heldReleased(released: HeldReleased): void {
    this.#out(this.#stamped(this.#style.system(this.#catalog.heldReleased(released.sent, released.dropped, this.#who(released.to)))))
  }

  peerJoined(peer: PeerSummary): void {
    this.#out(this.#stamped(this.#style.system(this.#catalog.peerJoined(this.#who(peer)))))
  }

  peerLeft(peer: PeerLeft): void {
    const reason = sanitize(leaveReasonText(this.#catalog.engine, peer))
    // A network outage is not a leave: say the peer was lost and that the node dials it again (the mesh does).
    const lost = peer.reasonCode !== undefined && NETWORK_LOSSES.has(peer.reasonCode)
    this.#out(this.#stamped(this.#style.system(lost ? this.#catalog.peerLost(this.#who(peer), reason) : this.#catalog.peerLeft(this.#who(peer), reason))))
  }

  peers(peers: PeerSummary[], cooldowns: CooldownSummary[] = []): void {
    this.#peerTable(peers)
    if (cooldowns.length === 0) return
    this.#out(this.#style.system(this.#catalog.cooldownHeader(cooldowns.length)))
    const now = this.#now()
    for (const entry of cooldowns) this.#out(this.#catalog.cooldownLine(sanitize(entry.target), sanitize(entry.code), formatRemaining(entry.until - now)))
  }

  ignoreList(authors: IgnoredAuthor[], hidden: number): void {
    if (authors.length === 0) {
      this.#out(this.#catalog.ignoreNone)
      return
    }

    this.#out(this.#catalog.ignoreList(authors.map((a) => `${sanitize(a.name)} ${safeFingerprint(a.id)}`), hidden))
  }

  peerPenalised(): void {
    // Said once already, by the warning that reported the disconnection; /peers lists the cool-down.
  }

  #peerTable(peers: PeerSummary[]): void {
    if (peers.length === 0) {
      this.#out(this.#catalog.noPeers)
      return
    }

    this.#out(this.#catalog.peersHeader(peers.length))
    if (!this.#table) {
      for (const peer of peers) {
        const line = this.#catalog.peerLine(this.#who(peer), safeFingerprint(peer.id))
        // TCP is the usual case and keeps the line as it always was; a swarm peer says how it is reached.
        this.#out(peer.transport === 'swarm' ? `${line} [${this.#catalog.via(peer.transport, peer.route)}]` : line)
      }

      return
    }

    const t = this.#catalog.peerColumns
    // The score column only when the node scores its peers (every ChatNode does; a test double may not).
    const scored = peers.some((peer) => peer.score !== undefined)
    const titles = [t.name, t.address, t.fingerprint, t.since, t.direction, t.via, ...(scored ? [t.score] : [])]
    this.#nodeTable(peers, titles, (peer) => [
      formatClock(peer.since),
      this.#catalog.direction(peer.direction),
      this.#catalog.via(peer.transport, peer.route),
      ...(scored ? [String(peer.score ?? 0)] : []),
    ])
  }

  who(entries: RosterEntry[]): void {
    if (entries.length === 0) {
      this.#out(this.#catalog.whoNobody)
      return
    }

    this.#out(this.#catalog.whoHeader(entries.length))
    if (!this.#table) {
      for (const entry of entries) {
        this.#out(this.#catalog.whoLine(this.#who(entry), safeFingerprint(entry.id), this.#catalog.reach(entry.direct), formatStamp(entry.lastSeen, this.#now())))
      }

      return
    }

    const t = this.#catalog.whoColumns
    const now = this.#now()
    this.#nodeTable(entries, [t.name, t.address, t.fingerprint, t.reach, t.lastSeen], (entry) => [this.#catalog.reach(entry.direct), formatStamp(entry.lastSeen, now)])
  }

  /** A table of nodes for a terminal: name (in its colour), address and fingerprint, then `more` columns. */
  #nodeTable<T extends NodeInfo>(nodes: T[], titles: string[], more: (node: T) => string[]): void {
    const header = titles.map((text) => ({text, paint: this.#style.header}))
    const rows = nodes.map((node) => {
      const who = this.#who(node)
      return [{text: who.name, paint: (text: string) => this.#style.name(node.id, text)}, formatAddress(who), safeFingerprint(node.id), ...more(node)]
    })
    // On a narrow terminal the last columns go first (/peers: score, via, then direction and time); name, address and
    // fingerprint stay, else the plain list, which the terminal wraps.
    const columns = this.#columns()
    for (const keep of [...new Set([titles.length, 6, 5, 4, 3])].filter((n) => n <= titles.length)) {
      const table = [header, ...rows].map((row) => row.slice(0, keep))
      if (columns === undefined || tableWidth(table) <= columns) {
        for (const line of formatTable(table)) this.#printer.out(line)
        return
      }
    }

    for (const node of nodes) this.#out(this.#catalog.peerLine(this.#who(node), safeFingerprint(node.id)))
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
      lines.forEach((line, i) => this.#printer.out(line, i < lines.length - 1 ? hang : 0))
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
        const line = entry.action ? this.#style.action(actionText(sanitize(entry.from ?? this.#ownName()), text)) : this.#catalog.own(text)
        this.#said(stamp + this.#style.own(line), text)
        continue
      }

      const name = sanitize(entry.from ?? '?')
      const painted = this.#style.name(entry.fromId ?? name, name)
      const marked = this.#text(entry.text, this.#mentions(entry.text))
      this.#said(stamp + (entry.action ? this.#style.action(actionText(painted, marked)) : this.#catalog.receivedFrom(painted, marked)), marked)
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
    this.#out(this.#style.error(this.#catalog.clockSkew({...peer, name: sanitize(peer.name), host: sanitize(peer.host)}, offsetMs)))
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

/** Picks the public fields by name, so whatever else an engine object carries never leaks into the stream. */
const node = (info: NodeInfo): NodeInfo => ({id: info.id, name: info.name, host: info.host, port: info.port})

/** `kind: "action"` for an action; nothing for a plain message, whose events keep their documented shape. */
const kind = (message: {action?: boolean}): {kind?: 'action'} => (message.action ? {kind: 'action'} : {})

/** How a peer is connected: `transport` always, `route` where the swarm tells. */
const via = (summary: PeerSummary) => ({transport: summary.transport, ...(summary.route ? {route: summary.route} : {})})

const peer = (summary: PeerSummary) => ({
  ...node(summary),
  direction: summary.direction,
  since: summary.since,
  ...via(summary),
  ...(summary.score === undefined ? {} : {score: summary.score}),
})

const cooldown = (entry: CooldownSummary) => ({
  target: entry.target,
  code: entry.code,
  addresses: [...entry.addresses],
  ids: [...entry.ids],
  ips: [...entry.ips],
  until: entry.until,
  strikes: entry.strikes,
})

/** NDJSON on stdout, one object per line with an `event` field; nothing else is ever written to stdout. */
export class JsonSink implements OutputSink {
  readonly #catalog: Catalog
  readonly #printer: LinePrinter

  constructor(catalog: Catalog, printer: LinePrinter) {
    this.#catalog = catalog
    this.#printer = printer
  }

  ready(info: NodeInfo): void {
    this.#emit({event: 'ready', ...node(info)})
  }

  message(message: ChatMessage, mention: boolean): void {
    const event = {event: 'message', id: message.id, from: node(message.from), text: message.text, ts: message.ts, ...kind(message)}
    // `mention`, `history` and `late` only when true, so every other message event keeps its documented shape.
    this.#emit({...event, ...(mention ? {mention: true} : {}), ...(message.history ? {history: true} : {}), ...(message.late ? {late: true} : {})})
  }

  sent(message: ChatMessage): void {
    this.#emit({event: 'sent', id: message.id, text: message.text, ts: message.ts, ...kind(message), ...(message.held ? {held: true} : {})})
  }

  direct(message: DirectMessage): void {
    this.#emit({event: 'direct', id: message.id, from: node(message.from), text: message.text, ts: message.ts, ...(message.late ? {late: true} : {})})
  }

  directSent(message: DirectMessage): void {
    this.#emit({event: 'direct_sent', id: message.id, to: node(message.to), text: message.text, ts: message.ts, ...(message.held ? {held: true} : {})})
  }

  heldReleased(released: HeldReleased): void {
    this.#emit({event: 'held_released', sent: released.sent, dropped: released.dropped, to: node(released.to)})
  }

  peerJoined(summary: PeerSummary): void {
    this.#emit({event: 'peer_joined', ...node(summary), direction: summary.direction, ...via(summary)})
  }

  peerLeft(left: PeerLeft): void {
    this.#emit({event: 'peer_left', ...node(left), reason: left.reason, ...(left.reasonCode === undefined ? {} : {code: left.reasonCode})})
  }

  peers(peers: PeerSummary[], cooldowns?: CooldownSummary[]): void {
    this.#emit({event: 'peers', peers: peers.map((summary) => peer(summary)), ...(cooldowns ? {cooldown: cooldowns.map((e) => cooldown(e))} : {})})
  }

  ignoreList(authors: IgnoredAuthor[], hidden: number): void {
    const list = authors.map((a) => ({id: a.id, name: a.name, fingerprint: safeFingerprint(a.id)}))
    this.#emit({event: 'ignored', count: list.length, authors: list, hidden})
  }

  peerPenalised(event: PeerPenalised): void {
    this.#emit({
      event: 'peer_penalised',
      code: event.code,
      target: event.target,
      ...(event.peer ? {peer: node(event.peer)} : {}),
      score: event.score,
      until: event.until,
    })
  }

  who(entries: RosterEntry[]): void {
    const nodes = entries.map((entry) => ({...node(entry), direct: entry.direct, lastSeen: entry.lastSeen}))
    this.#emit({event: 'who', nodes})
  }

  roomJoined(entry: RosterEntry): void {
    this.#emit({event: 'room_joined', ...node(entry)})
  }

  roomLeft(left: RoomLeft): void {
    this.#emit({event: 'room_left', ...node(left), reason: left.reason})
  }

  roomChurn(churn: RoomChurn): void {
    this.#emit({event: 'room_churn', joined: churn.joined, left: churn.left})
  }

  help(topic?: string): void {
    const commands = topic === undefined ? this.#catalog.help : this.#catalog.help.filter((entry) => entry.command === topic)
    this.#emit({event: 'help', commands})
  }

  history(entries: HistoryMessage[]): void {
    const messages = entries.map((e) => ({
      ts: e.ts,
      ...(e.sentTs === undefined ? {} : {sentTs: e.sentTs}),
      ...(e.from === undefined ? {} : {from: e.from}),
      ...(e.fromId === undefined ? {} : {fromId: e.fromId}),
      text: e.text,
      own: e.own,
      ...kind(e),
    }))
    this.#emit({event: 'history', messages})
  }

  connected(summary: PeerSummary): void {
    this.#emit({event: 'connected', ...node(summary), direction: summary.direction, ...via(summary)})
  }

  notice(text: string): void {
    this.#emit({event: 'notice', message: text})
  }

  error(code: string, message: string, reason?: string): void {
    this.#emit({event: 'error', code, message, ...(reason === undefined ? {} : {reason})})
  }

  problem(code: string, message: string): void {
    this.#emit({event: 'error', code, message})
  }

  warning(warning: NodeWarning): void {
    this.#emit({event: 'error', code: warning.code, message: warning.message})
  }

  clockSkew({offsetMs, peer}: ClockSkew): void {
    this.#emit({event: 'clock_skew', peer: node(peer), offsetMs})
  }

  #emit(event: {event: string} & Record<string, unknown>): void {
    this.#printer.out(toJsonLine(event))
  }
}
