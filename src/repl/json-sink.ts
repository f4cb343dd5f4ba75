// NDJSON output for programs (`--json`): one event object per line, its fields picked by name; the events are
// documented in docs/json-events.schema.json (the `OutputSink` of output.ts).

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
  PeerPenalised,
  PeerSummary,
  RoomChurn,
  RoomLeft,
  RosterEntry,
} from '../p2p/types.js'
import type {Catalog} from './i18n.js'
import type {IgnoredAuthor} from './ignore-list.js'

import {toJsonLine} from '../text/sanitize.js'
import {type LinePrinter, type OutputSink, safeFingerprint} from './output.js'

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
    const event = {
      event: 'message',
      id: message.id,
      from: node(message.from),
      text: message.text,
      ts: message.ts,
      ...kind(message),
    }
    // `mention`, `history` and `late` only when true, so every other message event keeps its documented shape.
    this.#emit({
      ...event,
      ...(mention ? {mention: true} : {}),
      ...(message.history ? {history: true} : {}),
      ...(message.late ? {late: true} : {}),
    })
  }

  sent(message: ChatMessage): void {
    this.#emit({
      event: 'sent',
      id: message.id,
      text: message.text,
      ts: message.ts,
      ...kind(message),
      ...(message.held ? {held: true} : {}),
    })
  }

  direct(message: DirectMessage): void {
    this.#emit({
      event: 'direct',
      id: message.id,
      from: node(message.from),
      text: message.text,
      ts: message.ts,
      ...(message.late ? {late: true} : {}),
    })
  }

  directSent(message: DirectMessage): void {
    this.#emit({
      event: 'direct_sent',
      id: message.id,
      to: node(message.to),
      text: message.text,
      ts: message.ts,
      ...(message.held ? {held: true} : {}),
    })
  }

  heldReleased(released: HeldReleased): void {
    this.#emit({event: 'held_released', sent: released.sent, dropped: released.dropped, to: node(released.to)})
  }

  peerJoined(summary: PeerSummary): void {
    this.#emit({event: 'peer_joined', ...node(summary), direction: summary.direction, ...via(summary)})
  }

  peerLeft(left: PeerLeft): void {
    this.#emit({
      event: 'peer_left',
      ...node(left),
      reason: left.reason,
      ...(left.reasonCode === undefined ? {} : {code: left.reasonCode}),
    })
  }

  peers(peers: PeerSummary[], cooldowns?: CooldownSummary[]): void {
    this.#emit({
      event: 'peers',
      peers: peers.map((summary) => peer(summary)),
      ...(cooldowns ? {cooldown: cooldowns.map((e) => cooldown(e))} : {}),
    })
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
    const commands =
      topic === undefined ? this.#catalog.help : this.#catalog.help.filter((entry) => entry.command === topic)
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
