// The two ways the REPL speaks: sentences for people, NDJSON for programs. Both write through a LinePrinter, which
// the Repl makes prompt-safe on a TTY; neither knows about prompts or streams.

import type {ChatMessage, NodeInfo, NodeWarning, PeerLeft, PeerSummary} from '../p2p/types.js'
import {type Catalog, helpLines} from './i18n.js'
import {sanitize, toJsonLine} from './sanitize.js'

/** Writes whole lines (no trailing newline) to the user's stdout (`out`) or stderr (`err`). */
export interface LinePrinter {
  out(line: string): void
  err(line: string): void
}

/** Everything the REPL shows. One method per kind of output, so the two formats cannot drift apart. */
export interface OutputSink {
  ready(info: NodeInfo): void
  /** A message from a peer. */
  message(message: ChatMessage): void
  /** Our own message, as the node sent it. */
  sent(message: ChatMessage): void
  peerJoined(peer: PeerSummary): void
  peerLeft(peer: PeerLeft): void
  /** The answer to /peers. */
  peers(peers: PeerSummary[]): void
  /** The answer to /help. */
  help(): void
  /** A successful /connect or --join. */
  connected(peer: PeerSummary): void
  /** Something the start command wants the user to know. */
  notice(text: string): void
  /** A command that failed (codes: unknown_command, usage, connect_failed, send_failed): the command's answer. */
  error(code: string, message: string): void
  /** A problem outside any command (the start command's, or an internal failure): a diagnostic. */
  problem(code: string, message: string): void
  /** Something the node survived (a misbehaving peer, ...), with the engine's code. */
  warning(warning: NodeWarning): void
}

/** Human output. Every line is sanitised as a whole, so no field from the network can reach the terminal raw. */
export class HumanSink implements OutputSink {
  readonly #catalog: Catalog
  readonly #printer: LinePrinter

  constructor(catalog: Catalog, printer: LinePrinter) {
    this.#catalog = catalog
    this.#printer = printer
  }

  ready(): void {
    this.#out(this.#catalog.readyHint)
  }

  message(message: ChatMessage): void {
    this.#out(this.#catalog.received(message.from, message.text))
  }

  sent(message: ChatMessage): void {
    this.#out(this.#catalog.own(message.text))
  }

  peerJoined(peer: PeerSummary): void {
    this.#out(this.#catalog.peerJoined(peer))
  }

  peerLeft(peer: PeerLeft): void {
    this.#out(this.#catalog.peerLeft(peer, peer.reason))
  }

  peers(peers: PeerSummary[]): void {
    if (peers.length === 0) {
      this.#out(this.#catalog.noPeers)
      return
    }

    this.#out(this.#catalog.peersHeader(peers.length))
    for (const peer of peers) this.#out(this.#catalog.peerLine(peer))
  }

  help(): void {
    for (const line of helpLines(this.#catalog)) this.#out(line)
  }

  connected(peer: PeerSummary): void {
    this.#out(this.#catalog.connected(peer))
  }

  notice(text: string): void {
    this.#out(text)
  }

  error(_code: string, message: string): void {
    this.#out(message)
  }

  problem(_code: string, message: string): void {
    this.#printer.err(sanitize(message))
  }

  warning(warning: NodeWarning): void {
    this.#printer.err(sanitize(this.#catalog.warning(warning.message)))
  }

  #out(line: string): void {
    this.#printer.out(sanitize(line))
  }
}

/** Picks the public fields by name, so whatever else an engine object carries never leaks into the stream. */
const node = (info: NodeInfo): NodeInfo => ({id: info.id, name: info.name, host: info.host, port: info.port})

const peer = (summary: PeerSummary) => ({...node(summary), direction: summary.direction, since: summary.since})

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

  message(message: ChatMessage): void {
    this.#emit({event: 'message', id: message.id, from: node(message.from), text: message.text, ts: message.ts})
  }

  sent(message: ChatMessage): void {
    this.#emit({event: 'sent', id: message.id, text: message.text, ts: message.ts})
  }

  peerJoined(summary: PeerSummary): void {
    this.#emit({event: 'peer_joined', ...node(summary), direction: summary.direction})
  }

  peerLeft(left: PeerLeft): void {
    this.#emit({event: 'peer_left', ...node(left), reason: left.reason})
  }

  peers(peers: PeerSummary[]): void {
    this.#emit({event: 'peers', peers: peers.map((summary) => peer(summary))})
  }

  help(): void {
    this.#emit({event: 'help', commands: this.#catalog.help})
  }

  connected(summary: PeerSummary): void {
    this.#emit({event: 'connected', ...node(summary), direction: summary.direction})
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
