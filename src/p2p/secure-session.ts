// One connection's cryptography, without I/O: the Noise XXpsk0 handshake that carries each side's signed hello,
// then ChaCha20-Poly1305 transport frames. The connection feeds it received bytes and writes what it returns.
//
//   initiator                                   responder
//   -> psk, e                   (48 bytes; a wrong room key fails here, and the responder closes in silence)
//   <- e, ee, s, es  + hello    (the responder's identity, encrypted, reaches only room members)
//   -> s, se         + hello
//   <-> transport frames: uint16 length ‖ ciphertext

import {type Identity, isNodeId, signWithPrefix, verifyWithPrefix} from './identity.js'
import {
  type CipherState,
  DEFAULT_PROTOCOL_NAME,
  generateKeyPair,
  HandshakeState,
  NoiseError,
  NONCE_RECONNECT_THRESHOLD,
  type X25519KeyPair,
} from './noise/index.js'
import {
  decodeHelloPayload,
  encodeHelloPayload,
  encodeVersion1Error,
  FRAME_HEADER_BYTES,
  FrameDecoder,
  isVersion1Header,
  lengthPrefixed,
  MAX_FRAME_BYTES,
  MAX_HANDSHAKE_MESSAGE_BYTES,
  MIN_TRANSPORT_FRAME_BYTES,
  PROTOCOL_VERSION,
  ProtocolError,
  type WireAddress,
  type WireNode,
} from './protocol.js'

export const NOISE_PROTOCOL_NAME = DEFAULT_PROTOCOL_NAME
/** Transport frames carry no associated data. */
const NO_AD = Buffer.alloc(0)
/** Domain prefix of the signature that binds a Noise static key to an Ed25519 identity (libp2p's construction). */
export const STATIC_KEY_SIGNATURE_PREFIX = 'chat/2 noise-static:'

export interface RoomKeyMaterial {
  /** The 32-byte pre-shared key of the room. */
  key: Buffer
  /** A public id of the room (a hash of the key), mixed into the prologue. */
  roomId: string
}

export interface SessionOptions {
  initiator: boolean
  identity: Identity
  name: string
  listen: WireAddress
  room: RoomKeyMaterial
  /** Say in the hello that this node is a short-lived sender (`chat send`). */
  transient?: boolean
  /** Say in the hello that this node speaks lazy push (`ihave`, `graft`, `prune`). */
  lazy?: boolean
}

export interface SessionOutput {
  /** Bytes to write to the socket, in order. */
  write: Buffer[]
  /** Decrypted transport plaintexts, in order. */
  bodies: Buffer[]
  /** Set once, when the handshake completes: the peer as its signed hello describes it. */
  established?: RemoteHello
}

/** The peer as its hello describes it; `transient` only when it said it is a short-lived sender. */
export type RemoteHello = WireNode & {clockOffsetMs?: number; transient?: true; lazy?: true}

/** A handshake or transport failure. `reply` is what may be written before closing (usually nothing). */
export class SessionError extends ProtocolError {
  readonly reply: Buffer | undefined

  constructor(code: string, message: string, reply?: Buffer) {
    super(code, message)
    this.name = 'SessionError'
    this.reply = reply
  }
}

type Phase = 'awaiting-msg1' | 'awaiting-msg2' | 'awaiting-msg3' | 'failed' | 'transport'

export class SecureSession {
  readonly initiator: boolean
  readonly #options: SessionOptions
  readonly #static: X25519KeyPair = generateKeyPair()
  readonly #handshake: HandshakeState
  readonly #decoder = new FrameDecoder({minBytes: 1, maxBytes: MAX_HANDSHAKE_MESSAGE_BYTES})
  #phase: Phase
  #send: CipherState | undefined
  #recv: CipherState | undefined
  #sawFirstHeader = false
  #receivedBytes = 0

  constructor(options: SessionOptions) {
    this.initiator = options.initiator
    this.#options = options
    this.#phase = options.initiator ? 'awaiting-msg2' : 'awaiting-msg1'
    this.#handshake = new HandshakeState({
      initiator: options.initiator,
      staticKeyPair: this.#static,
      protocolName: NOISE_PROTOCOL_NAME,
      prologue: Buffer.from(`chat/${PROTOCOL_VERSION} ${NOISE_PROTOCOL_NAME} room:${options.room.roomId}`, 'utf8'),
      psks: [options.room.key],
    })
  }

  get established(): boolean {
    return this.#phase === 'transport'
  }

  /** True while the initiator has sent its first message and heard nothing back: a silent close means "refused". */
  get awaitingFirstReply(): boolean {
    return this.initiator && this.#phase === 'awaiting-msg2' && this.#receivedBytes === 0
  }

  /** What to write first: the initiator's message 1; nothing for the responder, which speaks only when spoken to. */
  start(): Buffer[] {
    return this.initiator ? [lengthPrefixed(this.#handshake.writeMessage())] : []
  }

  /** Feeds received bytes. Throws SessionError (or ProtocolError) on anything that must close the connection. */
  receive(chunk: Buffer): SessionOutput {
    const out: SessionOutput = {write: [], bodies: []}
    if (this.#phase === 'failed') return out
    this.#receivedBytes += chunk.length
    this.#decoder.push(chunk)
    try {
      this.#checkVersion1()
      for (let frame = this.#decoder.next(); frame; frame = this.#decoder.next()) {
        if (this.#phase === 'transport') out.bodies.push(this.#open(frame))
        else this.#handshakeStep(frame, out)
      }
    } catch (error) {
      this.#phase = 'failed'
      throw asSessionError(error)
    }

    return out
  }

  /** Encrypts one plaintext into a transport frame. */
  seal(plaintext: Buffer): Buffer {
    if (!this.#send) throw new SessionError('not_established', 'the handshake has not finished')
    if (this.#send.nonce >= NONCE_RECONNECT_THRESHOLD) {
      throw new SessionError('rekey', 'this connection has sent 2^32-1 frames: reconnect for fresh keys')
    }

    // Sealed straight after room for the length: one buffer per frame, no copy into a second one. The cipher state
    // refuses a plaintext whose frame would pass MAX_FRAME_BYTES (Noise's 65,535-byte message limit).
    const frame = this.#send.encryptWithAd(NO_AD, plaintext, FRAME_HEADER_BYTES)
    frame.writeUInt16BE(frame.length - FRAME_HEADER_BYTES, 0)
    return frame
  }

  #open(frame: Buffer): Buffer {
    try {
      return this.#recv!.decryptWithAd(NO_AD, frame)
    } catch (error) {
      if (error instanceof NoiseError)
        throw new SessionError('decrypt_failed', 'a frame failed authentication (tampered, replayed or not encrypted)')
      throw error
    }
  }

  #checkVersion1(): void {
    if (this.#sawFirstHeader) return
    const header = this.#decoder.peekHeader()
    if (header === undefined) return
    this.#sawFirstHeader = true
    if (!isVersion1Header(header)) return
    const message = `this node speaks chat protocol version ${PROTOCOL_VERSION} (encrypted) and the peer speaks version 1: both must run the same version`
    // An old node reads version 1 framing: answering in it lets that node show its user why.
    throw new SessionError('version', message, this.initiator ? undefined : encodeVersion1Error(message))
  }

  #handshakeStep(message: Buffer, out: SessionOutput): void {
    switch (this.#phase) {
      case 'awaiting-msg1': {
        try {
          this.#handshake.readMessage(message)
        } catch (error) {
          if (error instanceof NoiseError)
            throw new SessionError(
              'room_mismatch',
              'the room secret does not match (the handshake failed at its first message)',
            )
          throw error
        }

        out.write.push(lengthPrefixed(this.#handshake.writeMessage(this.#helloPayload())))
        this.#phase = 'awaiting-msg3'
        return
      }

      case 'awaiting-msg2': {
        const payload = this.#readHandshake(message)
        const remote = this.#verifyHello(payload)
        out.write.push(lengthPrefixed(this.#handshake.writeMessage(this.#helloPayload())))
        this.#finish(out, remote)
        return
      }

      case 'awaiting-msg3': {
        this.#finish(out, this.#verifyHello(this.#readHandshake(message)))
        return
      }

      default: {
        throw new SessionError('handshake_failed', `unexpected handshake message in phase ${this.#phase}`)
      }
    }
  }

  #readHandshake(message: Buffer): Buffer {
    try {
      return this.#handshake.readMessage(message)
    } catch (error) {
      if (error instanceof NoiseError)
        throw new SessionError('handshake_failed', `the handshake failed: ${error.message}`)
      throw error
    }
  }

  #helloPayload(): Buffer {
    const {identity, lazy, listen, name, transient} = this.#options
    const sig = signWithPrefix(identity, STATIC_KEY_SIGNATURE_PREFIX, this.#static.publicKey).toString('base64url')
    const flags = {...(transient ? {transient: true} : {}), ...(lazy ? {lazy: true} : {})}
    return encodeHelloPayload({v: PROTOCOL_VERSION, id: identity.id, name, listen, sig, now: Date.now(), ...flags})
  }

  #verifyHello(payload: Buffer): RemoteHello {
    const hello = decodeHelloPayload(payload)
    if (hello.v !== PROTOCOL_VERSION) {
      throw new SessionError(
        'version',
        `the peer speaks chat protocol version ${hello.v}; this node speaks version ${PROTOCOL_VERSION}`,
      )
    }

    const remoteStatic = this.#handshake.remoteStaticPublicKey
    if (
      !isNodeId(hello.id) ||
      !remoteStatic ||
      !verifyWithPrefix(hello.id, STATIC_KEY_SIGNATURE_PREFIX, remoteStatic, Buffer.from(hello.sig, 'base64url'))
    ) {
      throw new SessionError('bad_identity', "the peer's identity signature does not match its handshake key")
    }

    // How far the peer's clock is ahead of ours (negative: behind), give or take one trip of the handshake.
    const clock = hello.now === undefined ? {} : {clockOffsetMs: hello.now - Date.now()}
    const remote = {id: hello.id, name: hello.name, host: hello.listen.host, port: hello.listen.port, ...clock}
    return {...remote, ...(hello.transient ? {transient: true} : {}), ...(hello.lazy ? {lazy: true} : {})}
  }

  #finish(out: SessionOutput, remote: RemoteHello): void {
    const {recv, send} = this.#handshake.split()
    this.#send = send
    this.#recv = recv
    this.#phase = 'transport'
    this.#decoder.limits = {minBytes: MIN_TRANSPORT_FRAME_BYTES, maxBytes: MAX_FRAME_BYTES}
    out.established = remote
  }
}

function asSessionError(error: unknown): ProtocolError {
  if (error instanceof ProtocolError) return error
  if (error instanceof NoiseError) return new SessionError('handshake_failed', `the handshake failed: ${error.message}`)
  return new SessionError('internal', String(error))
}
