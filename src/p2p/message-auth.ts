// Signed chat messages (libp2p's StrictSign): the author signs the exact payload string behind a domain prefix, the
// message id is a hash of that payload, and every hop checks before it shows or relays. A relay can drop a message
// but cannot change its text or its author, and nobody can speak as another node.

import {createHash} from 'node:crypto'

import type {SeenCache} from './flood.js'
import {type Identity, signWithPrefix, verifyWithPrefix} from './identity.js'
import {ChatNodeError} from './errors.js'
import {type ChatFrame, type ChatPayload, decodeChatPayload, encodeChatPayload, MAX_TEXT_CHARS, ProtocolError, type WireNode} from './protocol.js'
import type {ChatMessage} from './types.js'

export const MESSAGE_SIGNATURE_PREFIX = 'chat/2 message:'
/** Each kind of signed payload has its own prefix, so a signature for one is never valid as another. */
export const SIGNATURE_PREFIXES = {announce: 'chat/2 announce:', chat: MESSAGE_SIGNATURE_PREFIX, dm: 'chat/2 dm:'} as const
export type SignedKind = keyof typeof SIGNATURE_PREFIXES
const MESSAGE_ID_PREFIX = 'chat/2 message-id:'
/** Older messages are ignored (a replay outside the seen-cache's memory); the cache keeps ids longer than this. */
export const MAX_MESSAGE_AGE_MS = 5 * 60 * 1000
/** How far ahead of our clock an author's clock may run. */
export const MAX_CLOCK_SKEW_MS = 30 * 1000

/** 128 bits of SHA-256 over the signed payload: the same message has the same id at every hop. */
export function messageId(payload: string): string {
  return createHash('sha256').update(MESSAGE_ID_PREFIX).update(payload, 'utf8').digest('hex').slice(0, 32)
}

/** Signs a payload string of ours. */
export function signPayload(identity: Identity, kind: SignedKind, payload: string): string {
  return signWithPrefix(identity, SIGNATURE_PREFIXES[kind], Buffer.from(payload, 'utf8')).toString('base64url')
}

/** The outcome of checking any signed, flooded payload. */
export type SignedVerdict<T> =
  | {id: string; outcome: 'accept'; payload: T}
  | {outcome: 'ignore'; why: 'duplicate' | 'too_new' | 'too_old'}
  | {outcome: 'reject'; error: ProtocolError}

/** The same checks as checkMessage for announcements and direct messages. */
export function checkSigned<T extends {from: WireNode; ts: number}>(
  kind: SignedKind,
  frame: {payload: string; sig: string},
  decode: (payload: string) => T,
  context: {now: number; seen: Pick<SeenCache, 'has'>; anyAge?: boolean},
): SignedVerdict<T> {
  const id = messageId(frame.payload)
  if (context.seen.has(id)) return {outcome: 'ignore', why: 'duplicate'}
  let payload: T
  try {
    payload = decode(frame.payload)
  } catch (error) {
    return {outcome: 'reject', error: error as ProtocolError}
  }

  if (!context.anyAge && payload.ts < context.now - MAX_MESSAGE_AGE_MS) return {outcome: 'ignore', why: 'too_old'}
  if (payload.ts > context.now + MAX_CLOCK_SKEW_MS) return {outcome: 'ignore', why: 'too_new'}
  if (!verifyWithPrefix(payload.from.id, SIGNATURE_PREFIXES[kind], Buffer.from(frame.payload, 'utf8'), Buffer.from(frame.sig, 'base64url'))) {
    return {outcome: 'reject', error: new ProtocolError('bad_signature', `a ${kind} payload whose signature does not match its author (forged or altered)`)}
  }

  return {id, outcome: 'accept', payload}
}

/** Refuses a text of ours that no peer would accept: empty, or longer than the protocol allows. */
export function checkText(text: string): void {
  if (text.trim().length === 0) throw new ChatNodeError('EMPTY', 'an empty message is not sent')
  if (text.length > MAX_TEXT_CHARS) {
    throw new ChatNodeError(
      'TOO_LONG',
      `message too long: ${text.length.toLocaleString('en')} characters (the limit is ${MAX_TEXT_CHARS.toLocaleString('en')})`,
    )
  }
}

/** Builds and signs a message of ours. */
export function authorMessage(identity: Identity, content: ChatPayload): {frame: ChatFrame; message: ChatMessage} {
  const payload = encodeChatPayload(content)
  const sig = signWithPrefix(identity, MESSAGE_SIGNATURE_PREFIX, Buffer.from(payload, 'utf8')).toString('base64url')
  const {from, text, ts} = content
  return {frame: {type: 'chat', payload, sig}, message: {id: messageId(payload), from: {...from}, text, ts}}
}

/** gossipsub's validation outcomes: accept (show and relay), ignore (drop quietly), reject (drop, penalise the hop). */
export type Verdict =
  | {outcome: 'accept'; message: ChatMessage}
  | {outcome: 'ignore'; why: 'duplicate' | 'too_new' | 'too_old'}
  | {outcome: 'reject'; error: ProtocolError}

/** Checks a received chat frame, cheapest test first; the caller adds accepted ids to the seen-cache. */
export function checkMessage(
  frame: Pick<ChatFrame, 'payload' | 'sig'>,
  context: {now: number; seen: Pick<SeenCache, 'has'>; history?: boolean},
): Verdict {
  const id = messageId(frame.payload)
  if (context.seen.has(id)) return {outcome: 'ignore', why: 'duplicate'}
  let payload: ChatPayload
  try {
    payload = decodeChatPayload(frame.payload)
  } catch (error) {
    return {outcome: 'reject', error: error as ProtocolError}
  }

  // History is old by definition; it is shown as history, never relayed, so the age window does not apply.
  if (!context.history && payload.ts < context.now - MAX_MESSAGE_AGE_MS) return {outcome: 'ignore', why: 'too_old'}
  if (payload.ts > context.now + MAX_CLOCK_SKEW_MS) return {outcome: 'ignore', why: 'too_new'}
  if (!verifyWithPrefix(payload.from.id, MESSAGE_SIGNATURE_PREFIX, Buffer.from(frame.payload, 'utf8'), Buffer.from(frame.sig, 'base64url'))) {
    return {outcome: 'reject', error: new ProtocolError('bad_signature', 'a message whose signature does not match its author (forged or altered)')}
  }

  const {from, text, ts} = payload
  return {outcome: 'accept', message: {id, from, text, ts}}
}
