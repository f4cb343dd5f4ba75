// The node's side of lazy push (src/p2p/lazy-push.ts): who takes part (both hellos say lazy), grafts answered from
// the store within a budget, and the frames it sends.
import {expect} from 'chai'

import type {PeerConnection} from '../../src/p2p/connection.js'
import type {Frame} from '../../src/p2p/protocol.js'

import {GRAFTED_BURST, LazyPush} from '../../src/p2p/lazy-push.js'

type Fake = PeerConnection & {sent: Frame[]}

function peer(id: string, lazy = true): Fake {
  const sent: Frame[] = []
  return {peerId: id, lazy, sent, sendFrame: (frame: Frame) => sent.push(frame) > 0} as unknown as Fake
}

const id = (n: number): string => n.toString(16).padStart(32, '0')
const stored = new Map([[id(1), {payload: '{"text":"one"}', sig: 'S'.repeat(86)}]])
const host = {known: (x: string) => stored.has(x), chat: (x: string) => stored.get(x)}

describe('lazy push (the node side)', () => {
  let push: LazyPush | undefined

  afterEach(() => push?.stop())

  it('answers a graft with the stored chat frame, skipping ids it no longer holds, and makes the link eager', () => {
    push = new LazyPush(host, true)
    const a = peer('a')
    push.up(a)
    push.onPrune(a)
    expect(push.route([a], id(9))).to.deep.equal([])
    push.onGraft(a, {type: 'graft', ids: [id(1), id(2)]})
    expect(a.sent).to.deep.equal([{type: 'chat', ...stored.get(id(1))}])
    expect(push.route([a], id(10))).to.deep.equal([a])
  })

  it('answers at most a burst of grafts from one peer', () => {
    push = new LazyPush(host, true)
    const a = peer('a')
    push.up(a)
    for (let i = 0; i < GRAFTED_BURST + 10; i++) push.onGraft(a, {type: 'graft', ids: [id(1)]})
    expect(a.sent.length).to.be.within(GRAFTED_BURST, GRAFTED_BURST + 1)
  })

  it('ignores ihave, graft and prune from a peer whose hello did not say lazy, and pushes to it whole', () => {
    push = new LazyPush(host, true)
    const old = peer('old', false)
    push.up(old)
    push.onPrune(old)
    push.onGraft(old, {type: 'graft', ids: [id(1)]})
    push.onIhave(old, {type: 'ihave', ids: [id(5)]})
    push.duplicate(old)
    expect(old.sent).to.deep.equal([])
    expect(push.route([old], id(3))).to.deep.equal([old])
  })

  it('switched off, it says nothing, prunes nothing and pushes every message whole', () => {
    push = new LazyPush(host, false)
    const a = peer('a')
    push.up(a)
    push.duplicate(a)
    push.onPrune(a)
    push.onGraft(a, {type: 'graft', ids: [id(1)]})
    expect(a.sent).to.deep.equal([])
    expect(push.route([a], id(3))).to.deep.equal([a])
    expect(push.stats).to.include({eager: 1, lazy: 0, prunes: 0})
  })
})
