// One `chat start` session: the identity, the room key, the node, the REPL, the history log, plugins and discovery,
// wired together, run until /quit or a signal, and shut down in order. The command only turns flags into
// `StartOptions`.

import type {Config} from '@oclif/core'

import {historyPath} from '../history/events.js'
import {HistoryLog} from '../history/history-log.js'
import {recordNodeEvents} from '../history/node-events.js'
import {readLastMessages} from '../history/reader.js'
import {loadOrCreateIdentity} from '../identity/identity-file.js'
import {ChatNode, type ChatNodeOptions} from '../p2p/node.js'
import {deriveRoomKey, passphraseWarning, type RoomKey} from '../p2p/room.js'
import type {Address} from '../p2p/types.js'
import {wirePluginHooks} from '../plugins/hooks.js'
import {catalogs, type Lang} from '../repl/i18n.js'
import {Repl} from '../repl/repl.js'
import {badInput} from './failure.js'

export interface StartOptions {
  /** The node's own options; its identity and room come from `identityFile` and `secret`. */
  node: Omit<ChatNodeOptions, 'identity' | 'room'>
  /** The room secret (passphrase or invite code); absent: the public room. */
  secret?: string
  /** The identity key file, created if missing. */
  identityFile: string
  /** Addresses to connect to once started. */
  join: Address[]
  /** The history file's directory; undefined: no history on disk (--no-log), /history says it is off. */
  logDir?: string
  /** Where typed lines are kept for recall across sessions (with a history only). */
  dataDir: string
  lang: Lang
  json: boolean
  color: boolean
  timestamps: boolean
  quiet: boolean
  /** The oclif config whose plugins' chat hooks run; undefined: none (--no-plugins). */
  plugins?: Config
  /** Find and announce nodes of the room on the LAN (mDNS). */
  discover: boolean
}

export class StartSession {
  readonly #options: StartOptions
  #shutdown: (() => Promise<void>) | undefined

  constructor(options: StartOptions) {
    this.#options = options
  }

  /**
   * Runs the session until /quit, the end of piped input, SIGINT or SIGTERM, then shuts it down. A setup failure
   * (secret, identity, node options, listening) rejects with a `CommandFailure` (exit 2).
   */
  async run(): Promise<void> {
    const options = this.#options
    const {node, room, warnings} = await createNode(options).catch((error: unknown) => {
      throw badInput(error)
    })

    const {logDir} = options
    const repl = new Repl({
      node,
      lang: options.lang,
      json: options.json,
      name: options.node.name,
      color: options.color,
      timestamps: options.timestamps,
      quiet: options.quiet,
      // --no-log: typed lines are recalled for this session only, and /history says the history is off.
      historyDir: logDir === undefined ? undefined : options.dataDir,
      readHistory: logDir === undefined ? undefined : (n) => readLastMessages(historyPath(logDir, node.info.port), n),
      historyOff: logDir === undefined,
    })
    try {
      await node.start()
    } catch (error) {
      repl.close()
      throw badInput(error)
    }

    for (const warning of warnings) repl.error('warning', `warning: ${warning}`)
    if (node.relayKey) repl.notice(catalogs[options.lang].relayRunning(node.relayKey))
    const history = logDir === undefined ? undefined : new HistoryLog({dir: logDir, port: node.info.port})
    if (history) {
      history.on('problem', (message) => repl.error('history', message))
      history.on('loose', ({path, was, now}) => repl.error('history_permissions', catalogs[options.lang].historyLoose(path, was, now)))
      recordNodeEvents(node, (event) => history.append(event))
      await history.open()
      history.append({event: 'session_start', node: node.info})
    }

    const unwirePlugins = options.plugins
      ? wirePluginHooks(options.plugins, node, (message) => repl.error('plugin', `warning: ${message}`))
      : undefined
    // Imported only when asked for: multicast-dns and its sockets cost memory and start-up time.
    const stopDiscovery = options.discover
      ? await (await import('../discovery/index.js')).discoverPeers(node, room.roomId, (message) => repl.error('discovery', `warning: ${message}`))
      : undefined
    let closing: Promise<void> | undefined
    this.#shutdown = () => {
      closing ??= (async () => {
        unwirePlugins?.()
        await stopDiscovery?.()
        repl.close()
        await node.stop()
        history?.append({event: 'session_end'})
        await history?.close()
      })()
      return closing
    }

    const signalled = untilSignal()
    await Promise.all(options.join.map((peer) => repl.connect(peer.host, peer.port)))
    repl.start()
    await Promise.race([repl.done, signalled])
    await this.#shutdown()
  }

  /** Shuts down what `run` started (plugins, discovery, REPL, node, history), once; nothing if it never started. */
  async close(): Promise<void> {
    await this.#shutdown?.()
  }
}

/** The room key, the identity and the node, with the warnings to show once the REPL is up (a weak passphrase, …). */
async function createNode(options: StartOptions): Promise<{node: ChatNode; room: RoomKey; warnings: string[]}> {
  const warnings: string[] = []
  const room = await deriveRoomKey(options.secret)
  const weak = options.secret === undefined ? undefined : passphraseWarning(options.secret)
  if (weak) warnings.push(weak)
  const loaded = await loadOrCreateIdentity(options.identityFile)
  if (loaded.warning) warnings.push(loaded.warning)
  const node = new ChatNode({...options.node, identity: loaded.identity, room})
  return {node, room, warnings}
}

/** Resolves on the first SIGINT or SIGTERM; a second Ctrl+C while shutting down leaves at once (exit 130). */
function untilSignal(): Promise<void> {
  return new Promise<void>((resolve) => {
    const onSignal = (): void => {
      process.once('SIGINT', () => process.exit(130))
      resolve()
    }

    process.once('SIGINT', onSignal)
    process.once('SIGTERM', onSignal)
  })
}
