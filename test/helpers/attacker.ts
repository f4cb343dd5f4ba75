// Hostile peers for the siege test: raw sockets that send garbage, stall, dribble, or complete a real handshake and
// then misbehave. Every attack records who closed its socket (the node, the attacker itself, or the test at its
// deadline) and when, so the test can prove the node cleans up after each kind on its own.
import {createServer, connect as netConnect, type Server, type Socket} from 'node:net'
import {performance} from 'node:perf_hooks'

import {generateIdentity, type Identity} from '../../src/p2p/identity.js'
import {authorMessage} from '../../src/p2p/message-auth.js'
import {
  type ChatFrame,
  decodeFrame,
  encodeBody,
  type Frame,
  MAX_HANDSHAKE_MESSAGE_BYTES,
} from '../../src/p2p/protocol.js'
import {PUBLIC_ROOM, type RoomKey} from '../../src/p2p/room.js'
import {SecureSession} from '../../src/p2p/secure-session.js'

/** A small seeded PRNG (mulberry32, shared with the bench): the same attack bytes on every run. */
export {rng as prng} from '../../bench/stats.js'

export function randomBytes(random: () => number, n: number): Buffer {
  const out = Buffer.allocUnsafe(n)
  for (let i = 0; i < n; i++) out[i] = Math.floor(random() * 256)
  return out
}

/** Kinds that are over at once: the node answers their first bytes. */
export const QUICK_KINDS = [
  'random-bytes',
  'max-length',
  'four-gib',
  'version1',
  'oversized-handshake',
  'truncated-end',
  'reset',
] as const
/** Kinds that only the handshake deadline ends (or the pending cap refuses). */
export const SLOW_KINDS = ['half-open', 'dribbler', 'truncated-hold', 'short-random'] as const
/** Kinds that complete a real handshake first. */
export const MEMBER_KINDS = ['stuck-reader', 'replayer', 'garbage-after-handshake', 'member'] as const
export type AttackKind = (typeof MEMBER_KINDS)[number] | (typeof QUICK_KINDS)[number] | (typeof SLOW_KINDS)[number]

export type ClosedBy = 'attacker' | 'node' | 'test'

export interface AttackResult {
  kind: AttackKind
  /** who ended the connection: the node (FIN or RST from it), the attacker itself (by design), the test (deadline) */
  closedBy: ClosedBy
  /** ms from connect to close */
  lifetimeMs: number
  /** bytes the node sent to this socket */
  received: number
  /** the socket error, if any (ECONNRESET when the node resets) */
  error?: string
  /** members: whether the handshake completed */
  established: boolean
}

export interface AttackOptions {
  port: number
  random: () => number
  /** Member kinds: the room and what to announce in the hello. Announced port 1: nobody listens there. */
  room?: RoomKey
  name?: string
  /** Members: the identity to connect as (a fresh one by default), e.g. to come back as the same node after a cut. */
  identity?: Identity
  /** Members: the port to announce in the hello (1 by default: nobody listens there). */
  listenPort?: number
}

const HOST = '127.0.0.1'

/** One hostile connection. `closed` resolves once the socket is gone, whoever closed it. */
export class Attack {
  readonly kind: AttackKind
  readonly socket: Socket
  readonly closed: Promise<AttackResult>
  readonly chunks: Buffer[] = []
  protected readonly random: () => number
  #received = 0
  #startedAt = performance.now()
  #closedBy: ClosedBy | undefined
  #error: string | undefined
  #timers: NodeJS.Timeout[] = []
  protected establishedFlag = false

  constructor(kind: AttackKind, options: AttackOptions) {
    this.kind = kind
    this.random = options.random
    this.socket = netConnect({host: HOST, port: options.port})
    this.socket.on('error', (error: NodeJS.ErrnoException) => {
      this.#error ??= error.code ?? error.message
    })
    this.socket.on('connect', () => {
      this.#startedAt = performance.now()
    })
    this.closed = new Promise((resolve) => {
      this.socket.once('close', () => {
        for (const t of this.#timers) clearTimeout(t)
        resolve({
          kind,
          closedBy: this.#closedBy ?? 'node',
          lifetimeMs: performance.now() - this.#startedAt,
          received: this.#received,
          error: this.#error,
          established: this.establishedFlag,
        })
      })
    })
    this.socket.once('connect', () => this.onConnect())
  }

  /** Bytes the node has sent to this socket so far. */
  get receivedBytes(): number {
    return this.#received
  }

  get isClosed(): boolean {
    return this.socket.destroyed
  }

  /** The first KiB (or so) the node sent, in one buffer. */
  get reply(): Buffer {
    return Buffer.concat(this.chunks)
  }

  /** Destroys the socket at `ms` from now unless it is already gone: the node missed its deadline. */
  deadline(ms: number): Promise<AttackResult> {
    this.later(ms, () => this.abort('test'))
    return this.closed
  }

  /** Closes the socket from this side. */
  abort(by: ClosedBy = 'test'): void {
    if (this.socket.destroyed) return
    this.#closedBy ??= by
    this.socket.destroy()
  }

  /** Counts (and keeps the first KiB of) what the node sends; reads in flowing mode unless a subclass pauses. */
  protected onData(chunk: Buffer): void {
    this.#received += chunk.length
    if (this.chunks.reduce((n, c) => n + c.length, 0) < 1024) this.chunks.push(chunk)
  }

  protected later(ms: number, fn: () => void): void {
    const timer = setTimeout(fn, ms)
    timer.unref()
    this.#timers.push(timer)
  }

  protected write(bytes: Buffer): void {
    if (!this.socket.destroyed && this.socket.writable) this.socket.write(bytes)
  }

  protected onConnect(): void {
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk))
    const r = this.random
    switch (this.kind) {
      case 'random-bytes': {
        if (r() < 0.5) {
          // Anything at all: almost always a length over the handshake's 1 KiB (closed at the header). Never two
          // zero bytes first: that is a version-1 header, which gets an answer (the `version1` kind).
          const bytes = randomBytes(r, 50 + Math.floor(r() * 3000))
          if (bytes[0] === 0 && bytes[1] === 0) bytes[1] = 1
          this.write(bytes)
        } else {
          // A whole first message of a plausible length, random inside: a failed handshake (a room mismatch).
          const length = 1 + Math.floor(r() * MAX_HANDSHAKE_MESSAGE_BYTES)
          const header = Buffer.alloc(2)
          header.writeUInt16BE(length)
          this.write(Buffer.concat([header, randomBytes(r, length + Math.floor(r() * 100))]))
        }

        return
      }

      case 'short-random': {
        // A plausible handshake length, and fewer bytes than it announces.
        const want = 48 + Math.floor(r() * 900)
        const header = Buffer.alloc(2)
        header.writeUInt16BE(want)
        this.write(Buffer.concat([header, randomBytes(r, Math.floor(r() * want))]))
        return
      }

      case 'max-length': {
        this.write(Buffer.concat([Buffer.from([0xff, 0xff]), randomBytes(r, 100)]))
        return
      }

      case 'four-gib': {
        // A 4-byte length of 2^32 − 1: version 1 framing pushed to its limit.
        this.write(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x7b]))
        return
      }

      case 'version1': {
        const hello = Buffer.from(
          JSON.stringify({type: 'hello', v: 1, id: 'old-node', name: 'Old', listen: {host: HOST, port: 1}}),
        )
        const header = Buffer.alloc(4)
        header.writeUInt32BE(hello.length)
        this.write(Buffer.concat([header, hello]))
        return
      }

      case 'oversized-handshake': {
        const length = MAX_HANDSHAKE_MESSAGE_BYTES + 1 + Math.floor(r() * 2000)
        const header = Buffer.alloc(2)
        header.writeUInt16BE(length)
        this.write(Buffer.concat([header, randomBytes(r, length)]))
        return
      }

      case 'truncated-end': {
        // Half a first message, then FIN: a truncated frame at the end of the stream.
        this.socket.end(Buffer.concat([Buffer.from([0, 48]), randomBytes(r, 20)]))
        return
      }

      case 'truncated-hold': {
        this.write(Buffer.concat([Buffer.from([0, 48]), randomBytes(r, 20)]))
        return
      }

      case 'reset': {
        // A few bytes, then an RST from our side: the node sees ECONNRESET.
        this.write(Buffer.from([0, 48, 1, 2, 3]))
        this.later(20, () => {
          this.#closedBy ??= 'attacker'
          this.socket.resetAndDestroy()
        })
        return
      }

      case 'half-open': {
        return // connects, never sends, keeps reading
      }

      case 'dribbler': {
        // A valid-looking length (1,023 bytes) and then one byte every 100 ms: the deadline must not move.
        const bytes = Buffer.concat([Buffer.from([0x03, 0xff]), randomBytes(r, 1023)])
        let at = 0
        const tick = (): void => {
          if (this.socket.destroyed || at >= bytes.length) return
          this.write(bytes.subarray(at, at + 1))
          at++
          // Bounded: 200 bytes (20 s) at most, far past the 5 s deadline.
          if (at < 200) this.later(100, tick)
        }

        tick()
        return
      }

      default: {
        throw new Error(`${this.kind} is not a raw attack`)
      }
    }
  }
}

/**
 * An attacker that is a member of the room: it completes a real handshake (SecureSession, a fresh identity), then
 * misbehaves as its kind says.
 *   stuck-reader             stops reading at once and never writes again: the node keeps sending (pings, relayed
 *                            messages) into a socket nobody drains
 *   replayer                 sends every chat frame it receives back to the node twice, answers pings, and on
 *                            `forge()` sends a message claiming another node's id and address
 *   garbage-after-handshake  random bytes where an encrypted frame should be
 *   member                   reads and records everything, answers pings, sends what the test tells it to
 */
export class MemberAttack extends Attack {
  readonly identity: Identity
  readonly session: SecureSession
  readonly established: Promise<boolean>
  /** chat frames received from the node (decoded), in order */
  readonly chats: ChatFrame[] = []
  /** frame types received, counted */
  readonly frameTypes = new Map<string, number>()
  replayed = 0
  /** signed messages received inside `history` frames */
  historyMessages = 0
  /** highest `n` of the pongs received (a fence: the node answered everything sent before that ping) */
  lastPong = -1
  readonly #watchers = new Set<() => void>()
  #resolveEstablished!: (ok: boolean) => void

  constructor(kind: (typeof MEMBER_KINDS)[number], options: AttackOptions) {
    const identity = options.identity ?? generateIdentity()
    const session = new SecureSession({
      initiator: true,
      identity,
      name: options.name ?? kind,
      listen: {host: HOST, port: options.listenPort ?? 1},
      room: options.room ?? PUBLIC_ROOM,
    })
    // The socket connects asynchronously: both are set before its 'connect' handler can run.
    super(kind, options)
    this.identity = identity
    this.session = session
    this.established = new Promise((resolve) => {
      this.#resolveEstablished = resolve
    })
    void this.closed.then(() => {
      this.#resolveEstablished(false)
      this.#wake()
    })
  }

  /** Resolves true once `check()` holds (re-checked on every frame), false if the socket closes first. */
  until(check: () => boolean): Promise<boolean> {
    return new Promise((resolve) => {
      const recheck = (): void => {
        if (check()) {
          this.#watchers.delete(recheck)
          resolve(true)
        } else if (this.socket.destroyed) {
          this.#watchers.delete(recheck)
          resolve(false)
        }
      }

      this.#watchers.add(recheck)
      recheck()
    })
  }

  #wake(): void {
    for (const watcher of [...this.#watchers]) watcher()
  }

  /** Sends one sealed frame. */
  send(frame: Frame): void {
    if (this.session.established) this.write(this.session.seal(encodeBody(frame)))
  }

  /** A message signed by this member but claiming `victim`'s id and address: a forgery every hop must reject. */
  forge(victim: {host: string; id: string; name: string; port: number}, text: string): void {
    const {frame} = authorMessage(this.identity, {from: victim, text, ts: Date.now(), seq: 1})
    this.send(frame)
  }

  /** Resumes reading (a stuck reader, once the node has given up on it, so that the close can be seen). */
  drain(): void {
    this.socket.resume()
  }

  protected override onConnect(): void {
    this.socket.on('data', (chunk: Buffer) => this.#onData(chunk))
    for (const bytes of this.session.start()) this.write(bytes)
  }

  #onData(chunk: Buffer): void {
    this.onData(chunk)
    if (this.kind === 'stuck-reader' && this.session.established) return // not reading any more
    let out
    try {
      out = this.session.receive(chunk)
    } catch {
      // The node sent something we cannot read: not our problem to recover from; it will close.
      return
    }

    for (const bytes of out.write) this.write(bytes)
    if (out.established) this.#onEstablished()
    for (const body of out.bodies) this.#onBody(body)
  }

  #onEstablished(): void {
    this.establishedFlag = true
    this.#resolveEstablished(true)
    switch (this.kind) {
      case 'stuck-reader': {
        this.socket.pause()
        return
      }

      case 'garbage-after-handshake': {
        // A whole transport frame of random bytes: it cannot authenticate.
        const length = 16 + Math.floor(this.random() * 600)
        const header = Buffer.alloc(2)
        header.writeUInt16BE(length)
        this.write(Buffer.concat([header, randomBytes(this.random, length)]))
        return
      }

      case 'replayer': {
        // A frame type from the future: ignored, never a reason to close.
        this.send({type: 'future-frame', x: 1} as unknown as Frame)
      }
    }
  }

  #onBody(body: Buffer): void {
    let frame
    try {
      frame = decodeFrame(body)
    } catch {
      return
    }

    this.frameTypes.set(frame.type, (this.frameTypes.get(frame.type) ?? 0) + 1)
    if (frame.type === 'history') this.historyMessages += frame.messages.length
    if (frame.type === 'pong') this.lastPong = Math.max(this.lastPong, frame.n)
    if (frame.type === 'ping' && (this.kind === 'replayer' || this.kind === 'member'))
      this.send({type: 'pong', n: frame.n})
    if (frame.type === 'chat' && this.kind === 'member') this.chats.push(frame)
    this.#wake()
    if (this.kind !== 'replayer') return
    if (frame.type === 'chat') {
      this.chats.push(frame)
      // Replayed at once, twice: the node has it in its seen-cache and must ignore both.
      this.send(frame)
      this.send(frame)
      this.replayed += 2
    }
  }
}

export function launch(kind: AttackKind, options: AttackOptions): Attack {
  return (MEMBER_KINDS as readonly string[]).includes(kind)
    ? new MemberAttack(kind as (typeof MEMBER_KINDS)[number], options)
    : new Attack(kind, options)
}

/**
 * A listening member of the room that forges: every node that dials it completes a real handshake, then receives a
 * message signed by the forger but claiming `victim` as its author. Counts the connections it accepted, so a test can
 * tell whether the node that cut it dials it again.
 */
export class ForgingListener {
  readonly server: Server
  readonly identity = generateIdentity()
  connections = 0
  readonly #sockets = new Set<Socket>()

  constructor(victim: {host: string; id: string; name: string; port: number}, room: RoomKey = PUBLIC_ROOM) {
    this.server = createServer((socket) => {
      this.connections++
      this.#sockets.add(socket)
      socket.on('error', () => {})
      socket.once('close', () => this.#sockets.delete(socket))
      const session = new SecureSession({
        initiator: false,
        identity: this.identity,
        name: 'Forger',
        listen: {host: HOST, port: this.port},
        room,
      })
      socket.on('data', (chunk: Buffer) => {
        let out
        try {
          out = session.receive(chunk)
        } catch {
          socket.destroy()
          return
        }

        for (const bytes of out.write) socket.write(bytes)
        if (out.established) {
          const {frame} = authorMessage(this.identity, {
            from: victim,
            text: 'forged by the listener',
            ts: Date.now(),
            seq: 1,
          })
          socket.write(session.seal(encodeBody(frame)))
        }
      })
    })
  }

  get port(): number {
    const address = this.server.address()
    return address && typeof address === 'object' ? address.port : 0
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => {
      this.server.listen(0, HOST, resolve)
    })
    return this.port
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy()
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve())
    })
  }
}
