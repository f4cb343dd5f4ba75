// Lazy push (src/p2p/broadcast-tree.ts) on real in-process nodes over loopback: on a dense mesh every node still
// shows every message once, most links carry ids rather than messages, and a cut eager link heals by graft.
import {expect} from 'chai'

import type {TreeStats} from '../../src/p2p/broadcast-tree.js'
import type {ChatNode} from '../../src/p2p/node.js'
import type {ChatMessage} from '../../src/p2p/types.js'

import {useNodes} from '../helpers/nodes.js'
import {waitFor} from '../helpers/wait.js'

/** Every message shown by every node, by id (to count duplicates). */
function record(nodes: ChatNode[]): Map<ChatNode, string[]> {
  const got = new Map<ChatNode, string[]>(nodes.map((n) => [n, []]))
  for (const n of nodes) n.on('message', (m) => got.get(n)!.push(m.id))
  return got
}

/** Resolves when every node but its author has shown every message in `sent`. */
function allDelivered(nodes: ChatNode[], got: Map<ChatNode, string[]>, sent: ChatMessage[]): Promise<true> {
  const check = (): true | undefined =>
    nodes.every((n) => sent.every((m) => m.from.id === n.id || got.get(n)!.includes(m.id))) ? true : undefined
  return waitFor(
    `${sent.length} messages at all ${nodes.length} nodes`,
    (recheck) => {
      for (const n of nodes) n.on('message', recheck)
      return () => {
        for (const n of nodes) n.off('message', recheck)
      }
    },
    check,
    30_000,
  )
}

function expectOnceEach(nodes: ChatNode[], got: Map<ChatNode, string[]>, sent: ChatMessage[]): void {
  for (const n of nodes) {
    const ids = got.get(n)!
    expect(ids.length, `${n.name} shows no duplicate`).to.equal(new Set(ids).size)
    expect(ids.length, `${n.name} shows every message of the others`).to.equal(
      sent.filter((m) => m.from.id !== n.id).length,
    )
  }
}

function total(nodes: ChatNode[]): TreeStats {
  const sum = {eager: 0, lazy: 0, grafts: 0, prunes: 0}
  for (const n of nodes) for (const [k, v] of Object.entries(n.pushStats())) sum[k as keyof TreeStats] += v
  return sum
}

const minus = (a: TreeStats, b: TreeStats): TreeStats => ({
  eager: a.eager - b.eager,
  lazy: a.lazy - b.lazy,
  grafts: a.grafts - b.grafts,
  prunes: a.prunes - b.prunes,
})

/** Resolves when `check` holds for every node, re-checked on joins and leaves. */
function untilGraph(nodes: ChatNode[], what: string, check: (n: ChatNode) => boolean): Promise<true> {
  return waitFor(
    what,
    (recheck) => {
      for (const n of nodes) for (const event of ['peer_joined', 'peer_left'] as const) n.on(event, recheck)
      return () => {
        for (const n of nodes) for (const event of ['peer_joined', 'peer_left'] as const) n.off(event, recheck)
      }
    },
    () => nodes.every((n) => check(n)) || undefined,
  )
}

/** Joins `n` to `to`, unless the mesh is dialling it already (it dials the peers it learns of). */
async function join(n: ChatNode, to: ChatNode): Promise<void> {
  try {
    await n.connect('127.0.0.1', to.info.port, {persistent: false})
  } catch (error) {
    if ((error as {code?: string}).code !== 'dial_in_progress') throw error
  }
}

/** Each node's peers have answered a ping sent after every frame before it: what was in flight has landed. */
async function settle(nodes: ChatNode[]): Promise<void> {
  for (let i = 0; i < 2; i++) await Promise.all(nodes.map((n) => n.confirmDelivery()))
}

describe('lazy push (in-process nodes)', function () {
  this.timeout(120_000)
  const nodes = useNodes()

  it('on a dense mesh shows every message once at every node, and most links carry ids, not messages', async () => {
    // 10 nodes, each joined to the 4 before it (30 links; the mesh adds a few).
    const all: ChatNode[] = []
    for (let i = 0; i < 10; i++) {
      const n = await nodes.start(`n${i}`)
      for (let j = Math.max(0, i - 4); j < i; j++) await join(n, all[j])
      all.push(n)
    }

    const got = record(all)
    const sent: ChatMessage[] = []
    // A few messages shape the tree (their duplicates prune the redundant links)...
    for (let k = 0; k < 5; k++) sent.push(all[(k * 3) % all.length].send(`warm ${k}`))
    await allDelivered(all, got, sent)
    await settle(all)
    const before = total(all)
    // ... then messages from every node travel on it, one at a time: a burst sent all at once from one process
    // keeps ids ahead of messages long enough to graft (correct, and delivered once, but not the steady state).
    const measured: ChatMessage[] = []
    for (let k = 0; k < 30; k++) {
      measured.push(all[(k * 7) % all.length].send(`m ${k}`))
      await allDelivered(all, got, [...sent, ...measured])
    }

    sent.push(...measured)
    await settle(all)
    expectOnceEach(all, got, sent)

    const pushed = minus(total(all), before)
    const links = all.reduce((sum, n) => sum + n.peers().length, 0) / 2
    const perMessage = pushed.eager / measured.length
    console.log(
      `      ${links} links, per message: ${perMessage.toFixed(1)} whole (a flood: ${(2 * links - all.length + 1).toFixed(0)}), ` +
        `${(pushed.lazy / measured.length).toFixed(1)} ids, ${pushed.grafts} grafts, ${pushed.prunes} prunes in all`,
    )
    expect(pushed.lazy, 'ids announced').to.be.greaterThan(pushed.eager)
    // A spanning tree carries each message once to each of the 9 other nodes, flooding once over each link each way
    // but one: on a slow machine a few ids outrun their message and are grafted, so the bound is loose.
    expect(perMessage).to.be.lessThan((2 * links - all.length + 1) / 2)
  })

  it('pushes every message whole to a peer that does not speak lazy push (an older node)', async () => {
    // A full mesh of 5, one of them without lazy push: it would miss every message it was sent only the id of.
    const all: ChatNode[] = []
    for (let i = 0; i < 5; i++) {
      const n = await nodes.start(`o${i}`, i === 2 ? {lazyPush: false} : {})
      for (const other of all) await join(n, other)
      all.push(n)
    }

    await untilGraph(all, 'a full mesh', (n) => n.peers().length === all.length - 1)
    const got = record(all)
    const sent: ChatMessage[] = []
    for (let k = 0; k < 20; k++) sent.push(all[k % all.length].send(`m ${k}`))
    await allDelivered(all, got, sent)
    await settle(all)
    expectOnceEach(all, got, sent)
    expect(total(all).lazy, 'the others still sent ids among themselves').to.be.greaterThan(0)
    // It never prunes and never announces: it has no lazy links.
    expect(all[2].pushStats()).to.include({lazy: 0, grafts: 0, prunes: 0})
  })

  it('heals by graft when an eager link is cut: a node in the middle of the tree dies', async () => {
    // A ring of 5 (no dialling of their own, lazy push on all the same). From A the tree is D-E-A-B-C: C hears B
    // (2 hops) before D (3 hops) and D hears E before C, so the link C-D brings both ends duplicates and is pruned.
    const ring: ChatNode[] = []
    for (const name of ['A', 'B', 'C', 'D', 'E']) ring.push(await nodes.start(name, {degree: 0, lazyPush: {}}))
    for (let i = 0; i < ring.length; i++) await join(ring[i], ring[(i + 1) % ring.length])
    await untilGraph(ring, 'a ring', (n) => n.peers().length === 2)
    const [a, b, ...rest] = ring
    const got = record(ring)
    const warm = [a.send('shaping the tree')]
    await allDelivered(ring, got, warm)
    await settle(ring)
    expect(total(ring).prunes, 'the link C-D pruned from both ends').to.equal(2)

    // B dies: C's only eager link is gone, and C hears of A's next messages only by ids from D.
    await b.stop()
    const survivors = [a, ...rest]
    await untilGraph(survivors, 'B gone', (n) => !n.peers().some((p) => p.id === b.id))
    const before = total(survivors)
    const sent = [a.send('after B'), a.send('and again')]
    await allDelivered(survivors, got, [...warm, ...sent])
    await settle(survivors)
    expectOnceEach(survivors, got, [...warm, ...sent])
    const healed = minus(total(survivors), before)
    console.log(`      after B: ${healed.eager} whole, ${healed.lazy} ids, ${healed.grafts} grafts`)
    expect(healed.grafts, 'grafts').to.be.greaterThan(0)
    // The grafted link is eager now: the second message went to C whole, without another graft.
    expect(healed.grafts).to.equal(1)
  })

  it('does nothing lazily with --degree 0: every link carries every message', async () => {
    const a = await nodes.start('a', {degree: 0})
    const b = await nodes.start('b', {degree: 0})
    const c = await nodes.start('c', {degree: 0})
    await b.connect('127.0.0.1', a.info.port, {persistent: false})
    await c.connect('127.0.0.1', a.info.port, {persistent: false})
    await c.connect('127.0.0.1', b.info.port, {persistent: false})
    const all = [a, b, c]
    await untilGraph(all, 'a triangle', (n) => n.peers().length === 2)
    const got = record(all)
    const sent = [a.send('one'), b.send('two'), c.send('three'), a.send('four')]
    await allDelivered(all, got, sent)
    await settle(all)
    expectOnceEach(all, got, sent)
    // Every message crosses each of the 3 links of the triangle (the author's 2, and one relay each way).
    expect(total(all)).to.deep.equal({eager: 4 * 4, lazy: 0, grafts: 0, prunes: 0})
  })
})
