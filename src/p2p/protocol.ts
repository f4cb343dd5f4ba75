// Wire protocol version 1: the only module that knows bytes.
//
// A frame is a 4-byte big-endian length N (1 ≤ N ≤ MAX_FRAME_BYTES) followed by N bytes of a UTF-8 JSON object
// with a string `type`. Every decoded frame is validated and copied field by field into a fresh object, so nothing
// a peer sends (extra fields, `__proto__`) survives into the engine.

export const PROTOCOL_VERSION = 1
export const FRAME_HEADER_BYTES = 4
export const MAX_FRAME_BYTES = 65_536
export const MAX_TEXT_CHARS = 4000
export const MAX_NAME_CHARS = 64
export const MAX_ID_CHARS = 128
export const MAX_HOST_CHARS = 255
export const MAX_PEERS_PER_FRAME = 64
export const MAX_ERROR_MESSAGE_CHARS = 500

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

export interface HelloFrame {
  type: 'hello'
  v: number
  id: string
  name: string
  listen: WireAddress
}

export interface ChatFrame {
  type: 'chat'
  id: string
  from: WireNode
  text: string
  ts: number
}

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

/** A frame whose type this version does not know: ignored, for forward compatibility. */
export interface UnknownFrame {
  type: 'unknown'
  originalType: string
}

export type Frame = ByeFrame | ChatFrame | ErrorFrame | HelloFrame | PeersFrame | PingFrame | PongFrame
export type DecodedFrame = Frame | UnknownFrame

const utf8 = new TextDecoder('utf-8', {fatal: true})

/** Encodes one frame: length prefix and JSON body. Throws if the body would exceed the frame limit. */
export function encodeFrame(frame: Frame): Buffer {
  const body = Buffer.from(JSON.stringify(frame), 'utf8')
  if (body.length > MAX_FRAME_BYTES) {
    throw new ProtocolError('frame_too_large', `frame of ${body.length} bytes exceeds the ${MAX_FRAME_BYTES}-byte limit`)
  }

  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + body.length)
  out.writeUInt32BE(body.length, 0)
  body.copy(out, FRAME_HEADER_BYTES)
  return out
}

/**
 * Splits a TCP byte stream into frame bodies. Never holds more than one frame's worth of bytes plus a header:
 * a length over the limit is refused as soon as its 4 header bytes arrive.
 */
export class FrameDecoder {
  #chunks: Buffer[] = []
  #buffered = 0
  #expected = -1

  get bufferedBytes(): number {
    return this.#buffered
  }

  /** Feeds bytes; returns the complete frame bodies they finish. Throws ProtocolError on a bad length. */
  push(chunk: Buffer): Buffer[] {
    if (chunk.length > 0) {
      this.#chunks.push(chunk)
      this.#buffered += chunk.length
    }

    const bodies: Buffer[] = []
    for (;;) {
      if (this.#expected < 0) {
        if (this.#buffered < FRAME_HEADER_BYTES) break
        const length = this.#take(FRAME_HEADER_BYTES).readUInt32BE(0)
        if (length === 0 || length > MAX_FRAME_BYTES) {
          throw new ProtocolError('bad_length', `frame length ${length} is outside 1..${MAX_FRAME_BYTES}`)
        }

        this.#expected = length
      }

      if (this.#buffered < this.#expected) break
      bodies.push(this.#take(this.#expected))
      this.#expected = -1
    }

    return bodies
  }

  /** True when the stream stopped in the middle of a frame (a truncated frame if the socket ends now). */
  get midFrame(): boolean {
    return this.#buffered > 0 || this.#expected >= 0
  }

  #take(n: number): Buffer {
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

/** Decodes and validates one frame body. Throws ProtocolError on anything malformed. */
export function decodeFrame(body: Uint8Array): DecodedFrame {
  let text: string
  try {
    text = utf8.decode(body)
  } catch {
    throw new ProtocolError('bad_utf8', 'frame is not valid UTF-8')
  }

  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new ProtocolError('bad_json', 'frame is not valid JSON')
  }

  const obj = asObject(value, 'frame')
  const type = field(obj, 'type')
  if (typeof type !== 'string') throw new ProtocolError('bad_frame', 'frame has no string "type"')

  switch (type) {
    case 'hello': {
      return {
        type,
        v: integer(obj, 'v', 0, Number.MAX_SAFE_INTEGER),
        id: str(obj, 'id', 1, MAX_ID_CHARS),
        name: name(obj, 'name'),
        listen: address(asObject(field(obj, 'listen'), 'hello.listen'), 'hello.listen'),
      }
    }

    case 'chat': {
      return {
        type,
        id: str(obj, 'id', 1, MAX_ID_CHARS),
        from: wireNode(asObject(field(obj, 'from'), 'chat.from'), 'chat.from'),
        text: str(obj, 'text', 1, MAX_TEXT_CHARS),
        ts: integer(obj, 'ts', 0, Number.MAX_SAFE_INTEGER),
      }
    }

    case 'peers': {
      const list = field(obj, 'peers')
      if (!Array.isArray(list)) throw new ProtocolError('bad_field', '"peers" must be an array')
      if (list.length > MAX_PEERS_PER_FRAME) {
        throw new ProtocolError('too_many_peers', `"peers" lists ${list.length} entries (the limit is ${MAX_PEERS_PER_FRAME})`)
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
      return {
        type,
        code: str(obj, 'code', 1, 64),
        message: str(obj, 'message', 0, MAX_ERROR_MESSAGE_CHARS),
      }
    }

    default: {
      return {type: 'unknown', originalType: type.slice(0, 64)}
    }
  }
}

// --- validation helpers: each returns a fresh primitive or throws ProtocolError naming the field ---

type Obj = Record<string, unknown>

function asObject(value: unknown, what: string): Obj {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ProtocolError('bad_frame', `${what} must be a JSON object`)
  }

  return value as Obj
}

function field(obj: Obj, key: string): unknown {
  // Own properties only: never read through a prototype a peer may have planted.
  return Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined
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

function name(obj: Obj, key: string): string {
  const value = str(obj, key, 1, MAX_NAME_CHARS)
  if (/[\u0000-\u001F\u007F-\u009F]/.test(value)) {
    throw new ProtocolError('bad_field', `"${key}" must not contain control characters`)
  }

  return value
}

function address(obj: Obj, what: string): WireAddress {
  const host = str(obj, 'host', 1, MAX_HOST_CHARS)
  if (/[\s\u0000-\u001F\u007F-\u009F]/.test(host)) throw new ProtocolError('bad_field', `${what}.host is not a host name`)
  return {host, port: integer(obj, 'port', 1, 65_535)}
}

function wireNode(obj: Obj, what: string): WireNode {
  return {id: str(obj, 'id', 1, MAX_ID_CHARS), name: name(obj, 'name'), ...address(obj, what)}
}
