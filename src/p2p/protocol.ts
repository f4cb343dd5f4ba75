// Wire protocol version 2: the only module that knows how frames and payloads look as bytes.
//
// Every frame on the socket is `uint16 BE length ‖ bytes`. The first three are the Noise XXpsk0 handshake messages
// (the hello travels inside messages 2 and 3, signed); every later frame is a ChaCha20-Poly1305 ciphertext whose
// plaintext is one UTF-8 JSON object with a string `type`. Everything decoded is validated and copied field by field
// into a fresh object, so nothing a peer sends (extra fields, `__proto__`) survives into the engine.

export const PROTOCOL_VERSION = 2
export const FRAME_HEADER_BYTES = 2
/** The largest frame a uint16 length can carry: ciphertext including its 16-byte tag. */
export const MAX_FRAME_BYTES = 65_535
/** A transport frame is at least an authentication tag. */
export const MIN_TRANSPORT_FRAME_BYTES = 16
export const MAX_PLAINTEXT_BYTES = MAX_FRAME_BYTES - 16
/** Handshake messages are small (48, ~400, ~300 bytes); anything larger closes the socket (SECURITY.md). */
export const MAX_HANDSHAKE_MESSAGE_BYTES = 1024
export const MAX_TEXT_CHARS = 4000
export const MAX_NAME_CHARS = 64
export const MAX_ID_CHARS = 128
export const MAX_HOST_CHARS = 255
export const MAX_PEERS_PER_FRAME = 64
export const MAX_ERROR_MESSAGE_CHARS = 500
/** A signed chat payload: the text (≤ 4,000 UTF-16 units, ≤ 6 JSON characters each) plus the author. */
export const MAX_CHAT_PAYLOAD_CHARS = 30_000
/** An Ed25519 signature in base64url. */
export const SIGNATURE_CHARS = 86
/** The most recent messages one node serves to a newcomer. */
export const MAX_HISTORY_MESSAGES = 200
/** Reconciliation (`sync`): most ranges in one frame, and most ids over all its id lists (docs/limits.md). */
export const MAX_SYNC_RANGES = 2000
export const MAX_SYNC_IDS = 1000
/** Frames asked for in one `sync_want`, and carried by one `sync_items`. */
export const MAX_SYNC_WANT = 1000
export const MAX_SYNC_ITEMS = 200
/** Message ids in one `ihave` or `graft` frame (lazy push, src/p2p/broadcast-tree.ts). */
export const MAX_TREE_IDS = 256
/** A message id: 128 bits in lowercase hex. */
export const MESSAGE_ID_CHARS = 32
/** A range fingerprint: 128 bits in base64url. */
export const FINGERPRINT_CHARS = 22

/** Why a frame was refused. `code` is stable and machine-readable; `message` says what was wrong. */
export class ProtocolError extends Error {
  readonly code: string

  constructor(code: string, message: string) {
    super(message)
    this.name = 'ProtocolError'
    this.code = code
  }
}

export interface WireAddress {
  host: string
  port: number
}

export interface WireNode extends WireAddress {
  id: string
  name: string
}

/** What each side tells the other inside the handshake (messages 2 and 3), encrypted. */
export interface HelloPayload {
  v: number
  id: string
  name: string
  listen: WireAddress
  /** Ed25519 signature by `id` over the sender's Noise static key: binds the session to the identity. */
  sig: string
  /**
   * Set (true) by a short-lived sender (`chat send`): peers show no join or leave lines for it and do not tell
   * others about it. Absent means a normal node, which is what older nodes send and assume.
   */
  transient?: boolean
  /** The sender's clock (ms since the epoch) when it wrote the hello: both users are told if the clocks differ. */
  now?: number
  /**
   * Set (true) by a node that speaks lazy push (`ihave`, `graft`, `prune`): only then may its peers send it ids
   * instead of whole chat messages. Absent (older nodes, `chat send`) means every chat message goes to it whole.
   */
  lazy?: boolean
}

/** The kinds of payload an author signs and every hop floods; each has its own signature prefix. */
export type SignedType = 'announce' | 'chat' | 'dm'

/** A signed payload as carried: the exact payload string the author signed, and the signature (base64url). */
export interface SignedPayload {
  payload: string
  sig: string
}

/** A flooded frame: one shape for every signed kind, which only its payload tells apart. */
export interface SignedFrame<T extends SignedType = SignedType> extends SignedPayload {
  type: T
}

/** A chat message. */
export type ChatFrame = SignedFrame<'chat'>

/** What the author signs. `seq` counts the author's messages, so equal texts still get distinct ids. */
export interface ChatPayload {
  from: WireNode
  text: string
  ts: number
  seq: number
  /** `action`: `/me waves`, shown as `* Ana waves`. Absent for a plain message (and absent from its payload). */
  kind?: 'action'
}

/** The kinds of chat payload besides a plain message. */
export const CHAT_KINDS = ['action'] as const

export interface PeersFrame {
  type: 'peers'
  peers: Array<{id: string} & WireAddress>
}

export interface PingFrame {
  type: 'ping'
  n: number
}

export interface PongFrame {
  type: 'pong'
  n: number
}

export interface ByeFrame {
  type: 'bye'
}

export interface ErrorFrame {
  type: 'error'
  code: string
  message: string
}

/** A node's key for direct messages, signed by its identity and flooded so that anyone can write to it. */
export type AnnounceFrame = SignedFrame<'announce'>

export interface AnnouncePayload {
  from: WireNode
  /** X25519 public key, base64url. */
  dmKey: string
  ts: number
  seq: number
  /** Set (true) in the announcement a node floods as it stops: it left the room. Older nodes relay it as any other. */
  leaving?: boolean
}

/** A direct message: flooded like a chat message, readable only by `to`. */
export type DirectFrame = SignedFrame<'dm'>

export interface DirectPayload {
  from: WireNode
  to: string
  /** Sender's ephemeral X25519 key and the sealed text, base64url. */
  eph: string
  box: string
  ts: number
  seq: number
}

/** The announcements a node holds, given to a new direct peer (not relayed): how a newcomer learns keys. */
export interface KeysFrame {
  type: 'keys'
  announces: SignedPayload[]
}

/** A node that just joined asks its first peer for the recent messages it missed. */
export interface HistoryRequestFrame {
  type: 'history_request'
  n: number
}

/** Recent signed messages, oldest first, possibly over several frames; never relayed. */
export interface HistoryFrame {
  type: 'history'
  messages: SignedPayload[]
}

/**
 * One range of a reconciliation round (docs/protocol.md, "Reconciliation"). It runs from the previous range's upper
 * bound (or the start) to its own upper bound `[ts, idPrefix]`, exclusive; `ts` null is the end of time.
 * `[ts, id]` skip: this range is settled; `[ts, id, fp]` the fingerprint of my frames in it; `[ts, id, [ids]]`
 * every id I hold in it.
 */
export type SyncRange =
  | [ts: number | null, id: string]
  | [ts: number | null, id: string, fp: string]
  | [ts: number | null, id: string, ids: string[]]

/** A round of range-based set reconciliation, either way. Never relayed. */
export interface SyncFrame {
  type: 'sync'
  ranges: SyncRange[]
}

/** The ids of frames the sender lacks, found by reconciliation: answered with `sync_items`. */
export interface SyncWantFrame {
  type: 'sync_want'
  ids: string[]
}

export type SyncItemKind = 'announce' | 'chat' | 'dm'

/** Signed frames sent late: asked for, found missing by reconciliation, or learned late and passed on. */
export interface SyncItemsFrame {
  type: 'sync_items'
  items: Array<{kind: SyncItemKind; payload: string; sig: string}>
}

/** Lazy push: the ids of chat messages the sender has, sent on a lazy link instead of the messages. */
export interface IhaveFrame {
  type: 'ihave'
  ids: string[]
}

/** Lazy push: send me these chat messages whole, and push to me eagerly from now on. */
export interface GraftFrame {
  type: 'graft'
  ids: string[]
}

/** Lazy push: this link brought a message I already had; send me ids only from now on. */
export interface PruneFrame {
  type: 'prune'
}

/** A frame whose type this version does not know: ignored, for forward compatibility. */
export interface UnknownFrame {
  type: 'unknown'
  originalType: string
}

export type Frame =
  | AnnounceFrame
  | ByeFrame
  | ChatFrame
  | DirectFrame
  | ErrorFrame
  | GraftFrame
  | HistoryFrame
  | HistoryRequestFrame
  | IhaveFrame
  | KeysFrame
  | PeersFrame
  | PingFrame
  | PongFrame
  | PruneFrame
  | SyncFrame
  | SyncItemsFrame
  | SyncWantFrame
export type DecodedFrame = Frame | UnknownFrame

const utf8 = new TextDecoder('utf8', {fatal: true})

/** `uint16 BE length ‖ bytes`: one frame on the socket. */
export function lengthPrefixed(bytes: Uint8Array): Buffer {
  if (bytes.length > MAX_FRAME_BYTES) {
    throw new ProtocolError(
      'frame_too_large',
      `frame of ${bytes.length} bytes exceeds the ${MAX_FRAME_BYTES}-byte limit`,
    )
  }

  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + bytes.length)
  out.writeUInt16BE(bytes.length, 0)
  out.set(bytes, FRAME_HEADER_BYTES)
  return out
}

/** The plaintext of a transport frame. Throws if it would not fit in one frame once sealed. */
export function encodeBody(frame: Frame): Buffer {
  const body = Buffer.from(
    JSON.stringify(frame.type === 'sync' ? {type: 'sync', ranges: syncWire(frame.ranges)} : frame),
    'utf8',
  )
  if (body.length > MAX_PLAINTEXT_BYTES) {
    throw new ProtocolError(
      'frame_too_large',
      `frame of ${body.length} bytes exceeds the ${MAX_PLAINTEXT_BYTES}-byte limit`,
    )
  }

  return body
}

export interface FrameLimits {
  minBytes: number
  maxBytes: number
}

/** A transport frame's limits once the handshake is over: what a decoder starts with unless told otherwise. */
const TRANSPORT_FRAME_LIMITS: Readonly<FrameLimits> = {minBytes: MIN_TRANSPORT_FRAME_BYTES, maxBytes: MAX_FRAME_BYTES}

/**
 * Splits a TCP byte stream into length-prefixed frames, one at a time, so the limits can change between two frames
 * of the same chunk (the handshake's are tighter). A length outside the limits is refused as soon as its header
 * arrives; the decoder never holds more than one frame plus the chunk that completed it.
 */
export class FrameDecoder {
  limits: FrameLimits
  #chunks: Buffer[] = []
  #buffered = 0
  #expected = -1

  constructor(limits: FrameLimits = TRANSPORT_FRAME_LIMITS) {
    this.limits = limits
  }

  get bufferedBytes(): number {
    return this.#buffered
  }

  /** True when the stream stopped in the middle of a frame (a truncated frame if the socket ends now). */
  get midFrame(): boolean {
    return this.#buffered > 0 || this.#expected >= 0
  }

  /** The first two bytes of the stream, once they are here, without consuming them. */
  peekHeader(): number | undefined {
    if (this.#expected >= 0 || this.#buffered < FRAME_HEADER_BYTES) return undefined
    return this.#chunks.length === 1 || this.#chunks[0].length >= 2
      ? this.#chunks[0].readUInt16BE(0)
      : Buffer.concat(this.#chunks.slice(0, 2)).readUInt16BE(0)
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return
    this.#chunks.push(chunk)
    this.#buffered += chunk.length
  }

  /** The next complete frame, or undefined until more bytes arrive. Throws ProtocolError on a bad length. */
  next(): Buffer | undefined {
    if (this.#expected < 0) {
      if (this.#buffered < FRAME_HEADER_BYTES) return undefined
      const length = this.#take(FRAME_HEADER_BYTES).readUInt16BE(0)
      const {maxBytes, minBytes} = this.limits
      if (length < minBytes || length > maxBytes) {
        throw new ProtocolError('bad_length', `frame length ${length} is outside ${minBytes}..${maxBytes}`)
      }

      this.#expected = length
    }

    if (this.#buffered < this.#expected) return undefined
    const frame = this.#take(this.#expected)
    this.#expected = -1
    return frame
  }

  #take(n: number): Buffer {
    if (n === 0) return Buffer.alloc(0)
    const first = this.#chunks[0]
    if (first.length >= n) {
      // Zero-copy when the bytes sit in one chunk.
      const out = first.subarray(0, n)
      if (first.length === n) this.#chunks.shift()
      else this.#chunks[0] = first.subarray(n)
      this.#buffered -= n
      return out
    }

    const out = Buffer.allocUnsafe(n)
    let filled = 0
    while (filled < n) {
      const head = this.#chunks[0]
      const used = Math.min(head.length, n - filled)
      head.copy(out, filled, 0, used)
      filled += used
      if (used === head.length) this.#chunks.shift()
      else this.#chunks[0] = head.subarray(used)
    }

    this.#buffered -= n
    return out
  }
}

/** Decodes and validates one transport plaintext. Throws ProtocolError on anything malformed. */
export function decodeFrame(body: Uint8Array): DecodedFrame {
  const obj = parseObject(body, 'frame')
  const type = field(obj, 'type')
  if (typeof type !== 'string') throw new ProtocolError('bad_frame', 'frame has no string "type"')

  switch (type) {
    case 'announce':
    case 'chat':
    case 'dm': {
      return {type, ...signedPayload(obj)}
    }

    case 'history_request': {
      return {type, n: integer(obj, 'n', 0, MAX_HISTORY_MESSAGES)}
    }

    case 'keys': {
      const list = field(obj, 'announces')
      if (!Array.isArray(list) || list.length > MAX_HISTORY_MESSAGES) {
        throw new ProtocolError('bad_field', `"announces" must be an array of at most ${MAX_HISTORY_MESSAGES}`)
      }

      return {type, announces: list.map((entry, i) => signedPayload(asObject(entry, `announces[${i}]`)))}
    }

    case 'history': {
      const list = field(obj, 'messages')
      if (!Array.isArray(list) || list.length > MAX_HISTORY_MESSAGES) {
        throw new ProtocolError('bad_field', `"messages" must be an array of at most ${MAX_HISTORY_MESSAGES}`)
      }

      return {type, messages: list.map((entry, i) => signedPayload(asObject(entry, `messages[${i}]`)))}
    }

    case 'sync': {
      return {type, ranges: syncRanges(field(obj, 'ranges'))}
    }

    case 'sync_want': {
      const list = field(obj, 'ids')
      if (!Array.isArray(list) || list.length > MAX_SYNC_WANT) {
        throw new ProtocolError('bad_field', `"ids" must be an array of at most ${MAX_SYNC_WANT}`)
      }

      return {type, ids: list.map((id) => messageIdValue(id))}
    }

    case 'sync_items': {
      const list = field(obj, 'items')
      if (!Array.isArray(list) || list.length > MAX_SYNC_ITEMS) {
        throw new ProtocolError('bad_field', `"items" must be an array of at most ${MAX_SYNC_ITEMS}`)
      }

      return {
        type,
        items: list.map((entry, i) => {
          const o = asObject(entry, `items[${i}]`)
          const kind = field(o, 'kind')
          if (kind !== 'announce' && kind !== 'chat' && kind !== 'dm') {
            throw new ProtocolError('bad_field', `items[${i}].kind must be "announce", "chat" or "dm"`)
          }

          return {kind, ...signedPayload(o)}
        }),
      }
    }

    case 'ihave':
    case 'graft': {
      const list = field(obj, 'ids')
      if (!Array.isArray(list) || list.length === 0 || list.length > MAX_TREE_IDS) {
        throw new ProtocolError('bad_field', `"ids" must be an array of 1..${MAX_TREE_IDS} message ids`)
      }

      return {type, ids: list.map((id) => messageIdValue(id))}
    }

    case 'prune': {
      return {type}
    }

    case 'peers': {
      const list = field(obj, 'peers')
      if (!Array.isArray(list)) throw new ProtocolError('bad_field', '"peers" must be an array')
      if (list.length > MAX_PEERS_PER_FRAME) {
        throw new ProtocolError(
          'too_many_peers',
          `"peers" lists ${list.length} entries (the limit is ${MAX_PEERS_PER_FRAME})`,
        )
      }

      return {
        type,
        peers: list.map((entry, i) => {
          const o = asObject(entry, `peers[${i}]`)
          return {id: str(o, 'id', 1, MAX_ID_CHARS), ...address(o, `peers[${i}]`)}
        }),
      }
    }

    case 'ping':
    case 'pong': {
      return {type, n: integer(obj, 'n', 0, Number.MAX_SAFE_INTEGER)}
    }

    case 'bye': {
      return {type}
    }

    case 'error': {
      return {type, code: str(obj, 'code', 1, 64), message: str(obj, 'message', 0, MAX_ERROR_MESSAGE_CHARS)}
    }

    default: {
      return {type: 'unknown', originalType: type.slice(0, 64)}
    }
  }
}

export function encodeHelloPayload(hello: HelloPayload): Buffer {
  return Buffer.from(JSON.stringify(hello), 'utf8')
}

export function decodeHelloPayload(bytes: Uint8Array): HelloPayload {
  const obj = parseObject(bytes, 'hello')
  const sig = str(obj, 'sig', SIGNATURE_CHARS, SIGNATURE_CHARS)
  return {
    v: integer(obj, 'v', 0, Number.MAX_SAFE_INTEGER),
    id: str(obj, 'id', 1, MAX_ID_CHARS),
    name: name(obj, 'name'),
    listen: address(asObject(field(obj, 'listen'), 'hello.listen'), 'hello.listen'),
    sig,
    ...(optionalBoolean(obj, 'transient') ? {transient: true} : {}),
    ...(field(obj, 'now') === undefined ? {} : {now: integer(obj, 'now', 0, Number.MAX_SAFE_INTEGER)}),
    ...(optionalBoolean(obj, 'lazy') ? {lazy: true} : {}),
  }
}

/** The payload string an author signs; `decodeChatPayload` reads it back. */
export function encodeChatPayload(payload: ChatPayload): string {
  const {from, kind, seq, text, ts} = payload
  const node = {id: from.id, name: from.name, host: from.host, port: from.port}
  // `kind` only when there is one: a plain message's payload (and so its id) is what it always was.
  return JSON.stringify(kind === undefined ? {from: node, text, ts, seq} : {from: node, text, ts, seq, kind})
}

export function decodeChatPayload(payload: string): ChatPayload {
  const obj = parsePayload(payload, 'chat payload')
  const decoded: ChatPayload = {
    from: wireNode(asObject(field(obj, 'from'), 'chat.from'), 'chat.from'),
    text: str(obj, 'text', 1, MAX_TEXT_CHARS),
    ts: integer(obj, 'ts', 0, Number.MAX_SAFE_INTEGER),
    seq: integer(obj, 'seq', 0, Number.MAX_SAFE_INTEGER),
  }
  const kind = field(obj, 'kind')
  if (kind === undefined) return decoded
  if (!(CHAT_KINDS as readonly unknown[]).includes(kind))
    throw new ProtocolError('bad_field', `"kind" must be one of ${CHAT_KINDS.join(', ')}`)
  return {...decoded, kind: kind as ChatPayload['kind']}
}

const KEY_B64 = /^[A-Za-z0-9_-]{43}$/

function base64urlKey(obj: Obj, key: string): string {
  const value = str(obj, key, 43, 43)
  if (!KEY_B64.test(value)) throw new ProtocolError('bad_field', `"${key}" must be a base64url key`)
  return value
}

export function encodeAnnouncePayload(payload: AnnouncePayload): string {
  const {dmKey, from, leaving, seq, ts} = payload
  return JSON.stringify({
    from: {id: from.id, name: from.name, host: from.host, port: from.port},
    dmKey,
    ts,
    seq,
    ...(leaving ? {leaving: true} : {}),
  })
}

export function decodeAnnouncePayload(payload: string): AnnouncePayload {
  const obj = parsePayload(payload, 'announce payload')
  return {
    from: wireNode(asObject(field(obj, 'from'), 'announce.from'), 'announce.from'),
    dmKey: base64urlKey(obj, 'dmKey'),
    ts: integer(obj, 'ts', 0, Number.MAX_SAFE_INTEGER),
    seq: integer(obj, 'seq', 0, Number.MAX_SAFE_INTEGER),
    ...(optionalBoolean(obj, 'leaving') ? {leaving: true} : {}),
  }
}

export function encodeDirectPayload(payload: DirectPayload): string {
  const {box, eph, from, seq, to, ts} = payload
  return JSON.stringify({from: {id: from.id, name: from.name, host: from.host, port: from.port}, to, eph, box, ts, seq})
}

export function decodeDirectPayload(payload: string): DirectPayload {
  const obj = parsePayload(payload, 'dm payload')
  const box = str(obj, 'box', 22, MAX_CHAT_PAYLOAD_CHARS)
  if (!/^[A-Za-z0-9_-]+$/.test(box)) throw new ProtocolError('bad_field', '"box" must be base64url')
  return {
    from: wireNode(asObject(field(obj, 'from'), 'dm.from'), 'dm.from'),
    to: str(obj, 'to', 1, MAX_ID_CHARS),
    eph: base64urlKey(obj, 'eph'),
    box,
    ts: integer(obj, 'ts', 0, Number.MAX_SAFE_INTEGER),
    seq: integer(obj, 'seq', 0, Number.MAX_SAFE_INTEGER),
  }
}

/**
 * A version-1 peer frames with a 4-byte length, so the first two bytes it sends are zero: a length no version-2
 * frame can have. Seeing it, we answer in version 1's own framing so the old node can tell its user why.
 */
export function isVersion1Header(header: number): boolean {
  return header === 0
}

export function encodeVersion1Error(message: string): Buffer {
  const body = Buffer.from(JSON.stringify({type: 'error', code: 'version', message}), 'utf8')
  const out = Buffer.allocUnsafe(4 + body.length)
  out.writeUInt32BE(body.length, 0)
  body.copy(out, 4)
  return out
}

// --- validation helpers: each returns a fresh primitive or throws ProtocolError naming the field ---

type Obj = Record<string, unknown>

function parseObject(bytes: Uint8Array, what: string): Obj {
  let text: string
  try {
    text = utf8.decode(bytes)
  } catch {
    throw new ProtocolError('bad_utf8', `${what} is not valid UTF-8`)
  }

  return parseText(text, what)
}

/** String.prototype.isWellFormed (ES2024, in Node 20): no lone surrogate. */
const isWellFormed = (text: string): boolean => (text as unknown as {isWellFormed(): boolean}).isWellFormed()

/**
 * A signed payload is already a string (a field of the frame's JSON), so it is parsed as it is instead of being
 * encoded to UTF-8 and decoded back for every copy (issue 16). Only a payload the round trip would change goes
 * through it as before, so the result is the same: one with a lone surrogate (UTF-8 turns it into U+FFFD) or with a
 * leading byte-order mark (the decoder drops it).
 */
function parsePayload(payload: string, what: string): Obj {
  if (payload.charCodeAt(0) === 0xfe_ff || !isWellFormed(payload))
    return parseObject(Buffer.from(payload, 'utf8'), what)
  return parseText(payload, what)
}

function parseText(text: string, what: string): Obj {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new ProtocolError('bad_json', `${what} is not valid JSON`)
  }

  return asObject(value, what)
}

function asObject(value: unknown, what: string): Obj {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ProtocolError('bad_frame', `${what} must be a JSON object`)
  }

  return value as Obj
}

function field(obj: Obj, key: string): unknown {
  // Own properties only: never read through a prototype a peer may have planted.
  return Object.hasOwn(obj, key) ? obj[key] : undefined
}

function str(obj: Obj, key: string, min: number, max: number): string {
  const value = field(obj, key)
  if (typeof value !== 'string') throw new ProtocolError('bad_field', `"${key}" must be a string`)
  if (value.length < min || value.length > max) {
    throw new ProtocolError('bad_field', `"${key}" must be ${min}..${max} characters long (got ${value.length})`)
  }

  return value
}

function integer(obj: Obj, key: string, min: number, max: number): number {
  const value = field(obj, key)
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ProtocolError('bad_field', `"${key}" must be an integer in ${min}..${max}`)
  }

  return value
}

/** An optional flag: absent is false; present, it must be a boolean. */
function optionalBoolean(obj: Obj, key: string): boolean {
  const value = field(obj, key)
  if (value === undefined) return false
  if (typeof value !== 'boolean') throw new ProtocolError('bad_field', `"${key}" must be a boolean`)
  return value
}

function name(obj: Obj, key: string): string {
  const value = str(obj, key, 1, MAX_NAME_CHARS)
  if (/[\u0000-\u001F\u007F-\u009F]/.test(value)) {
    throw new ProtocolError('bad_field', `"${key}" must not contain control characters`)
  }

  return value
}

function address(obj: Obj, what: string): WireAddress {
  const host = str(obj, 'host', 1, MAX_HOST_CHARS)
  if (/[\s\u0000-\u001F\u007F-\u009F]/.test(host))
    throw new ProtocolError('bad_field', `${what}.host is not a host name`)
  return {host, port: integer(obj, 'port', 1, 65_535)}
}

function signedPayload(obj: Obj): SignedPayload {
  const sig = str(obj, 'sig', SIGNATURE_CHARS, SIGNATURE_CHARS)
  if (!/^[A-Za-z0-9_-]+$/.test(sig)) throw new ProtocolError('bad_field', '"sig" must be base64url')
  return {payload: str(obj, 'payload', 1, MAX_CHAT_PAYLOAD_CHARS), sig}
}

const HEX_ID = /^[0-9a-f]{32}$/
const HEX_PREFIX = /^[0-9a-f]{0,32}$/
const FINGERPRINT = /^[A-Za-z0-9_-]{22}$/

function messageIdValue(value: unknown): string {
  if (typeof value !== 'string' || !HEX_ID.test(value))
    throw new ProtocolError('bad_field', 'a message id must be 32 lowercase hex digits')
  return value
}

/** On the wire a bound's time is the difference from the previous bound's (the first from 0): fewer digits. */
function syncWire(ranges: SyncRange[]): unknown[] {
  let last = 0
  return ranges.map((range) => {
    const ts = range[0] === null ? null : range[0] - last
    if (range[0] !== null) last = range[0]
    return range.length === 2 ? [ts, range[1]] : [ts, range[1], range[2]]
  })
}

/**
 * The ranges of a `sync` frame, checked whole: at most MAX_SYNC_RANGES ranges and MAX_SYNC_IDS ids, bounds strictly
 * increasing, ids in a list strictly increasing (so a list cannot repeat an id to cost more).
 */
function syncRanges(value: unknown): SyncRange[] {
  if (!Array.isArray(value) || value.length > MAX_SYNC_RANGES) {
    throw new ProtocolError('bad_field', `"ranges" must be an array of at most ${MAX_SYNC_RANGES}`)
  }

  let ids = 0
  let last = 0
  let previous: [number | null, string] | undefined
  return value.map((entry, i): SyncRange => {
    if (!Array.isArray(entry) || entry.length < 2 || entry.length > 3) {
      throw new ProtocolError('bad_field', `ranges[${i}] must be [ts, idPrefix] or [ts, idPrefix, fingerprint or ids]`)
    }

    const [delta, prefix, data] = entry as unknown[]
    if (
      delta !== null &&
      (typeof delta !== 'number' || !Number.isSafeInteger(delta) || delta < 0 || !Number.isSafeInteger(last + delta))
    ) {
      throw new ProtocolError(
        'bad_field',
        `ranges[${i}] bound time must be null or a whole number of ms after the previous bound`,
      )
    }

    const ts = delta === null ? null : last + delta
    if (ts !== null) last = ts

    if (typeof prefix !== 'string' || !HEX_PREFIX.test(prefix)) {
      throw new ProtocolError('bad_field', `ranges[${i}] bound id must be at most 32 lowercase hex digits`)
    }

    if (previous && compareBounds(previous, [ts, prefix]) >= 0) {
      throw new ProtocolError('bad_field', `ranges[${i}] does not come after the range before it`)
    }

    previous = [ts, prefix]
    if (entry.length === 2) return [ts, prefix]
    if (typeof data === 'string') {
      if (!FINGERPRINT.test(data))
        throw new ProtocolError(
          'bad_field',
          `ranges[${i}] fingerprint must be ${FINGERPRINT_CHARS} base64url characters`,
        )
      return [ts, prefix, data]
    }

    if (!Array.isArray(data))
      throw new ProtocolError('bad_field', `ranges[${i}] must end in a fingerprint or a list of ids`)
    ids += data.length
    if (ids > MAX_SYNC_IDS) throw new ProtocolError('bad_field', `a sync frame lists more than ${MAX_SYNC_IDS} ids`)
    const list = data.map((id) => messageIdValue(id))
    for (let k = 1; k < list.length; k++) {
      if (list[k - 1] >= list[k]) throw new ProtocolError('bad_field', `ranges[${i}] ids must be sorted and distinct`)
    }

    return [ts, prefix, list]
  })
}

/** Orders two range bounds: by time (null last), then by id prefix. */
export function compareBounds(a: readonly [number | null, string], b: readonly [number | null, string]): number {
  if (a[0] !== b[0]) {
    if (a[0] === null) return 1
    if (b[0] === null) return -1
    return a[0] < b[0] ? -1 : 1
  }

  return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0
}

function wireNode(obj: Obj, what: string): WireNode {
  return {id: str(obj, 'id', 1, MAX_ID_CHARS), name: name(obj, 'name'), ...address(obj, what)}
}
