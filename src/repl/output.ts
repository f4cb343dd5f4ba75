// The two ways the REPL speaks: sentences for people, NDJSON for programs. Both write through a LinePrinter, which
// the Repl makes prompt-safe on a TTY; neither knows about prompts or streams.

import type {HistoryMessage} from '../history/reader.js'
import {fingerprint} from '../p2p/identity.js'
import type {ChatMessage, DirectMessage, NodeInfo, NodeWarning, PeerLeft, PeerSummary} from '../p2p/types.js'
import {sanitize, toJsonLine} from '../text/sanitize.js'
import {formatClock, formatStamp, formatTable} from './format.js'
import {actionText, type Catalog, helpLines, helpTopicLines} from './i18n.js'
import {markMentions, mentions} from './mention.js'
import {PLAIN, type Style} from './style.js'
import {visibleWidth} from './wrap.js'

/**
 * Writes whole lines (no trailing newline) to the user's stdout (`out`) or stderr (`err`). `hang` is the column where
 * a message's text starts: a terminal wraps a long line under it.
 */
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
  /** The answer to /peers. */
  peers(peers: PeerSummary[]): void
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
   * history_failed): the command's answer.
   */
  error(code: string, message: string): void
  /** A problem outside any command (the start command's, or an internal failure): a diagnostic. */
  problem(code: string, message: string): void
  /** Something the node survived (a misbehaving peer, ...), with the engine's code. */
  warning(warning: NodeWarning): void
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

  constructor(catalog: Catalog, printer: LinePrinter, options: HumanOptions = {}) {
    this.#catalog = catalog
    this.#printer = printer
    this.#style = options.style ?? PLAIN
    this.#timestamps = options.timestamps ?? false
    this.#bell = options.bell ?? false
    this.#table = options.table ?? false
    this.#ownName = options.ownName ?? (() => '')
    this.#now = options.now ?? Date.now
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

    this.#said(this.#stamped(line, message.ts), text, mention && this.#bell ? '\u0007' : '')
  }

  sent(message: ChatMessage): void {
    const text = sanitize(message.text)
    const line = message.action ? this.#style.action(actionText(sanitize(message.from.name), text)) : this.#catalog.own(text)
    this.#said(this.#stamped(this.#style.own(line), message.ts), text)
  }

  direct(message: DirectMessage): void {
    const from = {...message.from, name: this.#style.name(message.from.id, sanitize(message.from.name))}
    const text = sanitize(message.text)
    this.#said(this.#stamped(this.#style.mention(this.#catalog.directReceived(from, text)), message.ts), text, this.#bell ? '\u0007' : '')
  }

  directSent(message: DirectMessage): void {
    const to = {...message.to, name: sanitize(message.to.name)}
    const text = sanitize(message.text)
    this.#said(this.#stamped(this.#style.own(this.#catalog.directSent(to, text)), message.ts), text)
  }

  peerJoined(peer: PeerSummary): void {
    this.#out(this.#stamped(this.#style.system(this.#catalog.peerJoined(this.#who(peer)))))
  }

  peerLeft(peer: PeerLeft): void {
    this.#out(this.#stamped(this.#style.system(this.#catalog.peerLeft(this.#who(peer), sanitize(peer.reason)))))
  }

  peers(peers: PeerSummary[]): void {
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
    const header = [t.name, t.address, t.fingerprint, t.since, t.direction, t.via].map((text) => ({text, paint: this.#style.header}))
    const rows = peers.map((peer) => {
      const who = this.#who(peer)
      return [
        {text: who.name, paint: (text: string) => this.#style.name(peer.id, text)},
        `${who.host.includes(':') ? `[${who.host}]` : who.host}:${peer.port}`,
        safeFingerprint(peer.id),
        formatClock(peer.since),
        this.#catalog.direction(peer.direction),
        this.#catalog.via(peer.transport, peer.route),
      ]
    })
    for (const line of formatTable([header, ...rows])) this.#printer.out(line)
  }

  help(topic?: string): void {
    const lines = topic === undefined ? helpLines(this.#catalog) : (helpTopicLines(this.#catalog, topic) ?? [])
    for (const line of lines) this.#out(line)
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
    this.#printer.err(this.#style.error(this.#worded(warning)))
  }

  #worded({code, message, subject}: NodeWarning): string {
    const about = sanitize(subject ?? '')
    if (code === 'dht_unreachable') return this.#catalog.dhtUnreachable(about)
    if (code === 'swarm_unreachable' || code === 'swarm_unreachable_relaying') {
      return this.#catalog.swarmUnreachable(about, code === 'swarm_unreachable_relaying')
    }

    return this.#catalog.warning(sanitize(message))
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

const peer = (summary: PeerSummary) => ({...node(summary), direction: summary.direction, since: summary.since, ...via(summary)})

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
    // `mention` and `history` only when true, so every other message event keeps its documented shape.
    this.#emit({...event, ...(mention ? {mention: true} : {}), ...(message.history ? {history: true} : {})})
  }

  sent(message: ChatMessage): void {
    this.#emit({event: 'sent', id: message.id, text: message.text, ts: message.ts, ...kind(message)})
  }

  direct(message: DirectMessage): void {
    this.#emit({event: 'direct', id: message.id, from: node(message.from), text: message.text, ts: message.ts})
  }

  directSent(message: DirectMessage): void {
    this.#emit({event: 'direct_sent', id: message.id, to: node(message.to), text: message.text, ts: message.ts})
  }

  peerJoined(summary: PeerSummary): void {
    this.#emit({event: 'peer_joined', ...node(summary), direction: summary.direction, ...via(summary)})
  }

  peerLeft(left: PeerLeft): void {
    this.#emit({event: 'peer_left', ...node(left), reason: left.reason})
  }

  peers(peers: PeerSummary[]): void {
    this.#emit({event: 'peers', peers: peers.map((summary) => peer(summary))})
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

  error(code: string, message: string): void {
    this.#emit({event: 'error', code, message})
  }

  problem(code: string, message: string): void {
    this.#emit({event: 'error', code, message})
  }

  warning(warning: NodeWarning): void {
    this.#emit({event: 'error', code: warning.code, message: warning.message})
  }

  #emit(event: {event: string} & Record<string, unknown>): void {
    this.#printer.out(toJsonLine(event))
  }
}
