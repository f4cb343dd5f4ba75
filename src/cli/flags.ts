// The flags more than one command shares, and every flag whose default is an engine limit. Not under src/commands/
// because every file there becomes a command. A limit's default is the engine's exported constant, never a copy, so
// changing the engine's default changes the CLI's (test/unit/cli-flags.test.ts holds them together).

import {Flags} from '@oclif/core'
import {userInfo} from 'node:os'

import type {Address} from '../p2p/types.js'

import {explainBadAddress, parseAddress} from '../p2p/address.js'
import {HOP_FRAME_BURST, HOP_FRAMES_PER_SECOND} from '../p2p/connection.js'
import {DEFAULT_HISTORY_MESSAGES} from '../p2p/history-sync.js'
import {NEW_AUTHOR_MESSAGE_BURST, NEW_AUTHOR_MESSAGES_PER_SECOND} from '../p2p/link-budget.js'
import {INBOUND_CONNECTIONS_PER_IP_PER_SECOND, MAX_PENDING_CONNECTIONS} from '../p2p/listener.js'
import {DEFAULT_DEGREE} from '../p2p/mesh.js'
import {parseNameFlag} from '../p2p/name.js'
import {AUTHOR_MESSAGE_BURST, AUTHOR_MESSAGES_PER_SECOND, type ChatNodeOptions, DEFAULT_HOST} from '../p2p/options.js'
import {MAX_HISTORY_MESSAGES} from '../p2p/protocol.js'
import {DEFAULT_MAX_PEERS} from '../p2p/registry.js'
import {parseRelayKey} from '../p2p/swarm/relay.js'
import {DEFAULT_MAX_STORED, DEFAULT_RETENTION_MS, MAX_STORED_CEILING} from '../p2p/sync/store.js'
import {LANGS} from '../repl/i18n.js'

// ---- Shared by `chat start` and `chat send` (each passes its own description) ----

/** A `HOST:PORT` flag value; a bad one is refused by oclif with our explanation, exit 2. */
async function parseAddressFlag(input: string): Promise<Address> {
  const address = parseAddress(input.trim())
  if (!address) throw new Error(explainBadAddress(input))
  return address
}

/** `--join HOST:PORT` (`-j`, repeatable). */
export const joinFlag = Flags.custom<Address>({char: 'j', multiple: true, parse: parseAddressFlag})

/** `--name` (`-n`, CHAT_NAME), checked as the engine checks a name, so oclif names the flag; absent: `defaultName()`. */
export const nameFlag = (description: string) =>
  Flags.string({char: 'n', description, env: 'CHAT_NAME', parse: parseNameFlag})

/** `--host` (CHAT_HOST), defaulting to the engine's `DEFAULT_HOST`. */
export const hostFlag = (description: string) => Flags.string({default: DEFAULT_HOST, description, env: 'CHAT_HOST'})

/** `--secret` (CHAT_SECRET): a passphrase or an invite code; absent is the public room. */
export const secretFlag = (description: string) => Flags.string({description, env: 'CHAT_SECRET'})

/** `--lang pt|en`; absent: from the locale, as `resolveLang` reads it. `what` says which lines it is the language of. */
export const langFlag = (what: string) =>
  Flags.string({description: `language of ${what} [default: from LC_ALL, LC_MESSAGES or LANG]`, options: [...LANGS]})

/** The name a node goes by without --name: the OS user name. */
export function defaultName(): string {
  try {
    return userInfo().username || 'anonymous'
  } catch {
    return process.env.USER ?? 'anonymous'
  }
}

// ---- The mesh and the limits of a long-running node (`chat start`) ----

export const meshFlags = {
  degree: Flags.integer({
    default: DEFAULT_DEGREE,
    description:
      'how many peers to keep connected: the node dials peers it learns of until it has this many (0: only --join and /connect)',
    max: 64,
    min: 0,
  }),
  history: Flags.integer({
    default: DEFAULT_HISTORY_MESSAGES,
    description:
      'recent messages a newcomer (no message store yet) receives from the first peer it dials, and to keep for newcomers (0: off)',
    max: MAX_HISTORY_MESSAGES,
    min: 0,
  }),
}

const DAY_MS = 24 * 60 * 60 * 1000

/** The bursts the engine allows over a rate, as multiples of it ("bursts of 5x pass"). */
export const AUTHOR_BURST_FACTOR = AUTHOR_MESSAGE_BURST / AUTHOR_MESSAGES_PER_SECOND
export const HOP_BURST_FACTOR = HOP_FRAME_BURST / HOP_FRAMES_PER_SECOND
export const NEW_AUTHOR_BURST_FACTOR = NEW_AUTHOR_MESSAGE_BURST / NEW_AUTHOR_MESSAGES_PER_SECOND

export const limitFlags = {
  'max-peers': Flags.integer({
    default: DEFAULT_MAX_PEERS,
    description: 'most connections this node accepts',
    max: 1024,
    min: 1,
    helpGroup: 'LIMITS',
  }),
  'max-pending': Flags.integer({
    default: MAX_PENDING_CONNECTIONS,
    description: 'most connections still in their handshake at once; more are refused at once',
    helpGroup: 'LIMITS',
    max: 1024,
    min: 1,
  }),
  'conn-rate': Flags.integer({
    default: INBOUND_CONNECTIONS_PER_IP_PER_SECOND,
    description: 'new inbound connections per second from one IP address (0: unlimited; loopback is exempt)',
    helpGroup: 'LIMITS',
    min: 0,
  }),
  'author-rate': Flags.integer({
    default: AUTHOR_MESSAGES_PER_SECOND,
    description: `messages per second relayed from one author (bursts of ${AUTHOR_BURST_FACTOR}x pass); more are dropped`,
    helpGroup: 'LIMITS',
    min: 1,
  }),
  'new-author-rate': Flags.integer({
    default: NEW_AUTHOR_MESSAGES_PER_SECOND,
    description: `messages per second one connection may bring from authors this node has never seen (bursts of ${NEW_AUTHOR_BURST_FACTOR}x pass); more are dropped unchecked, and a peer that keeps on is disconnected`,
    helpGroup: 'LIMITS',
    min: 1,
  }),
  'hop-rate': Flags.integer({
    default: HOP_FRAMES_PER_SECOND,
    description: `frames per second accepted from one connection (bursts of ${HOP_BURST_FACTOR}x pass); a peer above it is disconnected`,
    helpGroup: 'LIMITS',
    min: 1,
  }),
  'store-days': Flags.integer({
    default: DEFAULT_RETENTION_MS / DAY_MS,
    description:
      'days of messages kept (in the history file) and reconciled with every peer that connects, so that what was said while this node was away or cut off still reaches it',
    helpGroup: 'LIMITS',
    max: 365,
    min: 1,
  }),
  'store-max': Flags.integer({
    default: DEFAULT_MAX_STORED,
    description: 'most messages kept for reconciliation (the oldest go first)',
    helpGroup: 'LIMITS',
    max: MAX_STORED_CEILING,
    min: 100,
  }),
}

/** The parsed mesh and limit flags. */
export interface NodeLimitFlags {
  degree: number
  history: number
  'max-peers': number
  'max-pending': number
  'conn-rate': number
  'author-rate': number
  'new-author-rate': number
  'hop-rate': number
  'store-days': number
  'store-max': number
}

/** What the mesh and limit flags tell the node: a new limit flag is defined above and translated here. */
export function nodeLimits(flags: NodeLimitFlags): Partial<ChatNodeOptions> {
  return {
    degree: flags.degree,
    history: flags.history,
    maxPeers: flags['max-peers'],
    maxPendingConnections: flags['max-pending'],
    inboundRatePerIp: flags['conn-rate'],
    authorRate: {perSecond: flags['author-rate'], burst: AUTHOR_BURST_FACTOR * flags['author-rate']},
    connection: {framesPerSecond: flags['hop-rate'], frameBurst: HOP_BURST_FACTOR * flags['hop-rate']},
    newAuthorRate: {perSecond: flags['new-author-rate'], burst: NEW_AUTHOR_BURST_FACTOR * flags['new-author-rate']},
    store: {retentionMs: flags['store-days'] * DAY_MS, maxMessages: flags['store-max']},
  }
}

// ---- The swarm (`chat start --swarm`, docs/swarm.md) ----

export const swarmFlags = {
  swarm: Flags.boolean({
    default: false,
    description:
      "also find the room's peers over the internet on Hyperswarm's DHT, through NATs (see docs/swarm.md); TCP keeps working as before",
    env: 'CHAT_SWARM',
    helpGroup: 'SWARM',
  }),
  bootstrap: Flags.custom<Address>({
    delimiter: ',',
    description:
      'HOST:PORT of a DHT bootstrap node to use instead of the public ones (repeatable; see "chat dht bootstrap")',
    env: 'CHAT_BOOTSTRAP',
    helpGroup: 'SWARM',
    multiple: true,
    parse: parseAddressFlag,
  })(),
  'relay-through': Flags.custom<Buffer>({
    delimiter: ',',
    description:
      'key of a blind relay (printed by "chat dht bootstrap" or a node started with --relay) to pair through when hole punching fails (repeatable)',
    env: 'CHAT_RELAY_THROUGH',
    helpGroup: 'SWARM',
    multiple: true,
    async parse(input) {
      const key = parseRelayKey(input)
      if (!key) throw new Error(`"${input}" is not a relay key: expected 64 hexadecimal digits`)
      return key
    },
  })(),
  relay: Flags.boolean({
    default: false,
    description:
      'serve as a blind relay for peers whose NATs cannot be punched through (it forwards encrypted packets it cannot read)',
    helpGroup: 'SWARM',
  }),
}

/** The node's swarm options from the flags; undefined without --swarm. */
export function swarmOptions(flags: {
  swarm: boolean
  bootstrap?: Address[]
  'relay-through'?: Buffer[]
  relay: boolean
}): ChatNodeOptions['swarm'] {
  return flags.swarm
    ? {bootstrap: flags.bootstrap, relayThrough: flags['relay-through'], relay: flags.relay}
    : undefined
}
