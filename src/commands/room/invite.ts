import {Command, Flags} from '@oclif/core'

import {langFlag} from '../../cli/flags.js'
import {guardPipe} from '../../io/broken-pipe.js'
import {newInviteCode} from '../../p2p/room.js'
import {catalogs, resolveLang} from '../../repl/i18n.js'

export default class RoomInvite extends Command {
  static override summary = 'Print a new random invite code for a private room'
  // One paragraph per line: oclif wraps help text to the terminal's width.
  static override description = [
    'Prints a fresh invite code (256 random bits) on stdout; every node started with it as its secret joins the same private room. Anyone who has the code can join, so share it only with the room, over a private channel.',
    'An invite code is safer than a passphrase: a passphrase can be guessed offline by anyone who records one handshake, a random code cannot. A hint on how to use it goes to stderr, so "$(chat room invite)" captures just the code. With --json, prints {"invite":"…"} and no hint.',
  ].join('\n\n')
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    'export CHAT_SECRET="$(<%= config.bin %> <%= command.id %>)"',
    '<%= config.bin %> <%= command.id %> --json',
  ]
  static override flags = {
    json: Flags.boolean({default: false, description: 'print {"invite":"…"} as one JSON line, without the hint'}),
    lang: langFlag('the hint'),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(RoomInvite)
    guardPipe(process.stdout)
    const code = newInviteCode()
    if (flags.json) {
      this.log(JSON.stringify({invite: code}))
      return
    }

    this.log(code)
    this.logToStderr(catalogs[resolveLang(flags.lang)].cli.inviteHint(code, this.config.bin))
  }
}
