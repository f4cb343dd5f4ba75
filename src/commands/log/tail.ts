import {Command, Flags} from '@oclif/core'

import {langFlag} from '../../cli/flags.js'
import {historyPath} from '../../history/events.js'
import {tailSocketDir, tailSocketPath} from '../../history/tail-socket.js'
import {DEFAULT_TAIL_LINES, HistoryNotFoundError, HistoryReadError, tailHistory} from '../../history/tail.js'
import {guardPipe} from '../../io/broken-pipe.js'
import {catalogs, resolveLang} from '../../repl/i18n.js'

export default class LogTail extends Command {
  static override summary = "Print the latest events of a node's chat history"
  // One paragraph per line: oclif wraps help text to the terminal's width.
  static override description = [
    'Reads <log-dir>/chat_history_<port>.log, the history kept by the node listening on that port, and prints its last events one per line. Works whether or not the node is running.',
    'With --follow, keeps printing new events as they are written, until Ctrl+C; a history that does not exist yet is waited for (like tail -F). With --json, prints the raw JSON lines instead, for scripts.',
  ].join('\n\n')
  static override examples = [
    '<%= config.bin %> <%= command.id %> --port 5000',
    '<%= config.bin %> <%= command.id %> --port 5000 -n 100 --log-dir ./logs',
    '<%= config.bin %> <%= command.id %> --port 5000 --follow',
    '<%= config.bin %> <%= command.id %> --port 5000 --json -n 0 -f',
    '<%= config.bin %> <%= command.id %> --port 5000 --lang pt',
  ]
  static override flags = {
    port: Flags.integer({
      char: 'p',
      description: 'port of the node whose history to read (1-65535)',
      max: 65_535,
      min: 1,
      required: true,
    }),
    'log-dir': Flags.directory({
      description: 'directory of the history file [default: the working directory]',
      env: 'CHAT_LOG_DIR',
    }),
    lines: Flags.integer({
      char: 'n',
      default: DEFAULT_TAIL_LINES,
      description: 'how many of the last events to print',
      min: 0,
    }),
    follow: Flags.boolean({char: 'f', default: false, description: 'keep printing new events until interrupted'}),
    json: Flags.boolean({default: false, description: 'print the raw JSON lines instead of readable ones'}),
    lang: langFlag('the readable lines'),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(LogTail)
    guardPipe(process.stdout)
    const controller = new AbortController()
    const stop = (): void => controller.abort()
    // SIGINT/SIGTERM end a --follow normally (exit 0); any stdout error (EPIPE) stops us quietly.
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
    process.stdout.once('error', stop)
    const texts = catalogs[resolveLang(flags.lang)].log
    try {
      await tailHistory({
        dir: flags['log-dir'] ?? process.cwd(),
        port: flags.port,
        lines: flags.lines,
        follow: flags.follow,
        json: flags.json,
        texts,
        out: process.stdout,
        // stderr, so a pipe reading the events gets only events
        onWaiting: () =>
          process.stderr.write(`${texts.waiting(historyPath(flags['log-dir'] ?? process.cwd(), flags.port))}\n`),
        signal: controller.signal,
        // While a node runs on that port, its log process answers (late messages included, as they are reconciled).
        socket: tailSocketPath(tailSocketDir(this.config.dataDir), flags.port),
      })
    } catch (error) {
      if (error instanceof HistoryNotFoundError)
        this.error(texts.notFound(error.port, error.dir, error.path), {exit: 2})
      if (error instanceof HistoryReadError) this.error(error.message, {exit: 1})
      throw error
    } finally {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      process.stdout.off('error', stop)
    }
  }
}
