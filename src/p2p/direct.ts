// Direct messages and the key directory behind them. Each node floods its X25519 key once it has a peer (again after
// losing them all) and every 10 minutes, signed by its identity; a newcomer learns the others' keys from its direct
// peers (`keys`), so joining costs O(N), not O(N²). A direct message is sealed to the recipient's key and flooded
// like a chat message: relays carry it and cannot read it.

import {LRUCache} from 'lru-cache'

import type {PeerConnection} from './connection.js'
import type {SeenCache} from './flood.js'
import type {Identity} from './identity.js'
import type {SignedIntake} from './intake.js'
import type {DirectMessage, NodeInfo} from './types.js'

import {openSealed, sealTo} from './direct-crypto.js'
import {ChatNodeError} from './errors.js'
import {messageId, signFrame} from './message-auth.js'
import {generateKeyPair, type X25519KeyPair} from './noise/index.js'
import {
  type AnnounceFrame,
  type DirectFrame,
  encodeAnnouncePayload,
  encodeDirectPayload,
  type KeysFrame,
  type SignedFrame,
  type SignedPayload,
} from './protocol.js'

export const ANNOUNCE_INTERVAL_MS = 10 * 60_000
/** Announcements given to a new direct peer, most recent first. */
export const MAX_KEYS_SHARED = 200
/** Nodes whose direct-message keys are remembered. */
export const MAX_DIRECTORY_ENTRIES = 1000

/** What direct messaging needs from its node. */
export interface DirectHost {
  readonly identity: Identity
  /** Where our own ids go, so that their echoes are dropped. */
  readonly seen: SeenCache
  readonly intake: SignedIntake
  info(): NodeInfo
  /** The author's next sequence number (shared by every payload this node signs). */
  nextSeq(): number
  isRunning(): boolean
  /** A short-lived sender (`chat send`) announces no key: it does not stay to read direct messages. */
  readonly transient: boolean
  peerCount(): number
  /** Floods a signed frame to every peer but `cameFrom`. */
  broadcast(frame: SignedFrame, cameFrom: PeerConnection | undefined): void
  /** Floods a frame of ours, or keeps it for the next peer when none is connected (true: it was kept). */
  sendOwn(frame: SignedFrame, ts: number): boolean
  /** A direct message for us, opened. */
  deliver(message: DirectMessage): void
  /**
   * A valid announcement of `from` (the roster's news): `live` when flooded to us by others (not handed over in
   * bulk, not the author's own on its new connection), `leaving` when it says it left.
   */
  announced(from: NodeInfo, how: {leaving: boolean; live: boolean; ts: number}): void
  /** `from` wrote a direct message (to us or relayed by us): it is in the room. */
  heard(from: NodeInfo): void
  /** A signed frame for the message store; `forget` drops one (an announcement superseded by a newer one). */
  keep(kind: 'announce' | 'dm', frame: SignedPayload, known?: {id: string; ts: number}): void
  forget(id: string): void
  /** Passes on a frame learned late (by reconciliation) to every peer but `cameFrom`. */
  relayLate(kind: 'announce' | 'dm', frame: SignedPayload, cameFrom: PeerConnection): void
  warn(code: string, message: string): void
}

export class DirectMessages {
  readonly #node: DirectHost
  /** This process's key for direct messages, announced signed by the identity. */
  readonly #keys: X25519KeyPair = generateKeyPair()
  /**
   * Nodes that announced a direct-message key: id → who they are and their key. Read with `peek`, so the order is
   * that of the announcements (`values()` runs newest first).
   */
  readonly #directory = new LRUCache<string, {announce: SignedPayload; info: NodeInfo; key: Buffer; ts: number}>({
    max: MAX_DIRECTORY_ENTRIES,
  })
  #ownAnnounce: AnnounceFrame | undefined
  #timer: NodeJS.Timeout | undefined

  constructor(node: DirectHost) {
    this.#node = node
  }

  start(): void {
    this.#timer = setInterval(() => this.announce(), ANNOUNCE_INTERVAL_MS)
    this.#timer.unref()
  }

  stop(): void {
    clearInterval(this.#timer)
  }

  /** Nodes this one can write to (those that announced a key), most recently heard last. */
  directory(): NodeInfo[] {
    return [...this.#directory.values()].reverse().map(({info}) => ({...info}))
  }

  /** Seals `text` to `to` and floods it. Throws if its key is unknown. */
  send(to: string, text: string): DirectMessage {
    const recipient = this.#directory.peek(to)
    if (!recipient) throw new ChatNodeError({code: 'unknown_recipient', to})
    const from = this.#node.info()
    const sealed = sealTo(recipient.key, text, `${from.id}>${to}`)
    const payload = encodeDirectPayload({from, to, ...sealed, ts: Date.now(), seq: this.#node.nextSeq()})
    const frame = signFrame(this.#node.identity, 'dm', payload)
    const message: DirectMessage = {id: messageId(payload), from, to: {...recipient.info}, text, ts: Date.now()}
    this.#node.seen.add(message.id)
    this.#node.keep('dm', frame)
    return this.#node.sendOwn(frame, message.ts) ? {...message, held: true} : message
  }

  /** A peer registered: give it the keys we know, and announce ours if it is our first peer (or the first after being cut off). */
  onPeerUp(conn: PeerConnection, peerCount: number): void {
    this.#shareKeys(conn)
    if (peerCount === 1) this.announce()
  }

  /** Floods our direct-message key, signed by our identity; `leaving` as the node stops, so the room knows it left. */
  announce({leaving = false}: {leaving?: boolean} = {}): void {
    if ((!this.#node.isRunning() && !leaving) || this.#node.peerCount() === 0 || this.#node.transient) return
    const now = Date.now()
    const dmKey = this.#keys.publicKey.toString('base64url')
    const payload = encodeAnnouncePayload({
      from: this.#node.info(),
      dmKey,
      ts: now,
      seq: this.#node.nextSeq(),
      ...(leaving ? {leaving} : {}),
    })
    if (this.#ownAnnounce) this.#node.forget(messageId(this.#ownAnnounce.payload))
    this.#ownAnnounce = signFrame(this.#node.identity, 'announce', payload)
    this.#node.seen.add(messageId(payload))
    this.#node.keep('announce', this.#ownAnnounce)
    this.#node.broadcast(this.#ownAnnounce, undefined)
  }

  /** An announcement, flooded live or learned `late` by reconciliation (then any age within the store's window). */
  onAnnounce(conn: PeerConnection, frame: AnnounceFrame, late = false): void {
    if (!this.#learnKey(conn, frame, late)) return
    if (late) this.#node.relayLate('announce', frame, conn)
    else this.#node.broadcast(frame, conn)
  }

  onKeys(conn: PeerConnection, frame: KeysFrame): void {
    for (const announce of frame.announces)
      if (!conn.isOpen || this.#learnKey(conn, announce, true) === undefined) return
  }

  /** A direct message, flooded live or learned `late` by reconciliation. Stored either way (sealed). */
  onDirect(conn: PeerConnection, frame: DirectFrame, late = false): void {
    const result = this.#node.intake.receive(conn, 'dm', frame)
    if (result.status === 'own') this.#node.keep('dm', frame, {id: result.id, ts: result.payload.ts})
    if (result.status !== 'new') return
    this.#node.keep('dm', frame, {id: result.id, ts: result.payload.ts})
    const {box, eph, from, to, ts} = result.payload
    this.#node.heard(from)
    const self = this.#node.info()
    if (to !== self.id) {
      // a relay: carries the box, cannot open it
      if (late) this.#node.relayLate('dm', frame, conn)
      else this.#node.broadcast(frame, conn)
      return
    }

    const text = openSealed(this.#keys, {box, eph}, `${from.id}>${to}`)
    if (text === undefined) {
      this.#node.warn(
        'dm_unreadable',
        `a direct message from ${from.name} could not be opened (sealed to an older key of this node?)`,
      )
      return
    }

    this.#node.deliver({id: result.id, from: {...from}, to: self, text, ts, ...(late ? {late: true} : {})})
  }

  /** Gives a new direct peer the keys we know (ours included), so it can write to anyone at once. */
  #shareKeys(conn: PeerConnection): void {
    const announces = [...this.#directory.values()]
      .reverse()
      .slice(-MAX_KEYS_SHARED + 1)
      .map((entry) => entry.announce)
    if (this.#ownAnnounce) announces.push({payload: this.#ownAnnounce.payload, sig: this.#ownAnnounce.sig})
    for (let i = 0; i < announces.length; i += 50) conn.sendFrame({type: 'keys', announces: announces.slice(i, i + 50)})
  }

  /** Checks and records an announcement: true if it was new (to relay), false if not, undefined if it was rejected. */
  #learnKey(conn: PeerConnection, announce: SignedPayload, anyAge: boolean): boolean | undefined {
    const result = this.#node.intake.receive(conn, 'announce', announce, {anyAge})
    if (result.status === 'rejected') return undefined
    if (result.status !== 'new') return false
    const {dmKey, from, leaving, ts} = result.payload
    // A leave is news only as it is flooded: one handed over in a `keys` list (of any age) could be an old replay.
    if (leaving && anyAge) return false
    // Live news only when it came through others: an author's own announcement on its new connection is that
    // connection's join, which may be registered a moment after its first frames.
    this.#node.announced(from, {leaving: leaving === true, live: !anyAge && conn.peerId !== from.id, ts})
    const known = this.#directory.peek(from.id)
    if (known && known.ts >= ts) return false // an older announcement than the one we hold
    // The store keeps each node's latest announcement only: one every 10 minutes would fill it otherwise.
    if (known) this.#node.forget(messageId(known.announce.payload))
    this.#node.keep('announce', announce)
    if (leaving) {
      this.#directory.delete(from.id) // gone: no key to write to any more; relayed so the whole room learns it
      return true
    }

    // set moves it to the newest end; a full directory forgets the least recently announced.
    this.#directory.set(from.id, {
      announce: {payload: announce.payload, sig: announce.sig},
      info: {...from},
      key: Buffer.from(dmKey, 'base64url'),
      ts,
    })
    return true
  }
}
