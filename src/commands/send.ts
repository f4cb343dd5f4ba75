import {Args, Command, Flags} from '@oclif/core'
import {userInfo} from 'node:os'

import {loadOrCreateIdentity} from '../identity/identity-file.js'
import {explainBadAddress, parseAddress} from '../p2p/address.js'
import {ChatNode, DEFAULT_HOST} from '../p2p/node.js'
import {deriveRoomKey} from '../p2p/room.js'
import type {Address, ChatMessage, PeerSummary} from '../p2p/types.js'

/** Exit code when the message could not be delivered (bad input exits 2, like every chat command). */
export const EXIT_NOT_DELIVERED = 1


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
    join: Flags.custom<Address>({
      char: 'j',
      description: 'HOST:PORT of a node to send through (repeatable; one confirming peer is enough)',
      multiple: true,
      // One value per --join, so the message after it is not taken for a second address.
      multipleNonGreedy: true,
      required: true,
      async parse(input) {
        const address = parseAddress(input.trim())
        if (!address) throw new Error(explainBadAddress(input))
        return address
      },
    })(),
    name: Flags.string({char: 'n', description: 'the name others see [default: your OS user name]', env: 'CHAT_NAME'}),
    host: Flags.string({default: DEFAULT_HOST, description: 'address this short-lived node listens on (and announces)', env: 'CHAT_HOST'}),
    secret: Flags.string({
      description: 'room secret: a passphrase or an invite code from "chat room invite" (prefer the env var: flags show in the process list)',
      env: 'CHAT_SECRET',
    }),
    // No CHAT_IDENTITY here on purpose: that variable names a running node's key, and a sender with the same
    // identity would be refused by that node as itself.
    identity: Flags.file({description: 'file holding the Ed25519 identity key to send as (created if missing) [default: a fresh key, not kept]'}),
    timeout: Flags.integer({default: 10, description: 'seconds to wait for a connection and for a confirmation', max: 300, min: 1}),
    json: Flags.boolean({default: false, description: 'print the result as one JSON object ({"event":"delivered",…})'}),
  }

  #node: ChatNode | undefined

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Send)
    const timeoutMs = flags.timeout * 1000
    let node: ChatNode
    try {
      const room = await deriveRoomKey(flags.secret)
      const identity = flags.identity === undefined ? undefined : (await loadOrCreateIdentity(flags.identity)).identity
      // A node for one message: no dialling of peers it hears of, no history asked for, nothing redialled.
      node = new ChatNode({name: flags.name ?? defaultName(), host: flags.host, port: 0, identity, room, degree: 0, history: 0})
      this.#node = node
      await node.start()
    } catch (error) {
      this.error((error as Error).message, {exit: 2})
    }

    const joins = dedupe(flags.join)
    const results = await withDeadline(
      Promise.allSettled(joins.map((peer) => node.connect(peer.host, peer.port, {persistent: false}))),
      timeoutMs,
    )
    const reached = (results ?? []).filter((r) => r.status === 'fulfilled')
    if (reached.length === 0) {
      const why = results === undefined
        ? joins.map((peer) => `${peer.host}:${peer.port}: no answer within ${flags.timeout} s`)
        : results.map((r) => (r.status === 'rejected' ? (r.reason as Error).message : ''))
      this.error(`could not reach any peer, the message was not sent: ${why.join('; ')}`, {exit: EXIT_NOT_DELIVERED})
    }

    let message: ChatMessage
    try {
      message = node.send(args.text)
    } catch (error) {
      this.error((error as Error).message, {exit: 2})
    }

    const confirmed = await node.confirmDelivery(timeoutMs)
    if (confirmed.length === 0) {
      this.error(`the message was sent but no peer confirmed it within ${flags.timeout} s (the connection was lost or the peer is overloaded)`, {
        exit: EXIT_NOT_DELIVERED,
      })
    }

    const peers = confirmed.map(({host, id, name, port}) => ({id, name, host, port}))
    if (flags.json) {
      this.log(JSON.stringify({event: 'delivered', id: message.id, text: message.text, ts: message.ts, peers}))
    } else {
      this.log(`delivered to ${peers.map((p) => `${p.name} (${p.host}:${p.port})`).join(', ')}`)
    }
  }

  protected override async finally(error: Error | undefined): Promise<void> {
    // Leaves politely (bye), so the peers show "left: quit" rather than a reset.
    await this.#node?.stop()
    return super.finally(error)
  }
}

function dedupe(addresses: Address[]): Address[] {
  const seen = new Set<string>()
  return addresses.filter((a) => !seen.has(`${a.host}:${a.port}`) && Boolean(seen.add(`${a.host}:${a.port}`)))
}

/** The promise's value, or undefined once `ms` passed (the work goes on; the node's stop() ends it). */
async function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms)
  })
  try {
    return await Promise.race([promise, deadline])
  } finally {
    clearTimeout(timer)
  }
}

function defaultName(): string {
  try {
    return userInfo().username || 'anonymous'
  } catch {
    return process.env.USER ?? 'anonymous'
  }
}
