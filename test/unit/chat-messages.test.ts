// The chat path apart from the node (src/p2p/chat-messages.ts): a message is relayed before it is shown, a repeat is
// neither, a late one said before this node was in the room is kept and passed on but not shown, and a full
// seen-cache drops payloads before their signature with one warning a minute.

import {expect} from 'chai'

import type {PeerConnection} from '../../src/p2p/connection.js'

import {type ChatHost, ChatMessages} from '../../src/p2p/chat-messages.js'
import {SeenCache} from '../../src/p2p/flood.js'
import {generateIdentity} from '../../src/p2p/identity.js'
import {SignedIntake} from '../../src/p2p/intake.js'
import {authorMessage} from '../../src/p2p/message-auth.js'
import {KeyedRateLimiter} from '../../src/p2p/rate-limit.js'
import {MessageStore} from '../../src/p2p/sync/store.js'

const alice = generateIdentity()
const conn = {reject() {}} as unknown as PeerConnection

function chatPath(options: {memberSince?: number; seen?: SeenCache} = {}): {
  chat: ChatMessages
  log: string[]
  tree: string[]
} {
  const log: string[] = []
  const tree: string[] = []
  const seen = options.seen ?? new SeenCache()
  const host: ChatHost = {
    intake: new SignedIntake({selfId: generateIdentity().id, seen, authorLimiter: new KeyedRateLimiter(100, 100)}),
    seen,
    store: new MessageStore(),
    memberSince: options.memberSince ?? 0,
    admitLink: () => true,
    heard: (from) => log.push(`heard ${from.name}`),
    remember: () => log.push('remember'),
    broadcast: (frame) => log.push(`broadcast ${frame.type}`),
    lazy: {
      delivered: (_id, from) => tree.push(from ? 'delivered' : 'delivered late'),
      duplicate: () => tree.push('duplicate'),
    },
    relayLate: (kind) => log.push(`late ${kind}`),
    lateDirect: () => log.push('late dm'),
    lateAnnounce: () => log.push('late announce'),
    deliver: (message) => log.push(`deliver ${message.text}${message.late ? ' (late)' : ''}`),
    stored: (frame) => log.push(`stored ${frame.kind}`),
    warn: (code) => log.push(`warn ${code}`),
  }
  return {chat: new ChatMessages(host), log, tree}
}

const said = (text: string, ts = Date.now()): {payload: string; sig: string} =>
  authorMessage(alice, {from: {id: alice.id, name: 'Alice', host: '127.0.0.1', port: 5000}, text, ts, seq: 1}).frame

describe('ChatMessages', () => {
  it('keeps and relays a new message before it delivers it, and drops its repeat', () => {
    const {chat, log} = chatPath()
    const frame = said('hi')
    chat.onChat(conn, frame)
    chat.onChat(conn, frame)
    expect(log).to.deep.equal(['heard Alice', 'remember', 'stored chat', 'broadcast chat', 'deliver hi'])
  })

  it('tells lazy push of a live message and of its live repeat (which prunes the link), not of a late repeat', () => {
    const {chat, tree} = chatPath()
    const frame = said('hi')
    chat.onChat(conn, frame)
    chat.onChat(conn, frame)
    chat.onLate(conn, {kind: 'chat', ...frame})
    const late = said('later')
    chat.onLate(conn, {kind: 'chat', ...late})
    expect(tree).to.deep.equal(['delivered', 'duplicate', 'delivered late'])
  })

  it('passes a late message on as late, and shows it only when said after this node was in the room', () => {
    const ts = Date.now() - 60_000
    const before = chatPath({memberSince: ts + 1})
    before.chat.onLate(conn, {kind: 'chat', ...said('old', ts)})
    expect(before.log).to.deep.equal(['heard Alice', 'remember', 'stored chat', 'late chat'])
    const after = chatPath({memberSince: ts - 1})
    after.chat.onLate(conn, {kind: 'chat', ...said('old', ts)})
    expect(after.log.at(-1)).to.equal('deliver old (late)')
  })

  it('hands the other kinds learned late to the direct messages', () => {
    const {chat, log} = chatPath()
    chat.onLate(conn, {kind: 'dm', payload: '{}', sig: ''})
    chat.onLate(conn, {kind: 'announce', payload: '{}', sig: ''})
    expect(log).to.deep.equal(['late dm', 'late announce'])
  })

  it('refuses a payload before its signature while the seen-cache has no room, warning once a minute', () => {
    const seen = new SeenCache({maxEntries: 1})
    seen.add('young')
    const {chat, log} = chatPath({seen})
    expect(chat.admit(conn, alice.id)).to.equal(false)
    expect(chat.admit(conn, alice.id)).to.equal(false)
    expect(log).to.deep.equal(['warn seen_cache_full'])
    expect(chatPath().chat.admit(conn, alice.id)).to.equal(true)
  })
})
