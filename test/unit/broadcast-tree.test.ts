import {expect} from 'chai'

import {BroadcastTree, MAX_ANNOUNCERS, type TreeHost} from '../../src/p2p/broadcast-tree.js'
import {MAX_TREE_IDS} from '../../src/p2p/protocol.js'

type Sent = {to: string; type: 'graft' | 'ihave' | 'prune'; ids?: string[]}

function makeTree(options: {maxMissing?: number} = {}): {
  clock: {now: number}
  sent: Sent[]
  tree: BroadcastTree<string>
} {
  const sent: Sent[] = []
  const host: TreeHost<string> = {
    ihave: (to, ids) => sent.push({to, type: 'ihave', ids}),
    graft: (to, ids) => sent.push({to, type: 'graft', ids}),
    prune: (to) => sent.push({to, type: 'prune'}),
  }
  const clock = {now: 1000}
  const tree = new BroadcastTree(host, {
    announceDelayMs: 0,
    graftTimeoutMs: 100,
    graftRetryMs: 50,
    now: () => clock.now,
    ...options,
  })
  return {clock, sent, tree}
}

/** Lets the announcement timer (0 ms in these tests) fire. */
const turn = (): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, 1)
  })
const id = (n: number): string => n.toString(16).padStart(32, '0')

describe('broadcast tree (lazy push)', () => {
  let tree: BroadcastTree<string> | undefined

  afterEach(() => tree?.stop())

  it('starts with every link eager: a message goes whole to every target', async () => {
    const t = makeTree()
    tree = t.tree
    for (const peer of ['a', 'b', 'c']) tree.add(peer, true)
    expect(tree.route(['a', 'b', 'c'], id(1))).to.deep.equal(['a', 'b', 'c'])
    await turn()
    expect(t.sent).to.deep.equal([])
    expect(tree.stats).to.include({eager: 3, lazy: 0})
  })

  it('prunes a link that brings a duplicate (once), then announces ids on it together in one ihave', async () => {
    const t = makeTree()
    tree = t.tree
    for (const peer of ['a', 'b']) tree.add(peer, true)
    tree.duplicate('b')
    tree.duplicate('b')
    expect(t.sent).to.deep.equal([{to: 'b', type: 'prune'}])
    expect(tree.route(['a', 'b'], id(1))).to.deep.equal(['a'])
    expect(tree.route(['a', 'b'], id(2))).to.deep.equal(['a'])
    await turn()
    expect(t.sent.slice(1)).to.deep.equal([{to: 'b', type: 'ihave', ids: [id(1), id(2)]}])
    expect(tree.stats).to.include({eager: 2, lazy: 2, prunes: 1})
  })

  it('never prunes or announces to a peer that does not speak lazy push', async () => {
    const t = makeTree()
    tree = t.tree
    tree.add('old', false)
    tree.duplicate('old')
    tree.onPrune('old')
    expect(tree.route(['old'], id(1))).to.deep.equal(['old'])
    await turn()
    expect(t.sent).to.deep.equal([])
  })

  it('makes a link lazy when the peer prunes it, and eager again when the peer grafts', () => {
    const t = makeTree()
    tree = t.tree
    tree.add('a', true)
    tree.onPrune('a')
    expect(tree.isLazy('a')).to.equal(true)
    expect(tree.onGraft('a', [id(1)])).to.deep.equal([id(1)])
    expect(tree.isLazy('a')).to.equal(false)
  })

  it('a new message from a lazy link puts that link back on the tree', () => {
    const t = makeTree()
    tree = t.tree
    tree.add('a', true)
    tree.onPrune('a')
    tree.delivered(id(1), 'a')
    expect(tree.isLazy('a')).to.equal(false)
  })

  it('grafts an announced id that did not arrive in time, from its first announcer, then the next', () => {
    const t = makeTree()
    tree = t.tree
    for (const peer of ['a', 'b']) tree.add(peer, true)
    tree.onPrune('a')
    tree.onPrune('b')
    tree.onIhave('a', [id(1), id(2)], (x) => x === id(2))
    tree.onIhave('b', [id(1)], () => false)
    expect(tree.missing).to.equal(1)
    t.clock.now += 99
    tree.sweep()
    expect(t.sent).to.deep.equal([])
    t.clock.now += 1
    tree.sweep()
    expect(t.sent).to.deep.equal([{to: 'a', type: 'graft', ids: [id(1)]}])
    expect(tree.isLazy('a')).to.equal(false)
    t.clock.now += 50
    tree.sweep()
    expect(t.sent.slice(1)).to.deep.equal([{to: 'b', type: 'graft', ids: [id(1)]}])
    t.clock.now += 50
    tree.sweep()
    expect(tree.missing).to.equal(0) // nobody left to ask: reconciliation repairs it
    expect(tree.stats.grafts).to.equal(2)
  })

  it('does not graft what arrived meanwhile, nor from a peer that left', () => {
    const t = makeTree()
    tree = t.tree
    for (const peer of ['a', 'b']) tree.add(peer, true)
    tree.onIhave('a', [id(1), id(2)], () => false)
    tree.onIhave('b', [id(2)], () => false)
    tree.delivered(id(1), 'c')
    tree.remove('a')
    t.clock.now += 100
    tree.sweep()
    expect(t.sent).to.deep.equal([{to: 'b', type: 'graft', ids: [id(2)]}])
  })

  it('bounds the ids it waits for, the announcers per id and the ids per frame', async () => {
    const t = makeTree({maxMissing: 3})
    tree = t.tree
    const peers = Array.from({length: MAX_ANNOUNCERS + 2}, (_, i) => `p${i}`)
    for (const peer of peers) tree.add(peer, true)
    tree.onIhave('p0', [id(1), id(2), id(3), id(4)], () => false)
    expect(tree.missing).to.equal(3)
    for (const peer of peers) tree.onIhave(peer, [id(1)], () => false)
    for (let round = 0; round < peers.length + 1; round++) {
      t.clock.now += 100
      tree.sweep()
    }

    const asked = t.sent.filter((s) => s.type === 'graft' && s.ids!.includes(id(1))).map((s) => s.to)
    expect(asked).to.deep.equal(peers.slice(0, MAX_ANNOUNCERS))

    tree.onPrune('p0')
    const many = Array.from({length: MAX_TREE_IDS + 1}, (_, i) => id(100 + i))
    for (const x of many) tree.route(['p0'], x)
    t.sent.length = 0
    await turn()
    expect(t.sent.map((s) => s.ids!.length)).to.deep.equal([MAX_TREE_IDS, 1])
  })

  it('grafts from a peer on one timer, armed for the earliest due id', async () => {
    const sent: string[][] = []
    tree = new BroadcastTree<string>(
      {ihave() {}, graft: (_, ids) => sent.push(ids), prune() {}},
      {graftTimeoutMs: 5, graftRetryMs: 5},
    )
    tree.add('a', true)
    tree.onIhave('a', [id(1)], () => false)
    tree.onIhave('a', [id(2)], () => false)
    const deadline = Date.now() + 5000
    while (sent.length === 0 && Date.now() < deadline)
      await new Promise((resolve) => {
        setTimeout(resolve, 5)
      })
    expect(sent.flat().sort()).to.deep.equal([id(1), id(2)])
  })
})
