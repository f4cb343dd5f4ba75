// Noise HandshakeState (§5.3) for patterns without pre-messages (XX), with psk modifiers (§9).

import type {KeyObject} from 'node:crypto'

import {CipherState, MAX_MESSAGE_LEN, TAGLEN} from './cipher-state.js'
import {NoiseError} from './errors.js'
import {DEFAULT_PROTOCOL_NAME, type HandshakePattern, parseProtocolName, type Token} from './patterns.js'
import {SymmetricState} from './symmetric-state.js'
import {dh, DHLEN, generateKeyPair, type X25519KeyPair} from './x25519.js'

export const PSKLEN = 32

export interface HandshakeOptions {
  initiator: boolean
  /** Our static key pair, sent (encrypted) in the handshake. */
  staticKeyPair: X25519KeyPair
  /** Defaults to {@link DEFAULT_PROTOCOL_NAME}. */
  protocolName?: string
  /** Both sides must use identical bytes or the handshake fails (Noise §6). Default: empty. */
  prologue?: Uint8Array
  /** One 32-byte key per psk token, in the order the tokens occur. */
  psks?: readonly Uint8Array[]
  /** Fixed ephemeral key pair. Tests (known-answer vectors) only: reusing one destroys forward secrecy. */
  ephemeralKeyPair?: X25519KeyPair
}

/** Transport ciphers oriented for this side. */
export interface TransportCiphers {
  send: CipherState
  recv: CipherState
}

type Phase = 'handshake' | 'complete' | 'split' | 'failed'

export class HandshakeState {
  readonly initiator: boolean
  readonly pattern: HandshakePattern
  readonly #symmetric: SymmetricState
  readonly #s: X25519KeyPair
  #e: X25519KeyPair | null
  #rs: Buffer | null = null
  #re: Buffer | null = null
  readonly #psks: Buffer[]
  #pskIndex = 0
  #messageIndex = 0
  #phase: Phase = 'handshake'
  #handshakeHash: Buffer | null = null

  constructor(options: HandshakeOptions) {
    this.initiator = options.initiator
    this.pattern = parseProtocolName(options.protocolName ?? DEFAULT_PROTOCOL_NAME)
    const psks = options.psks ?? []
    if (psks.length !== this.pattern.pskCount) {
      throw new NoiseError(
        'invalid_psk',
        `${this.pattern.name} needs ${this.pattern.pskCount} PSK(s), got ${psks.length}`,
      )
    }

    if (psks.some((psk) => psk.length !== PSKLEN)) throw new NoiseError('invalid_psk', `PSKs must be ${PSKLEN} bytes`)
    this.#psks = psks.map((psk) => Buffer.from(psk))
    for (const kp of [options.staticKeyPair, options.ephemeralKeyPair]) {
      if (kp !== undefined && kp.publicKey.length !== DHLEN) throw new NoiseError('invalid_key', 'bad key pair')
    }

    this.#s = options.staticKeyPair
    this.#e = options.ephemeralKeyPair ?? null

    this.#symmetric = new SymmetricState(this.pattern.protocolName)
    this.#symmetric.mixHash(options.prologue ?? Buffer.alloc(0))
    // XX has no pre-message keys to hash here.
  }

  /** True once the last handshake message has been written or read; then call {@link split}. */
  get isComplete(): boolean {
    return this.#phase === 'complete' || this.#phase === 'split'
  }

  /** True when it is our turn to write (false once complete or failed). */
  get isMyTurn(): boolean {
    return this.#phase === 'handshake' && this.#messageIndex % 2 === (this.initiator ? 0 : 1)
  }

  /** h: while running, the transcript so far; once complete, the channel-binding value both sides share. */
  get handshakeHash(): Buffer {
    return this.#handshakeHash === null ? this.#symmetric.getHandshakeHash() : Buffer.from(this.#handshakeHash)
  }

  get localStaticPublicKey(): Buffer {
    return Buffer.from(this.#s.publicKey)
  }

  /** The peer's static key once its `s` token has been read; authenticated only when the handshake completes. */
  get remoteStaticPublicKey(): Buffer | null {
    return this.#rs === null ? null : Buffer.from(this.#rs)
  }

  get remoteEphemeralPublicKey(): Buffer | null {
    return this.#re === null ? null : Buffer.from(this.#re)
  }

  /**
   * Writes the next handshake message around `payload`. A payload that would push the message past 65,535 bytes
   * is refused before any state changes; any other error leaves the handshake failed.
   */
  writeMessage(payload: Uint8Array = Buffer.alloc(0)): Buffer {
    const tokens = this.#begin(true)
    const length = this.#messageLength(tokens, payload.length)
    if (length > MAX_MESSAGE_LEN) {
      throw new NoiseError('message_too_large', `handshake message would be ${length} bytes (max ${MAX_MESSAGE_LEN})`)
    }

    return this.#guard(() => {
      const out: Buffer[] = []
      for (const token of tokens) {
        switch (token) {
          case 'e': {
            if (this.#e === null) this.#e = generateKeyPair()
            out.push(Buffer.from(this.#e.publicKey))
            this.#mixEphemeral(this.#e.publicKey)
            break
          }

          case 's': {
            out.push(this.#symmetric.encryptAndHash(this.#s.publicKey))
            break
          }

          case 'psk': {
            this.#mixPsk()
            break
          }

          default: {
            this.#mixDh(token)
          }
        }
      }

      out.push(this.#symmetric.encryptAndHash(payload))
      this.#advance()
      return Buffer.concat(out)
    })
  }

  /** Reads the peer's next handshake message and returns its payload. Every error leaves the handshake failed. */
  readMessage(message: Uint8Array): Buffer {
    const tokens = this.#begin(false)
    return this.#guard(() => {
      if (message.length > MAX_MESSAGE_LEN) {
        throw new NoiseError(
          'message_too_large',
          `handshake message of ${message.length} bytes (max ${MAX_MESSAGE_LEN})`,
        )
      }

      const minimum = this.#messageLength(tokens, 0)
      if (message.length < minimum) {
        throw new NoiseError('message_too_short', `handshake message of ${message.length} bytes (min ${minimum})`)
      }

      let offset = 0
      const take = (n: number): Buffer => {
        const part = Buffer.from(message.subarray(offset, offset + n))
        offset += n
        return part
      }

      for (const token of tokens) {
        switch (token) {
          case 'e': {
            this.#re = take(DHLEN)
            this.#mixEphemeral(this.#re)
            break
          }

          case 's': {
            const sealed = take(DHLEN + (this.#symmetric.hasKey() ? TAGLEN : 0))
            this.#rs = this.#symmetric.decryptAndHash(sealed)
            break
          }

          case 'psk': {
            this.#mixPsk()
            break
          }

          default: {
            this.#mixDh(token)
          }
        }
      }

      const payload = this.#symmetric.decryptAndHash(message.subarray(offset))
      this.#advance()
      return payload
    })
  }

  /**
   * Noise Split, oriented for this side. Allowed once: two copies of the same keys would reuse nonces.
   */
  split(): TransportCiphers {
    if (this.#phase !== 'complete') {
      throw new NoiseError('invalid_state', this.#phase === 'split' ? 'already split' : 'handshake not complete')
    }

    const [initiatorToResponder, responderToInitiator] = this.#symmetric.split()
    this.#phase = 'split'
    this.#e = null
    for (const psk of this.#psks) psk.fill(0)
    return this.initiator
      ? {send: initiatorToResponder, recv: responderToInitiator}
      : {send: responderToInitiator, recv: initiatorToResponder}
  }

  #begin(writing: boolean): readonly Token[] {
    if (this.#phase === 'failed') throw new NoiseError('invalid_state', 'handshake already failed')
    if (this.#phase !== 'handshake') throw new NoiseError('invalid_state', 'handshake already complete')
    if (this.isMyTurn !== writing) {
      throw new NoiseError('out_of_turn', `expected to ${writing ? 'read' : 'write'} message ${this.#messageIndex + 1}`)
    }

    const tokens = this.pattern.messages[this.#messageIndex]
    if (tokens === undefined) throw new NoiseError('invalid_state', 'no such handshake message')
    return tokens
  }

  // Any error mid-message leaves h/ck half-updated, so the handshake cannot continue.
  #guard<T>(step: () => T): T {
    try {
      return step()
    } catch (error) {
      this.#phase = 'failed'
      this.#e = null
      throw error instanceof NoiseError
        ? error
        : new NoiseError('invalid_state', 'handshake step failed', {cause: error})
    }
  }

  #advance(): void {
    this.#messageIndex++
    if (this.#messageIndex === this.pattern.messages.length) {
      this.#phase = 'complete'
      this.#handshakeHash = this.#symmetric.getHandshakeHash()
    }
  }

  /** Exact size of the message for `tokens` around a payload, tracking when the handshake cipher gets a key. */
  #messageLength(tokens: readonly Token[], payloadLength: number): number {
    let keyed = this.#symmetric.hasKey()
    let length = 0
    for (const token of tokens) {
      if (token === 'e') {
        length += DHLEN
        if (this.pattern.pskCount > 0) keyed = true
      } else if (token === 's') {
        length += DHLEN + (keyed ? TAGLEN : 0)
      } else {
        keyed = true
      }
    }

    return length + payloadLength + (keyed ? TAGLEN : 0)
  }

  #mixEphemeral(publicKey: Uint8Array): void {
    this.#symmetric.mixHash(publicKey)
    // Noise §9.2: with PSKs, e also feeds the key so nothing is encrypted under a PSK-only key twice.
    if (this.pattern.pskCount > 0) this.#symmetric.mixKey(publicKey)
  }

  #mixPsk(): void {
    const psk = this.#psks[this.#pskIndex++]
    if (psk === undefined) throw new NoiseError('invalid_psk', 'ran out of PSKs')
    this.#symmetric.mixKeyAndHash(psk)
  }

  #mixDh(token: 'ee' | 'es' | 'se' | 'ss'): void {
    // es = DH(initiator e, responder s); se = DH(initiator s, responder e): which local key depends on the role.
    const local = (which: 'e' | 's'): KeyObject => {
      const kp = which === 'e' ? this.#e : this.#s
      if (kp === null) throw new NoiseError('invalid_state', `no local ${which} key for ${token}`)
      return kp.privateKey
    }

    const remote = (which: 'e' | 's'): Buffer => {
      const key = which === 'e' ? this.#re : this.#rs
      if (key === null) throw new NoiseError('invalid_state', `no remote ${which} key for ${token}`)
      return key
    }

    const [mine, theirs]: ['e' | 's', 'e' | 's'] =
      token === 'ee'
        ? ['e', 'e']
        : token === 'ss'
          ? ['s', 's']
          : token === 'es'
            ? this.initiator
              ? ['e', 's']
              : ['s', 'e']
            : this.initiator
              ? ['s', 'e']
              : ['e', 's']
    const shared = dh(local(mine), remote(theirs))
    this.#symmetric.mixKey(shared)
    shared.fill(0)
  }
}
