// The commands a typed line can be (`parseLine`, commands.ts): one `switch` that runs each against the node and
// answers through the output sink. Every failure becomes a printed, translated error; nothing here throws.

import type {ChatMessage, NodeInfo} from '../p2p/types.js'
import type {Catalog} from './i18n.js'
import type {HistoryReader, ReplNode} from './types.js'

import {formatAddress} from '../p2p/address.js'
import {chatNodeErrorDetail} from '../p2p/errors.js'
import {sanitize} from '../text/sanitize.js'
import {type Authors, resolveAuthor} from './authors.js'
import {isCommandName, parseLine} from './commands.js'
import {errorMessage, nodeErrorText} from './engine-text.js'
import {type IgnoreList, MAX_IGNORED} from './ignore-list.js'
import {type OutputSink, safeFingerprint} from './output.js'
import {type MsgTarget, resolveRecipient} from './recipient.js'

/** What the commands need from their REPL. */
export interface CommandsHost {
  readonly node: ReplNode
  readonly sink: OutputSink
  readonly catalog: Catalog
  readonly json: boolean
  /** The authors not shown (/ignore). */
  readonly ignore: IgnoreList
  readonly authors: Authors
  /** Reads the history log for /history; undefined when there is none (`historyOff`: turned off by --no-log). */
  readonly readHistory: HistoryReader | undefined
  readonly historyOff: boolean
  isQuitting(): boolean
  quit(): void
  /** --join's and /connect's: connects and says how it went. */
  connect(host: string, port: number): Promise<boolean>
  ownId(): string | undefined
  /** Runs `fn`, printing what it throws as an internal problem. */
  safely(fn: () => void): void
}

export class LineCommands {
  readonly #host: CommandsHost
  readonly #node: ReplNode
  readonly #sink: OutputSink
  readonly #catalog: Catalog
  readonly #ignore: IgnoreList

  constructor(host: CommandsHost) {
    this.#host = host
    this.#node = host.node
    this.#sink = host.sink
    this.#catalog = host.catalog
    this.#ignore = host.ignore
  }

  /** Handles one line. Never rejects: every failure becomes a printed, translated error. */
  async run(line: string): Promise<void> {
    if (this.#host.isQuitting()) return
    try {
      const command = parseLine(line)
      switch (command.kind) {
        case 'empty': {
          return
        }

        case 'message': {
          this.#send(command.text)
          return
        }

        case 'help': {
          if (command.topic === undefined || isCommandName(command.topic)) this.#sink.help(command.topic)
          else this.#sink.error('unknown_command', this.#catalog.unknownCommand(command.topic))
          return
        }

        case 'me': {
          this.#send(command.action, {action: true})
          return
        }

        case 'msg': {
          this.#sendDirect(command.target)
          return
        }

        case 'history': {
          await this.#history(command.count)
          return
        }

        case 'peers': {
          this.#sink.peers(this.#node.peers(), this.#node.cooldowns?.())
          return
        }

        case 'ignore': {
          if (command.who === undefined) this.#sink.ignoreList(this.#ignore.list(), this.#ignore.hidden)
          else this.#ignoreAuthor(command.who)
          return
        }

        case 'unignore': {
          this.#unignore(command.who)
          return
        }

        case 'retry': {
          const cleared =
            this.#node.clearCooldown?.(
              command.host === undefined ? undefined : {host: command.host, port: command.port!},
            ) ?? 0
          this.#sink.notice(cleared === 0 ? this.#catalog.retryNothing : this.#catalog.retryCleared(cleared))
          return
        }

        case 'who': {
          this.#sink.who(this.#node.roster())
          return
        }

        case 'quit': {
          // Queued before the goodbye: the node writes out what is queued before it tells peers `bye`.
          if (command.message !== undefined) this.#send(command.message)
          this.#host.quit()
          return
        }

        case 'connect': {
          await this.#host.connect(command.host, command.port)
          return
        }

        case 'usage': {
          const usage = {
            connect: this.#catalog.connectUsage,
            me: this.#catalog.meUsage,
            history: this.#catalog.historyUsage,
            msg: this.#catalog.msgUsage,
            retry: this.#catalog.retryUsage,
            unignore: this.#catalog.unignoreUsage,
          }
          this.#sink.error('usage', usage[command.command])
          return
        }

        case 'unknown': {
          this.#sink.error('unknown_command', this.#catalog.unknownCommand(command.name))
        }
      }
    } catch (error) {
      this.#host.safely(() => this.#sink.problem('internal', errorMessage(error)))
    }
  }

  async #history(count: number): Promise<void> {
    if (!this.#host.readHistory) {
      this.#sink.error(
        'history_unavailable',
        this.#host.historyOff ? this.#catalog.historyOff : this.#catalog.historyUnavailable,
      )
      return
    }

    let entries
    try {
      entries = await this.#host.readHistory(count)
    } catch (error) {
      this.#sink.error('history_failed', this.#catalog.historyFailed(errorMessage(error)))
      return
    }

    if (!this.#host.isQuitting())
      this.#sink.history(entries.filter((e) => e.fromId === undefined || !this.#ignore.has(e.fromId)).slice(-count))
  }

  #ignoreAuthor(who: string): void {
    const authors = this.#host.authors.known()
    const ids = resolveAuthor(who, authors)
    const describe = (id: string): string => `${sanitize(authors.get(id) ?? '?')} ${safeFingerprint(id)}`
    if (ids.length === 0) return this.#sink.error('unknown_author', this.#catalog.ignoreUnknown(sanitize(who)))
    if (ids.length > 1)
      return this.#sink.error(
        'ambiguous_author',
        this.#catalog.ignoreAmbiguous(
          sanitize(who),
          ids.map((id) => describe(id)),
        ),
      )
    const [id] = ids
    const name = authors.get(id) ?? who
    if (id === this.#host.ownId()) return this.#sink.error('ignore_self', this.#catalog.ignoreSelf)
    if (this.#ignore.has(id)) {
      this.#sink.notice(this.#catalog.ignoreAlready(name, safeFingerprint(id)))
    } else if (this.#ignore.add({id, name})) {
      this.#sink.notice(this.#catalog.ignoreAdded(name, safeFingerprint(id)))
    } else {
      return this.#sink.error('ignore_full', this.#catalog.ignoreFull(MAX_IGNORED))
    }

    if (this.#host.json) this.#sink.ignoreList(this.#ignore.list(), this.#ignore.hidden)
  }

  #unignore(who: string): void {
    const listed = new Map(this.#ignore.list().map((a) => [a.id, a.name]))
    const ids = resolveAuthor(who, listed)
    if (ids.length !== 1) {
      const error =
        ids.length === 0
          ? this.#catalog.ignoreNotListed(sanitize(who))
          : this.#catalog.ignoreAmbiguous(
              sanitize(who),
              ids.map((id) => `${sanitize(listed.get(id)!)} ${safeFingerprint(id)}`),
            )
      return this.#sink.error('not_ignored', error)
    }

    this.#ignore.remove(ids[0])
    this.#sink.notice(this.#catalog.ignoreRemoved(listed.get(ids[0])!, safeFingerprint(ids[0])))
    if (this.#host.json) this.#sink.ignoreList(this.#ignore.list(), this.#ignore.hidden)
  }

  /** Resolves the recipient among the nodes that announced a key (never a guess), then seals the text to it. */
  #sendDirect(target: MsgTarget): void {
    const known = this.#node.directory()
    const describe = (n: NodeInfo): string => sanitize(`${n.name} (${formatAddress(n)}) ${safeFingerprint(n.id)}`)
    const recipient = resolveRecipient(target, known)
    switch (recipient.kind) {
      case 'unknown': {
        this.#sink.error(
          'unknown_recipient',
          this.#catalog.msgUnknown(
            sanitize(recipient.name),
            known.map((n) => describe(n)),
          ),
        )
        return
      }

      case 'ambiguous': {
        const candidates = recipient.candidates.map((n) => describe(n))
        this.#sink.error('ambiguous_recipient', this.#catalog.msgAmbiguous(sanitize(recipient.name), candidates))
        return
      }

      case 'usage': {
        this.#sink.error('usage', this.#catalog.msgUsage)
        return
      }

      case 'found': {
        try {
          this.#sink.directSent(this.#node.sendDirect(recipient.node.id, recipient.text))
        } catch (error) {
          this.#sink.error('send_failed', this.#sendFailed(error))
        }
      }
    }
  }

  /** empty and too_long are whole sentences; any other refusal is "could not send: why". */
  #sendFailed(error: unknown): string {
    const reason = nodeErrorText(this.#catalog.engine, error)
    const code = chatNodeErrorDetail(error)?.code
    if (reason !== undefined && (code === 'empty' || code === 'too_long')) return reason
    return this.#catalog.sendFailed(reason ?? errorMessage(error))
  }

  #send(text: string, options: {action?: boolean} = {}): void {
    let message: ChatMessage
    try {
      message = this.#node.send(text, options)
    } catch (error) {
      this.#sink.error('send_failed', this.#sendFailed(error))
      return
    }

    this.#sink.sent(message)
  }
}
