// `chat bot status`: a command contributed by this plugin. Most plugins extend `Command` from @oclif/core; this one
// has no dependencies at all (so `chat plugins link` needs no install), and oclif accepts any class with a static
// `run(argv, config)` and the static fields that describe it.
import {readStats, statsFile, TRIGGER, ANSWER} from '../../lib/stats.js'

export default class BotStatus {
  static description = `Show what the echo bot does and how often it answered.

The bot runs inside "chat start" (as a chat:message hook): it answers "${TRIGGER}" with "${ANSWER}".`

  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']

  static flags = {
    json: {allowNo: false, description: 'print the status as one JSON object', name: 'json', type: 'boolean'},
  }

  static args = {}

  static async run(argv, config) {
    const unknown = argv.filter((arg) => arg !== '--json')
    if (unknown.length > 0) {
      process.stderr.write(`Error: unexpected argument: ${unknown[0]}\nSee more help with --help\n`)
      process.exitCode = 2
      return
    }

    const stats = await readStats(config.dataDir)
    const status = {plugin: 'chat-plugin-echo-bot', trigger: TRIGGER, answer: ANSWER, answered: stats.answered, lastAnsweredAt: stats.lastAnsweredAt ?? null, statsFile: statsFile(config.dataDir)}
    if (argv.includes('--json')) {
      process.stdout.write(JSON.stringify(status) + '\n')
      return
    }

    const last = stats.lastAnsweredAt ? `, last at ${stats.lastAnsweredAt}` : ''
    process.stdout.write(`echo bot: answers "${TRIGGER}" with "${ANSWER}"; answered ${stats.answered} time${stats.answered === 1 ? '' : 's'}${last}\n`)
  }
}
