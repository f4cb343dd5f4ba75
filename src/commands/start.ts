import {Command, Flags} from '@oclif/core'
import {userInfo} from 'node:os'

import {HistoryLog} from '../history/history-log.js'
import {historyPath} from '../history/events.js'
import {readLastMessages} from '../history/reader.js'
import {defaultIdentityPath, loadOrCreateIdentity} from '../identity/identity-file.js'
import {explainBadAddress, parseAddress} from '../p2p/address.js'
import {ChatNode, DEFAULT_HOST, DEFAULT_PORT} from '../p2p/node.js'
import {deriveRoomKey, passphraseWeakness, type RoomKey} from '../p2p/room.js'
import type {Address} from '../p2p/types.js'
import {wirePluginHooks} from '../plugins/hooks.js'
import {nodeErrorText, roomSecretText, weakPassphraseText} from '../repl/engine-text.js'
import {catalogs, resolveLang} from '../repl/i18n.js'
import {Repl} from '../repl/repl.js'
import {resolveColor} from '../repl/style.js'

export default class Start extends Command {
  static override summary = 'Start a chat node: listen for peers, join others and chat from this terminal'

  // One paragraph per line: oclif wraps help text to the terminal's width.
  static override description = [
    'Every line you type is sent to every node of the network; lines starting with / are commands (/help lists them). With --json, stdout carries one JSON event per line instead, for bots and scripts. The node keeps a history in <log-dir>/chat_history_<port>.log (see "chat log tail"), readable by you only: it holds your direct messages in plain text (--no-log: no history on disk). /quit, Ctrl+C or SIGTERM leave gracefully.',
    'Every connection is encrypted and authenticated (Noise XXpsk0). Nodes started with the same --secret form a private room; nodes without one share the public room. Each node signs its messages with its identity key, kept in <config-dir>/identities/node-<port>.pem unless --identity says otherwise.',
  ].join('\n\n')

  static override examples = [
    '<%= config.bin %> <%= command.id %> --port 5000 --name Julia',
    '<%= config.bin %> <%= command.id %> --port 5001 --name Pedro --join 127.0.0.1:5000',
    '<%= config.bin %> <%= command.id %> --port 5002 --name Ana --join 127.0.0.1:5000 --join 127.0.0.1:5001 --lang pt',
    'CHAT_SECRET="$(<%= config.bin %> room invite)" <%= config.bin %> <%= command.id %> --port 5004 --name Julia',
    'echo "hello from a script" | <%= config.bin %> <%= command.id %> --port 5003 --name bot --join 127.0.0.1:5000 --json',
  ]

  static override flags = {
    host: Flags.string({default: DEFAULT_HOST, description: 'address to listen on (and to announce to peers)', env: 'CHAT_HOST'}),
    port: Flags.integer({
      char: 'p',
      default: DEFAULT_PORT,
      description: 'TCP port to listen on (1-65535)',
      env: 'CHAT_PORT',
      max: 65_535,
      min: 1,
    }),
    name: Flags.string({char: 'n', description: 'your name as others see it [default: your OS user name]', env: 'CHAT_NAME'}),
    join: Flags.custom<Address>({
      char: 'j',
      description: 'HOST:PORT of a node to connect to at start (repeatable)',
      multiple: true,
      async parse(input) {
        const address = parseAddress(input.trim())
        if (!address) throw new Error(explainBadAddress(input))
        return address
      },
    })(),
    'log-dir': Flags.directory({description: 'directory of the history file [default: the working directory]', env: 'CHAT_LOG_DIR'}),
    log: Flags.boolean({
      allowNo: true,
      default: true,
      description: 'keep the history file and the typed-line recall file (--no-log, or CHAT_LOG=0: nothing is written to disk; /history is off)',
      env: 'CHAT_LOG',
    }),
    lang: Flags.string({description: 'language of the interface [default: from LANG]', options: ['pt', 'en']}),
    json: Flags.boolean({description: 'print one JSON event per line (NDJSON) instead of the human interface', default: false}),
    color: Flags.boolean({allowNo: true, description: 'colour the output [default: on for a terminal, off with NO_COLOR]'}),
    timestamps: Flags.boolean({default: false, description: 'prefix messages, joins and leaves with the local time (HH:MM)'}),
    quiet: Flags.boolean({char: 'q', default: false, description: 'no terminal bell when a message mentions you (@name)'}),
    secret: Flags.string({
      description: 'room secret: a passphrase or an invite code from "chat room invite"; only nodes with the same secret can connect (prefer the env var: flags show in the process list)',
      env: 'CHAT_SECRET',
    }),
    degree: Flags.integer({
      default: 4,
      description: 'how many peers to keep connected: the node dials peers it learns of until it has this many (0: only --join and /connect)',
      max: 64,
      min: 0,
    }),
    history: Flags.integer({
      default: 50,
      description: 'recent messages to receive from the first peer when joining, and to keep for newcomers (0: off)',
      max: 200,
      min: 0,
    }),
    'max-peers': Flags.integer({default: 32, description: 'most connections this node accepts', max: 1024, min: 1, helpGroup: 'LIMITS'}),
    'max-pending': Flags.integer({
      default: 10,
      description: 'most connections still in their handshake at once; more are refused at once',
      helpGroup: 'LIMITS',
      max: 1024,
      min: 1,
    }),
    'conn-rate': Flags.integer({
      default: 5,
      description: 'new inbound connections per second from one IP address (0: unlimited; loopback is exempt)',
      helpGroup: 'LIMITS',
      min: 0,
    }),
    'author-rate': Flags.integer({
      default: 100,
      description: 'messages per second relayed from one author (bursts of 5x pass); more are dropped',
      helpGroup: 'LIMITS',
      min: 1,
    }),
    'hop-rate': Flags.integer({
      default: 2000,
      description: 'frames per second accepted from one connection (bursts of 2x pass); a peer above it is disconnected',
      helpGroup: 'LIMITS',
      min: 1,
    }),
    discover: Flags.boolean({
      default: false,
      description: 'find nodes of the same room on the local network (mDNS) and join them; announces this node (listen on a LAN address or 0.0.0.0 to be found)',
      env: 'CHAT_DISCOVER',
    }),
    plugins: Flags.boolean({allowNo: true, default: true, description: 'run the chat hooks of installed plugins (--no-plugins: none)', env: 'CHAT_PLUGINS'}),
    identity: Flags.file({description: 'file holding this node\'s Ed25519 identity key (created if missing) [default: <config-dir>/identities/node-<port>.pem]', env: 'CHAT_IDENTITY'}),
  }

  #shutdown: (() => Promise<void>) | undefined

  async run(): Promise<void> {
    const {flags} = await this.parse(Start)
    const lang = resolveLang(flags.lang)
    const catalog = catalogs[lang]
    const name = flags.name ?? defaultName()
    let node: ChatNode
    let room: RoomKey
    const warnings: string[] = []
    try {
      room = await deriveRoomKey(flags.secret)
      const weak = flags.secret === undefined ? undefined : passphraseWeakness(flags.secret)
      if (weak) warnings.push(weakPassphraseText(catalog.engine, weak))
      const identityFile = flags.identity ?? defaultIdentityPath(this.config.configDir, flags.port)
      const loaded = await loadOrCreateIdentity(identityFile)
      if (loaded.warning) warnings.push(loaded.looseMode === undefined ? loaded.warning : catalog.identityLoose(identityFile, loaded.looseMode))
      node = new ChatNode({
        name,
        host: flags.host,
        port: flags.port,
        identity: loaded.identity,
        room,
        degree: flags.degree,
        history: flags.history,
        maxPeers: flags['max-peers'],
        maxPendingConnections: flags['max-pending'],
        inboundRatePerIp: flags['conn-rate'],
        authorRate: {perSecond: flags['author-rate'], burst: 5 * flags['author-rate']},
        connection: {framesPerSecond: flags['hop-rate'], frameBurst: 2 * flags['hop-rate']},
      })
    } catch (error) {
      this.error(roomSecretText(catalog.engine, error) ?? nodeErrorText(catalog.engine, error) ?? (error as Error).message, {exit: 2})
    }

    const logDir = flags['log-dir'] ?? process.cwd()
    const repl = new Repl({
      node,
      lang,
      json: flags.json,
      name,
      color: resolveColor({flag: flags.color, isTTY: process.stdout.isTTY}),
      timestamps: flags.timestamps,
      quiet: flags.quiet,
      // --no-log: typed lines are recalled for this session only, and /history says the history is off.
      historyDir: flags.log ? this.config.dataDir : undefined,
      readHistory: flags.log ? (n) => readLastMessages(historyPath(logDir, node.info.port), n) : undefined,
      historyOff: !flags.log,
    })
    try {
      await node.start()
    } catch (error) {
      repl.close()
      this.error(nodeErrorText(catalog.engine, error) ?? (error as Error).message, {exit: 2})
    }

    for (const warning of warnings) repl.error('warning', catalog.warning(warning))
    const history = flags.log ? new HistoryLog({dir: logDir, port: node.info.port}) : undefined
    if (history) {
      history.on('problem', (message) => repl.error('history', message))
      history.on('loose', ({path, was, now}) => repl.error('history_permissions', catalog.historyLoose(path, was, now)))
      wireHistory(node, history)
      await history.open()
      history.append({event: 'session_start', node: node.info})
    }

    const unwirePlugins = flags.plugins ? wirePluginHooks(this.config, node, (message) => repl.error('plugin', catalog.warning(message))) : undefined
    // Imported only when asked for: multicast-dns and its sockets cost memory and start-up time.
    const stopDiscovery = flags.discover
      ? await (await import('../discovery/index.js')).discoverPeers(node, room.roomId, (message) => repl.error('discovery', catalog.warning(message)))
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

    const signalled = new Promise<void>((resolve) => {
      const onSignal = (): void => {
        // A second Ctrl+C while shutting down leaves at once.
        process.once('SIGINT', () => process.exit(130))
        resolve()
      }

      process.once('SIGINT', onSignal)
      process.once('SIGTERM', onSignal)
    })

    await Promise.all((flags.join ?? []).map((peer) => repl.connect(peer.host, peer.port)))
    repl.start()
    await Promise.race([repl.done, signalled])
    await this.#shutdown()
  }

  protected override async finally(error: Error | undefined): Promise<void> {
    await this.#shutdown?.()
    return super.finally(error)
  }
}

function wireHistory(node: ChatNode, history: HistoryLog): void {
  node.on('sent', (m) => {
    history.append({event: 'message_sent', id: m.id, text: m.text, ...(m.action ? {kind: 'action', name: m.from.name} : {})})
  })
  node.on('message', (m) => {
    const extra = {...(m.history ? {history: true} : {}), ...(m.action ? {kind: 'action' as const} : {})}
    history.append({event: 'message_received', id: m.id, from: m.from, text: m.text, sent_ts: m.ts, ...extra})
  })
  node.on('direct_sent', (m) => history.append({event: 'dm_sent', id: m.id, to: m.to, text: m.text}))
  node.on('direct', (m) => history.append({event: 'dm_received', id: m.id, from: m.from, text: m.text, sent_ts: m.ts}))
  node.on('peer_joined', (p) => history.append({event: 'peer_connected', peer: {id: p.id, name: p.name, host: p.host, port: p.port}}))
  node.on('peer_left', (p) => {
    history.append({event: 'peer_disconnected', peer: {id: p.id, name: p.name, host: p.host, port: p.port}, reason: p.reason})
  })
}

function defaultName(): string {
  try {
    return userInfo().username || 'anonymous'
  } catch {
    return process.env.USER ?? 'anonymous'
  }
}
