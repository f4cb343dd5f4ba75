// A signed frame as the store keeps it: its id and author time read from the payload the author signed.

import type {StoredFrame} from './store.js'

import {messageId} from '../message-auth.js'
import {decodeAnnouncePayload, decodeChatPayload, decodeDirectPayload, type SyncItemKind} from '../protocol.js'

const DECODERS: Record<SyncItemKind, (payload: string) => {ts: number}> = {
  announce: decodeAnnouncePayload,
  chat: decodeChatPayload,
  dm: decodeDirectPayload,
}

/**
 * The stored form of a frame; throws ProtocolError if the payload is malformed. Does not check the signature.
 * `known` (id and author time, from a validation that already decoded it) spares decoding and hashing again.
 */
export function toStoredFrame(
  kind: SyncItemKind,
  frame: {payload: string; sig: string},
  known?: {id: string; ts: number},
): StoredFrame {
  const {id, ts} = known ?? {id: messageId(frame.payload), ts: DECODERS[kind](frame.payload).ts}
  return {id, ts, kind, payload: frame.payload, sig: frame.sig}
}

/**
 * Frames kept by an earlier run, as the caller read them back (the history log): malformed ones are skipped, not
 * fatal. Signatures are not checked again: the file is this node's own, and every peer checks what it is sent.
 */
export function restoreFrames(frames: Iterable<{kind: string; payload: string; sig: string}>): StoredFrame[] {
  const out: StoredFrame[] = []
  for (const {kind, payload, sig} of frames) {
    if (kind !== 'announce' && kind !== 'chat' && kind !== 'dm') continue
    try {
      out.push(toStoredFrame(kind, {payload, sig}))
    } catch {
      // a damaged line: skipped
    }
  }

  return out
}
