// One `chat start` session: the identity, the room key, the node, the REPL, the history log, plugins and discovery,
// wired together, run until /quit or a signal, and shut down in order. The command only turns flags into
// `StartOptions`.

import type {Config} from '@oclif/core'

import {stat} from 'node:fs/promises'

import type {Address} from '../p2p/types.js'

import {historyPath} from '../history/events.js'
import {HistoryLog} from '../history/history-log.js'
import {recordNodeEvents} from '../history/node-events.js'
import {readLastMessages} from '../history/reader.js'
import {readStoredFrames} from '../history/store-reader.js'
import {tailSocketPath} from '../history/tail-socket.js'
import {addressBookPath, keepAddressBook, loadAddressBook} from '../identity/address-book-file.js'
import {loadOrCreateIdentity} from '../identity/identity-file.js'
import {saveLastName} from '../identity/last-name.js'
import {ChatNode, type ChatNodeOptions, DEFAULT_PORT} from '../p2p/node.js'
import {deriveRoomKey, passphraseWeakness, type RoomKey} from '../p2p/room.js'
import {DEFAULT_MAX_STORED, DEFAULT_RETENTION_MS} from '../p2p/sync/store.js'
import {wirePluginHooks} from '../plugins/hooks.js'
import {nodeErrorText, roomSecretText, weakPassphraseText} from '../repl/engine-text.js'
import {type CliTexts, discoveryProblemText, historyProblemText, pluginProblemText} from '../repl/i18n-cli.js'
import {type Catalog, catalogs, type Lang} from '../repl/i18n.js'
import {IgnoreList, ignoreListPath, type IgnoreProblem} from '../repl/ignore-list.js'
import {Repl} from '../repl/repl.js'
import {badInput, CommandFailure, EXIT_BAD_INPUT} from './failure.js'

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
  /** Where the log process's socket for `chat log tail` goes (XDG_RUNTIME_DIR, else the data directory). */
  runtimeDir: string
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
    const catalog = catalogs[options.lang]
    // Setup failures are bad input (exit 2), said in the reader's language when the catalogue has words for them.
    const refused = (error: unknown): CommandFailure =>
      badInput(error, roomSecretText(catalog.engine, error) ?? nodeErrorText(catalog.engine, error))
    // A history that cannot be written is an input error caught at start, not a warning once chatting.
    const logDirProblem = options.logDir === undefined ? undefined : await checkLogDir(options.logDir, catalog.cli)
    if (logDirProblem) throw new CommandFailure(logDirProblem, EXIT_BAD_INPUT)
    const {node, room, warnings} = await createNode(options, catalog).catch((error: unknown) => {
      throw refused(error)
    })

    const {logDir} = options
    // Beside the identity: whom this identity ignores survives a restart, and another identity has its own list.
    // Problems with the file are held until the REPL can show them.
    const ignoreProblems: IgnoreProblem[] = []
    let reportIgnoreProblem = (problem: IgnoreProblem): void => {
      ignoreProblems.push(problem)
    }

    const ignore = new IgnoreList({
      path: ignoreListPath(options.identityFile),
      onProblem: (problem) => reportIgnoreProblem(problem),
    })
    const ignored = (id: string): boolean => ignore.has(id)
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
      ignore,
    })
    reportIgnoreProblem = ({kind, path, reason}) =>
      repl.error('ignore_list', catalog.ignoreFileFailed(catalog.cli.ignoreFile(kind, path, reason)))
    try {
      await node.start()
    } catch (error) {
      repl.close()
      throw refused(error)
    }

    // `chat send` speaks under this name by default (a cron job's OS user is often root).
    await saveLastName(options.identityFile, node.name).catch((error: unknown) => {
      warnings.push(catalog.cli.nameNotKept((error as Error).message))
    })
    for (const warning of warnings) repl.error('warning', catalog.warning(warning))
    for (const problem of ignoreProblems) reportIgnoreProblem(problem)
    if (node.relayKey) repl.notice(catalog.relayRunning(node.relayKey))
    const tailSocket = tailSocketPath(options.runtimeDir, node.info.port)
    const history = logDir === undefined ? undefined : new HistoryLog({dir: logDir, port: node.info.port, tailSocket})
    if (history) {
      history.on('problem', (_message, _code, detail) =>
        repl.error('history', catalog.warning(historyProblemText(catalog.cli, detail))),
      )
      history.on('loose', ({path, was, now}) => repl.error('history_permissions', catalog.historyLoose(path, was, now)))
      // session_start is seq 1 whatever happens while the writer starts: the node is already listening, and a peer's
      // message stored during open() would otherwise come first (it is queued like any event until the writer is up).
      history.append({event: 'session_start', node: node.info})
      recordNodeEvents(node, (event) => history.append(event), ignored)
      await history.open()
    }

    // The address book is kept with the identity, like the history only when a history is kept (not with --no-log).
    const saveAddressBook =
      logDir === undefined
        ? undefined
        : keepAddressBook(
            () => node.addressBook(),
            addressBookPath(options.identityFile),
            (path, reason) => repl.error('address_book', catalog.warning(catalog.cli.addressBookUnsaved(path, reason))),
          )
    const unwirePlugins = options.plugins
      ? wirePluginHooks(
          options.plugins,
          node,
          (_message, problem) => repl.error('plugin', catalog.warning(pluginProblemText(catalog.cli, problem))),
          {ignored},
        )
      : undefined
    // Imported only when asked for: multicast-dns and its sockets cost memory and start-up time.
    const stopDiscovery = options.discover
      ? await (
          await import('../discovery/index.js')
        ).discoverPeers(node, room.roomId, (_message, problem) =>
          repl.error('discovery', catalog.warning(discoveryProblemText(catalog.cli, catalog.engine, problem))),
        )
      : undefined
    let closing: Promise<void> | undefined
    this.#shutdown = () => {
      closing ??= (async () => {
        unwirePlugins?.()
        await stopDiscovery?.()
        repl.close()
        await node.stop()
        await saveAddressBook?.()
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
async function createNode(
  options: StartOptions,
  catalog: Catalog,
): Promise<{node: ChatNode; room: RoomKey; warnings: string[]}> {
  const storeWarnings: string[] = []
  // Independent file reads and key derivation, overlapped: each waits on the disk or the thread pool, and a plain
  // start is ready sooner (docs/performance.md). The first failure in this order is the one reported.
  const [room, loaded, restored] = await settleInOrder([
    deriveRoomKey(options.secret),
    loadOrCreateIdentity(options.identityFile),
    restoredState(options, catalog, storeWarnings),
  ] as const)
  const warnings: string[] = []
  const weak = options.secret === undefined ? undefined : passphraseWeakness(options.secret)
  if (weak) warnings.push(weakPassphraseText(catalog.engine, weak))
  if (loaded.warning)
    warnings.push(
      loaded.looseMode === undefined ? loaded.warning : catalog.identityLoose(options.identityFile, loaded.looseMode),
    )
  warnings.push(...storeWarnings)
  const node = new ChatNode({...options.node, identity: loaded.identity, room, ...restored})
  return {node, room, warnings}
}

/** Waits for every promise (none is left running), then rejects with the first failure in array order, if any. */
async function settleInOrder<T extends readonly unknown[]>(work: {[K in keyof T]: Promise<T[K]>}): Promise<T> {
  const settled = await Promise.allSettled(work)
  const failed = settled.find((result) => result.status === 'rejected')
  if (failed) throw failed.reason
  return settled.map((result) => (result as PromiseFulfilledResult<unknown>).value) as unknown as T
}

/** Why `dir` cannot hold the history (a file, or under one), or undefined: it is a directory or can be created. */
async function checkLogDir(dir: string, texts: CliTexts): Promise<string | undefined> {
  try {
    if (!(await stat(dir)).isDirectory()) return texts.logDirIsFile(dir)
  } catch (error) {
    const {code} = error as NodeJS.ErrnoException
    if (code === 'ENOTDIR') return texts.logDirUnderFile(dir)
  }

  return undefined
}

/**
 * What an earlier run on this port kept: the message store (from the history file) and the address book (beside the
 * identity). Nothing with --no-log: the store then lives in memory for this run only.
 */
async function restoredState(
  options: StartOptions,
  catalog: Catalog,
  warnings: string[],
): Promise<Partial<ChatNodeOptions>> {
  const {logDir} = options
  if (logDir === undefined) return {}
  const retentionMs = options.node.store?.retentionMs ?? DEFAULT_RETENTION_MS
  const path = historyPath(logDir, options.node.port ?? DEFAULT_PORT)
  const stored = await readStoredFrames(path, {
    maxFrames: options.node.store?.maxMessages ?? DEFAULT_MAX_STORED,
    sinceMs: Date.now() - retentionMs,
  }).catch((error: NodeJS.ErrnoException) => {
    // A history path that is a directory is reported once, by the history writer ("cannot write history").
    if (error.code !== 'EISDIR') warnings.push(catalog.cli.storeUnreadable(path, error.message))
    return {frames: [], memberSince: undefined}
  })
  return {
    storedFrames: stored.frames,
    memberSince: stored.memberSince,
    addressBook: await loadAddressBook(addressBookPath(options.identityFile)),
  }
}

/** Resolves on the first SIGINT or SIGTERM; a second Ctrl+C while shutting down leaves at once (exit 130). */
function untilSignal(): Promise<void> {
  return new Promise<void>((resolve) => {
    const onSignal = (): void => {
      // eslint-disable-next-line n/no-process-exit -- a second Ctrl+C means leave now, without waiting for shutdown
      process.once('SIGINT', () => process.exit(130))
      resolve()
    }

    process.once('SIGINT', onSignal)
    process.once('SIGTERM', onSignal)
  })
}
