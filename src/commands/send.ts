import {Args, Command, Flags} from '@oclif/core'

import {orFail} from '../cli/failure.js'
import {defaultName, hostFlag, joinFlag, langFlag, nameFlag, secretFlag} from '../cli/flags.js'
import {EXIT_NOT_DELIVERED, formatDelivery, sendOnce} from '../cli/send-session.js'
import {lastUsedName} from '../identity/last-name.js'
import {resolveLang} from '../repl/i18n.js'

export default class Send extends Command {
  static override summary = 'Send one message to a chat network and exit once a peer has it'
  // One paragraph per line: oclif wraps help text to the terminal's width.
  static override description = [
    'Starts a short-lived node on a free port, joins the given node(s), sends TEXT and waits until at least one peer has read it: after the message, each peer is pinged, and its answer comes after it handled every earlier frame on that ordered, authenticated connection. The peers relay it to the rest of the network as usual. Then it leaves and exits 0. For cron jobs, CI notifications and scripts.',
    `It exits ${EXIT_NOT_DELIVERED} with a one-line error when no peer could be reached or none confirmed in time, and 2 on bad input. The node uses a fresh identity that is not kept, unless --identity names a key file. Private rooms: --secret or CHAT_SECRET, as for "chat start".`,
  ].join('\n\n')
  static override examples = [
    '<%= config.bin %> <%= command.id %> --join 127.0.0.1:5000 --name ci "build 421 passed"',
    'CHAT_SECRET="$SECRET" <%= config.bin %> <%= command.id %> -j 10.0.0.5:5000 -j 10.0.0.6:5000 -n cron "backup done"',
    '<%= config.bin %> <%= command.id %> --join 127.0.0.1:5000 --json "hello"',
  ]
  static override args = {
    text: Args.string({description: 'the message', required: true}),
  }
  static override flags = {
    join: joinFlag({
      description: 'HOST:PORT of a node to send through (repeatable; one confirming peer is enough)',
      // One value per --join, so the message after it is not taken for a second address.
      multipleNonGreedy: true,
      required: true,
    }),
    name: nameFlag(
      'the name others see [default: the name last used with --identity, else by the latest "chat start", else your OS user name]',
    ),
    host: hostFlag('address this short-lived node listens on (and announces)'),
    secret: secretFlag(
      'room secret: a passphrase or an invite code from "chat room invite" (prefer the env var: flags show in the process list)',
    ),
    // No CHAT_IDENTITY here on purpose: that variable names a running node's key, and a sender with the same
    // identity would be refused by that node as itself.
    identity: Flags.file({
      description:
        'file holding the Ed25519 identity key to send as (created if missing) [default: a fresh key, not kept]',
    }),
    timeout: Flags.integer({
      default: 10,
      description: 'seconds to wait for a connection and for a confirmation',
      max: 300,
      min: 1,
    }),
    json: Flags.boolean({default: false, description: 'print the result as one JSON object ({"event":"delivered",…})'}),
    lang: langFlag('the result and errors'),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Send)
    const lang = resolveLang(flags.lang)
    const delivery = await orFail(
      this,
      sendOnce({
        text: args.text,
        name: flags.name ?? (await lastUsedName(this.config.configDir, flags.identity)) ?? defaultName(),
        host: flags.host,
        secret: flags.secret,
        identityFile: flags.identity,
        join: flags.join,
        timeoutSeconds: flags.timeout,
        lang,
      }),
    )
    this.log(formatDelivery(delivery, flags.json, lang))
  }
}
