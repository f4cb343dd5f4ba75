// Room keys: the 32-byte pre-shared key of `Noise_XXpsk0_25519_ChaChaPoly_SHA256` that gates a room (SECURITY.md,
// "Handshake"). A non-member fails at the first handshake message, so the room key is what keeps strangers out.
// Pure node:crypto: no files, no terminal.

import crypto from 'node:crypto'

import {DEFAULT_PROTOCOL_NAME} from './noise/index.js'

export interface RoomKey {
  /** 32 bytes: the Noise PSK. Never log or publish it. */
  key: Buffer
  /** Hex SHA-256 of a domain prefix and the key: names the room, safe to publish (e.g. in mDNS). */
  roomId: string
  /** True for the fixed public room (no secret): anyone can compute its key. */
  isPublic: boolean
}

/** A secret that cannot make a room key: `code` says which way, for a UI to word in its own language. */
export class RoomSecretError extends Error {
  override readonly name = 'RoomSecretError'

  constructor(
    readonly code: 'empty_secret' | 'malformed_invite',
    message: string,
  ) {
    super(message)
  }
}

/** Why a passphrase is easy to guess, for a UI to word: `short` comes with the minimum length. */
export type PassphraseWeakness = {kind: 'common'} | {kind: 'digits'} | {kind: 'repeated'} | {kind: 'short'; min: number}

export const ROOM_KEY_LENGTH = 32
export const INVITE_PREFIX = 'chat-invite-'
/** base64url of 32 bytes, unpadded. */
const INVITE_BODY_LENGTH = 43
const INVITE_BYTES = 32
const BASE64URL_43 = /^[A-Za-z0-9_-]{43}$/

// Every label carries the protocol name, so a future protocol gets unrelated keys and ids for the same secret.
const PUBLIC_ROOM_LABEL = `chat/${DEFAULT_PROTOCOL_NAME}/public-room`
const ROOM_ID_PREFIX = `chat/${DEFAULT_PROTOCOL_NAME}/room-id:`
const INVITE_HKDF_SALT = `chat/${DEFAULT_PROTOCOL_NAME}/invite`
const INVITE_HKDF_INFO = 'room-key'

// scrypt for human passphrases. The salt is fixed on purpose: every member must derive the same key from the same
// passphrase with no exchange beforehand. The cost (N = 2^15, r = 8, p = 1: ~32 MiB, ~0.1 s) only slows offline
// guessing from a recorded handshake or a published room id; a random invite code needs no stretching at all.
// Changing any of these values splits every existing passphrase room: test/unit/room.test.ts pins them.
const SCRYPT_SALT = `chat/${DEFAULT_PROTOCOL_NAME}/room-passphrase`
const SCRYPT_N = 2 ** 15
const SCRYPT_R = 8
const SCRYPT_P = 1
// scrypt needs 128 * N * r bytes (32 MiB here), exactly node's default cap, which it then refuses: allow twice that.
const SCRYPT_MAXMEM = 2 * 128 * SCRYPT_N * SCRYPT_R

/**
 * The room key for a secret: none → the fixed public room; an invite code → HKDF over its 256 random bits; anything
 * else → scrypt of the passphrase. Surrounding whitespace is dropped and the text NFC-normalised, so a stray space
 * or a differently composed "é" does not silently put someone in another room. Throws on an empty secret and on text
 * that starts like an invite code but is not one (a truncated paste would otherwise land in a room of its own).
 */
export async function deriveRoomKey(secret?: string): Promise<RoomKey> {
  if (secret === undefined) return PUBLIC_ROOM

  const text = secret.trim().normalize('NFC')
  if (text === '')
    throw new RoomSecretError(
      'empty_secret',
      'the room secret is empty: pass a passphrase or an invite code (see "chat room invite"), or no secret for the public room',
    )

  const invite = parseInviteCode(text)
  if (invite)
    return roomKey(
      Buffer.from(crypto.hkdfSync('sha256', invite, INVITE_HKDF_SALT, INVITE_HKDF_INFO, ROOM_KEY_LENGTH)),
      false,
    )
  if (text.startsWith(INVITE_PREFIX)) {
    throw new RoomSecretError(
      'malformed_invite',
      `the room secret looks like an invite code but is malformed (expected ${INVITE_PREFIX} and ${INVITE_BODY_LENGTH} base64url characters): copy it again in full`,
    )
  }

  return roomKey(await scrypt(Buffer.from(text, 'utf8')), false)
}

/** A fresh invite code: 256 random bits, `chat-invite-` + 43 base64url characters. */
export function newInviteCode(): string {
  return INVITE_PREFIX + crypto.randomBytes(INVITE_BYTES).toString('base64url')
}

/** The 32 random bytes of an invite code, or undefined if `text` is not exactly one (surrounding whitespace allowed). */
export function parseInviteCode(text: string): Buffer | undefined {
  const trimmed = text.trim()
  if (!trimmed.startsWith(INVITE_PREFIX)) return undefined
  const body = trimmed.slice(INVITE_PREFIX.length)
  if (!BASE64URL_43.test(body)) return undefined
  const bytes = Buffer.from(body, 'base64url')
  // 43 characters carry 258 bits: reject spellings whose 2 spare bits are set, so one code has one spelling.
  if (bytes.length !== INVITE_BYTES || bytes.toString('base64url') !== body) return undefined
  return bytes
}

// Tiny on purpose: the length rule catches most dictionary words; these are long enough to pass it or are
// famous examples people copy. Compared after lowercasing and dropping non-alphanumerics and edge digits.
const COMMON_PASSPHRASES = new Set([
  'password',
  'passphrase',
  'passw0rd',
  'secret',
  'letmein',
  'qwerty',
  'qwertyuiop',
  'asdfghjkl',
  'iloveyou',
  'welcome',
  'admin',
  'changeme',
  'trustno1',
  'monkey',
  'dragon',
  'football',
  'baseball',
  'sunshine',
  'princess',
  'abcdef',
  'abcdefghijkl',
  'chat',
  'chatroom',
  'chatsecret',
  'mysecret',
  'supersecret',
  'topsecret',
  'secretpassword',
  'mypassword',
  'correcthorsebatterystaple',
  'senha',
  'segredo',
])
const MIN_PASSPHRASE_LENGTH = 12

/**
 * A one-line warning when a passphrase is easy to guess, else undefined (also for invite codes). Weak: fewer than 12
 * characters, only digits, a very common password, or one short pattern repeated.
 */
export function passphraseWarning(secret: string): string | undefined {
  const weak = passphraseWeakness(secret)
  if (!weak) return undefined
  const reason = {
    common: 'a very common password',
    digits: 'only digits',
    repeated: 'a short repeated pattern',
    short: `fewer than ${MIN_PASSPHRASE_LENGTH} characters`,
  }[weak.kind]
  return (
    `weak room passphrase (${reason}): anyone who records one handshake can try guesses offline at full speed; ` +
    'use a random invite code from "chat room invite" instead'
  )
}

/** Why a passphrase is weak, or undefined (a strong one, an invite code, an empty secret). */
export function passphraseWeakness(secret: string): PassphraseWeakness | undefined {
  const text = secret.trim().normalize('NFC')
  if (text === '' || parseInviteCode(text)) return undefined
  if (/^\d+$/.test(text)) return {kind: 'digits'}
  if ([...text].length < MIN_PASSPHRASE_LENGTH) return {kind: 'short', min: MIN_PASSPHRASE_LENGTH}
  const folded = text.toLowerCase().replaceAll(/[^\p{L}\p{N}]/gu, '')
  const core = folded.replaceAll(/^\d+|\d+$/g, '')
  if (COMMON_PASSPHRASES.has(core) || COMMON_PASSPHRASES.has(folded)) return {kind: 'common'}
  if (/^(.{1,4})\1+$/u.test(folded) || new Set(folded).size < 4) return {kind: 'repeated'}
  return undefined
}

function roomKey(key: Buffer, isPublic: boolean): RoomKey {
  // Knowing the room id lets nobody compute the key; but for a passphrase room it is as good a guessing oracle as a
  // recorded handshake (hence passphraseWarning).
  const roomId = sha256(Buffer.concat([Buffer.from(ROOM_ID_PREFIX, 'utf8'), key])).toString('hex')
  return {key, roomId, isPublic}
}

function sha256(data: Buffer): Buffer {
  return crypto.createHash('sha256').update(data).digest()
}

function scrypt(passphrase: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    crypto.scrypt(
      passphrase,
      SCRYPT_SALT,
      ROOM_KEY_LENGTH,
      {N: SCRYPT_N, r: SCRYPT_R, p: SCRYPT_P, maxmem: SCRYPT_MAXMEM},
      (error, key) => (error ? reject(error) : resolve(key)),
    )
  })
}

/** The room of every node started without a secret: separation from other protocols, not secrecy. */
export const PUBLIC_ROOM: RoomKey = roomKey(sha256(Buffer.from(PUBLIC_ROOM_LABEL, 'utf8')), true)
