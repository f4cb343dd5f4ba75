// What a ChatNode can be told, and the defaults it uses for what it is not told.

import type {TreeOptions} from './broadcast-tree.js'
import type {ConnectionLimits} from './connection.js'
import type {CooldownOptions} from './cooldown.js'
import type {SeenCacheOptions} from './flood.js'
import type {Identity} from './identity.js'
import type {MeshOptions} from './mesh.js'
import type {RoomKey} from './room.js'
import type {SwarmOptions} from './swarm/swarm.js'
import type {MessageStoreOptions} from './sync/store.js'

export const DEFAULT_HOST = '127.0.0.1'
export const DEFAULT_PORT = 5000
export const STOP_TIMEOUT_MS = 2000
/** Messages per author (after the signature check): bots may burst, nobody may flood. */
export const AUTHOR_MESSAGES_PER_SECOND = 100
export const AUTHOR_MESSAGE_BURST = 500
/** Messages sent while no peer is connected (alone in the room, or cut off while the mesh heals), kept for the next peer. */
export const MAX_HELD_MESSAGES = 256

export interface ChatNodeOptions {
  name: string
  host?: string
  /** 0 picks a free port (tests). */
  port?: number
  /** The long-term Ed25519 key pair; the node id is its public key. By default a fresh one (not kept). */
  identity?: Identity
  /** The room's pre-shared key; peers with another key cannot connect. By default the public room. */
  room?: RoomKey
  maxPeers?: number
  maxPendingConnections?: number
  connection?: Partial<ConnectionLimits>
  seenCache?: SeenCacheOptions
  /** Target number of connections the node dials up to from the peers it learns of (0: never dial on its own). */
  degree?: number
  mesh?: Omit<MeshOptions, 'degree'>
  /** Recent messages kept for newcomers and asked for when joining; 0 turns history off. */
  history?: number
  /** New inbound connections per IP per second (0: unlimited). */
  inboundRatePerIp?: number
  /** Apply the per-IP rate to 127.0.0.0/8 and ::1 too (off, so local meshes and tests are not throttled). */
  limitLoopback?: boolean
  authorRate?: {perSecond: number; burst: number}
  /**
   * Also join the room's topic on Hyperswarm's DHT (loaded only then). Hyperswarm dials up to `degree` peers
   * (`maxPeers` here overrides); its streams count against the node's `maxPeers` like TCP connections.
   */
  swarm?: Omit<SwarmOptions, 'identity' | 'maxPeers' | 'room'> & {maxPeers?: number}
  /** A short-lived sender (`chat send`): says so in its hello, announces no direct-message key. */
  transient?: boolean
  /**
   * Lazy push of chat messages (src/p2p/broadcast-tree.ts): its timers (which turn it on even with `degree` 0), or
   * false to push every message down every link. By default on unless `degree` is 0; never for a transient node.
   */
  lazyPush?: false | TreeOptions
  /** Messages per second (and burst) from never-seen authors, per link (src/p2p/link-budget.ts). */
  newAuthorRate?: {perSecond: number; burst: number}
  /** The cool-down list's periods and bound (src/p2p/cooldown.ts). */
  cooldown?: CooldownOptions
  /** The message store's retention and size (docs/sync.md). */
  store?: Omit<MessageStoreOptions, 'now'>
  /** Frames an earlier run kept (`stored` events), read back by the caller: loaded into the store at start. */
  storedFrames?: Iterable<{kind: string; payload: string; sig: string}>
  /** When this node first joined the room (ms): messages learned late are shown only if said since. Default: now. */
  memberSince?: number
  /** An earlier run's address book (`ChatNode.addressBook()`), redialled when the node has fewer peers than its degree. */
  addressBook?: Iterable<{host: string; id: string; lastSeen: number; port: number}>
}
