import {Command, Flags} from '@oclif/core'

import {orFail} from '../cli/failure.js'
import {
  defaultName,
  hostFlag,
  joinFlag,
  langFlag,
  limitFlags,
  meshFlags,
  nameFlag,
  nodeLimits,
  secretFlag,
  swarmFlags,
  swarmOptions,
} from '../cli/flags.js'
import {StartSession} from '../cli/start-session.js'
import {tailSocketDir} from '../history/tail-socket.js'
import {defaultIdentityPath} from '../identity/identity-file.js'
import {DEFAULT_PORT} from '../p2p/node.js'
import {resolveLang} from '../repl/i18n.js'
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
    host: hostFlag('address to listen on (and to announce to peers)'),
    port: Flags.integer({
      char: 'p',
      default: DEFAULT_PORT,
      description: 'TCP port to listen on (1-65535)',
      env: 'CHAT_PORT',
      max: 65_535,
      min: 1,
    }),
    name: nameFlag('your name as others see it [default: your OS user name]'),
    join: joinFlag({description: 'HOST:PORT of a node to connect to at start (repeatable)'}),
    'log-dir': Flags.directory({
      description: 'directory of the history file [default: the working directory]',
      env: 'CHAT_LOG_DIR',
    }),
    log: Flags.boolean({
      allowNo: true,
      default: true,
      description:
        'keep the history file and the typed-line recall file (--no-log, or CHAT_LOG=0: nothing is written to disk; /history is off)',
      env: 'CHAT_LOG',
    }),
    lang: langFlag('the interface'),
    json: Flags.boolean({
      description: 'print one JSON event per line (NDJSON) instead of the human interface',
      default: false,
    }),
    color: Flags.boolean({
      allowNo: true,
      description: 'colour the output [default: on for a terminal, off with NO_COLOR]',
    }),
    timestamps: Flags.boolean({
      default: false,
      description: 'prefix messages, joins and leaves with the local time (HH:MM)',
    }),
    quiet: Flags.boolean({
      char: 'q',
      default: false,
      description: 'no terminal bell when a message mentions you (@name)',
    }),
    secret: secretFlag(
      'room secret: a passphrase or an invite code from "chat room invite"; only nodes with the same secret can connect (prefer the env var: flags show in the process list)',
    ),
    // Their defaults are the engine's constants (src/cli/flags.ts).
    ...meshFlags,
    ...limitFlags,
    discover: Flags.boolean({
      default: false,
      description:
        'find nodes of the same room on the local network (mDNS) and join them; announces this node (listen on a LAN address or 0.0.0.0 to be found)',
      env: 'CHAT_DISCOVER',
    }),
    ...swarmFlags,
    plugins: Flags.boolean({
      allowNo: true,
      default: true,
      description: 'run the chat hooks of installed plugins (--no-plugins: none)',
      env: 'CHAT_PLUGINS',
    }),
    identity: Flags.file({
      description:
        "file holding this node's Ed25519 identity key (created if missing) [default: <config-dir>/identities/node-<port>.pem]",
      env: 'CHAT_IDENTITY',
    }),
  }
  #session: StartSession | undefined

  async run(): Promise<void> {
    const {flags} = await this.parse(Start)
    if (!flags.swarm && (flags.bootstrap || flags['relay-through'] || flags.relay)) {
      this.error('--bootstrap, --relay-through and --relay are options of the swarm: add --swarm (or CHAT_SWARM=1)', {
        exit: 2,
      })
    }

    this.#session = new StartSession({
      node: {
        name: flags.name ?? defaultName(),
        host: flags.host,
        port: flags.port,
        ...nodeLimits(flags),
        swarm: swarmOptions(flags),
      },
      secret: flags.secret,
      identityFile: flags.identity ?? defaultIdentityPath(this.config.configDir, flags.port),
      join: flags.join ?? [],
      logDir: flags.log ? (flags['log-dir'] ?? process.cwd()) : undefined,
      dataDir: this.config.dataDir,
      runtimeDir: tailSocketDir(this.config.dataDir),
      lang: resolveLang(flags.lang),
      json: flags.json,
      color: resolveColor({flag: flags.color, isTTY: process.stdout.isTTY}),
      timestamps: flags.timestamps,
      quiet: flags.quiet,
      plugins: flags.plugins ? this.config : undefined,
      discover: flags.discover,
    })
    await orFail(this, this.#session.run())
  }

  protected override async finally(error: Error | undefined): Promise<void> {
    await this.#session?.close()
    return super.finally(error)
  }
}
