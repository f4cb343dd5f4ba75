// Signed, flooded payloads (libp2p's StrictSign): the author signs the exact payload string behind a prefix of its
// kind, the message id is a hash of that payload, and every hop validates before it shows, stores or relays. A relay
// can drop a payload but cannot change its text or its author, and nobody can speak as another node. One validation
// for every kind (gossipsub's validateReceivedMessage): it returns a verdict; src/p2p/intake.ts acts on it.

import crypto from 'node:crypto'

import type {SeenCache} from './flood.js'
import type {ChatMessage} from './types.js'

import {ChatNodeError} from './errors.js'
import {type Identity, signWithPrefix, verifyWithPrefix} from './identity.js'
import {
  type AnnouncePayload,
  type ChatFrame,
  type ChatPayload,
  decodeAnnouncePayload,
  decodeChatPayload,
  decodeDirectPayload,
  type DirectPayload,
  encodeChatPayload,
  MAX_TEXT_CHARS,
  ProtocolError,
  type SignedFrame,
  type SignedPayload,
  type SignedType,
} from './protocol.js'

export const MESSAGE_SIGNATURE_PREFIX = 'chat/2 message:'
/** Each kind of signed payload has its own prefix, so a signature for one is never valid as another. */
export const SIGNATURE_PREFIXES = {
  announce: 'chat/2 announce:',
  chat: MESSAGE_SIGNATURE_PREFIX,
  dm: 'chat/2 dm:',
} as const
export type SignedKind = SignedType
const MESSAGE_ID_PREFIX = 'chat/2 message-id:'
/** Older messages are ignored (a replay outside the seen-cache's memory); the cache keeps ids longer than this. */
export const MAX_MESSAGE_AGE_MS = 5 * 60 * 1000
/**
 * How far ahead of our clock an author's clock may run: minutes, as real laptops drift (peers whose clocks differ by
 * more than CLOCK_WARNING_MS are told at connection). A live message older than this is shown as late.
 */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000
/** Peers whose clocks differ by more than this are both told, once per connection. */
export const CLOCK_WARNING_MS = 60 * 1000

/** What each kind's payload decodes to. */
export interface SignedPayloads {
  announce: AnnouncePayload
  chat: ChatPayload
  dm: DirectPayload
}
const DECODERS: {[K in SignedKind]: (payload: string) => SignedPayloads[K]} = {
  announce: decodeAnnouncePayload,
  chat: decodeChatPayload,
  dm: decodeDirectPayload,
}
/** How a forged payload of each kind is named in the error (`bad_signature`). */
const FORGED: {[K in SignedKind]: string} = {announce: 'an announce payload', chat: 'a message', dm: 'a dm payload'}

/**
 * SHA-256 in hex of a UTF-8 string. crypto.hash (Node ≥ 20.12) does it in one call, about 5 × faster than a Hash
 * object for a payload this short, and every copy of every message is hashed; older Node 20 releases use the object.
 */
const sha256Hex: (data: string) => string =
  // eslint-disable-next-line n/no-unsupported-features/node-builtins -- guarded: older Node 20 releases take the other branch
  typeof crypto.hash === 'function'
    ? // eslint-disable-next-line n/no-unsupported-features/node-builtins -- only reached where crypto.hash exists
      (data) => crypto.hash('sha256', data, 'hex')
    : (data) => crypto.createHash('sha256').update(data, 'utf8').digest('hex')

/** 128 bits of SHA-256 over the signed payload: the same message has the same id at every hop. */
export function messageId(payload: string): string {
  return sha256Hex(MESSAGE_ID_PREFIX + payload).slice(0, 32)
}

/** Signs a payload string of ours. */
export function signPayload(identity: Identity, kind: SignedKind, payload: string): string {
  return signWithPrefix(identity, SIGNATURE_PREFIXES[kind], Buffer.from(payload, 'utf8')).toString('base64url')
}

/** A frame of ours, ready to flood. */
export function signFrame<K extends SignedKind>(identity: Identity, kind: K, payload: string): SignedFrame<K> {
  return {type: kind, payload, sig: signPayload(identity, kind, payload)}
}

/** Refuses a text of ours that no peer would accept: empty, or longer than the protocol allows. */
export function checkText(text: string): void {
  if (text.trim().length === 0) throw new ChatNodeError({code: 'empty'})
  if (text.length > MAX_TEXT_CHARS)
    throw new ChatNodeError({code: 'too_long', length: text.length, limit: MAX_TEXT_CHARS})
}

/** Builds and signs a message of ours. */
export function authorMessage(identity: Identity, content: ChatPayload): {frame: ChatFrame; message: ChatMessage} {
  const frame = signFrame(identity, 'chat', encodeChatPayload(content))
  return {frame, message: chatMessage(messageId(frame.payload), {...content, from: {...content.from}})}
}

/** gossipsub's validation outcomes: accept (show, store or relay), ignore (drop quietly), reject (drop, penalise the hop). */
export type SignedVerdict<T> =
  | {id: string; outcome: 'accept'; payload: T}
  | {outcome: 'ignore'; why: 'duplicate' | 'over_budget' | 'too_new' | 'too_old'}
  | {outcome: 'reject'; error: ProtocolError}

export interface ValidationContext {
  now: number
  seen: Pick<SeenCache, 'has'>
  /** No age window: history and key lists are old by definition; they are shown or stored, never relayed. */
  anyAge?: boolean
  /** The age window (default MAX_MESSAGE_AGE_MS): with a message store, back to its horizon (docs/sync.md). */
  maxAgeMs?: number
  /**
   * Asked with the author's id after the cheap checks, just before the signature (the expensive one): false ignores
   * the payload as over budget (the link's budget for never-seen authors, or a full seen-cache).
   */
  beforeSignature?: (authorId: string) => boolean
}

/** Validates any received signed payload, cheapest test first; the caller adds accepted ids to the seen-cache. */
export function validateSigned<K extends SignedKind>(
  kind: K,
  frame: SignedPayload,
  context: ValidationContext,
): SignedVerdict<SignedPayloads[K]> {
  const id = messageId(frame.payload)
  if (context.seen.has(id)) return {outcome: 'ignore', why: 'duplicate'}
  let payload: SignedPayloads[K]
  try {
    payload = DECODERS[kind](frame.payload) as SignedPayloads[K]
  } catch (error) {
    return {outcome: 'reject', error: error as ProtocolError}
  }

  if (!context.anyAge && payload.ts < context.now - (context.maxAgeMs ?? MAX_MESSAGE_AGE_MS))
    return {outcome: 'ignore', why: 'too_old'}
  if (payload.ts > context.now + MAX_CLOCK_SKEW_MS) return {outcome: 'ignore', why: 'too_new'}
  if (context.beforeSignature && !context.beforeSignature(payload.from.id))
    return {outcome: 'ignore', why: 'over_budget'}
  if (
    !verifyWithPrefix(
      payload.from.id,
      SIGNATURE_PREFIXES[kind],
      Buffer.from(frame.payload, 'utf8'),
      Buffer.from(frame.sig, 'base64url'),
    )
  ) {
    return {
      outcome: 'reject',
      error: new ProtocolError(
        'bad_signature',
        `${FORGED[kind]} whose signature does not match its author (forged or altered)`,
      ),
    }
  }

  return {id, outcome: 'accept', payload}
}

/** The chat view of a verdict: an accepted payload as the message shown. */
export type Verdict =
  {outcome: 'accept'; message: ChatMessage} | Exclude<SignedVerdict<ChatPayload>, {outcome: 'accept'}>

/** validateSigned for a chat frame, the accepted payload turned into the message shown. */
export function checkMessage(frame: SignedPayload, context: ValidationContext): Verdict {
  const verdict = validateSigned('chat', frame, context)
  return verdict.outcome === 'accept' ? {outcome: 'accept', message: chatMessage(verdict.id, verdict.payload)} : verdict
}

/** An accepted chat payload as the message shown and logged. */
export function chatMessage(id: string, {from, kind, text, ts}: ChatPayload): ChatMessage {
  return {id, from, text, ts, ...(kind === 'action' ? {action: true} : {})}
}
