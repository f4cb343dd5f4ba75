// The mesh heals and stays connected: in-process ChatNodes over real loopback sockets, where the test can read the
// whole graph (peers()) to know when the network is connected.
import {expect} from 'chai'

import type {ChatNode, ChatNodeOptions} from '../../src/p2p/node.js'
import type {ChatMessage} from '../../src/p2p/types.js'

import {rejection} from '../helpers/errors.js'
import {useNodes} from '../helpers/nodes.js'
import {poll} from '../helpers/wait.js'

const FAST_MESH: Partial<ChatNodeOptions> = {mesh: {tickMs: 100, backoff: {initialMs: 100, maxMs: 1000}}}

function connected(nodes: ChatNode[]): boolean {
  if (nodes.length === 0) return true
  const ids = new Map(nodes.map((n) => [n.id, n]))
  const seen = new Set([nodes[0].id])
  const queue = [nodes[0]]
  while (queue.length > 0) {
    const node = queue.shift()!
    for (const peer of node.peers()) {
      const next = ids.get(peer.id)
      if (next && !seen.has(peer.id)) {
        seen.add(peer.id)
        queue.push(next)
      }
    }
  }

  return seen.size === nodes.length
}

/** Polls a condition on the in-process graph (bounded), for states no single event announces. */
const until = (what: string, check: () => boolean): Promise<boolean> => poll(what, check, {timeoutMs: 15_000})

describe('mesh (in-process nodes)', function () {
  this.timeout(90_000)
  const nodes = useNodes(FAST_MESH)
  const startNode = nodes.start

  it('learns peers through its peers and dials up to the target degree, never more', async () => {
    const hub = await startNode('hub', {degree: 0})
    const others = await Promise.all(Array.from({length: 7}, (_, i) => startNode(`n${i}`, {degree: 3})))
    for (const n of others) await n.connect('127.0.0.1', hub.info.port)
    await until('every node at degree 3 or more', () => others.every((n) => n.peers().length >= 3))
    for (const n of others) {
      const outbound = n.peers().filter((p) => p.direction === 'outbound').length
      expect(outbound, n.name).to.be.at.most(3)
      expect(n.peers().some((p) => p.id === n.id)).to.equal(false)
      expect(new Set(n.peers().map((p) => p.id)).size).to.equal(n.peers().length)
    }
  })

  it('redials a --join peer that was not up yet, with backoff, until it is back', async () => {
    const late = await startNode('late')
    const {port} = late.info
    await late.stop()
    const a = await startNode('A')
    await rejection(a.connect('127.0.0.1', port))

    const back = await startNode('back', {port})
    await until('A reconnected to the node that came back', () => a.peers().some((p) => p.id === back.id))
  })

  it('keeps 20 nodes under churn delivering every message exactly once to every node that stays', async () => {
    const stable = await Promise.all(Array.from({length: 12}, (_, i) => startNode(`s${i}`)))
    for (const [i, n] of stable.entries())
      if (i > 0) await n.connect('127.0.0.1', stable[i - 1].info.port, {persistent: false})
    const got = new Map<ChatNode, ChatMessage[]>(stable.map((n) => [n, []]))
    for (const n of stable) n.on('message', (m) => got.get(n)!.push(m))
    let churners = await Promise.all(Array.from({length: 8}, (_, i) => startNode(`c${i}`)))
    for (const c of churners)
      await c.connect('127.0.0.1', stable[Math.floor(Math.random() * stable.length)].info.port, {persistent: false})
    await until('a connected network', () => connected([...stable, ...churners]))

    const sent: ChatMessage[] = []
    let joins = 0
    let leaves = 0
    for (let round = 0; round < 12; round++) {
      // Two churners leave, two new ones join a random stable node (abrupt deaths: see heal.test.ts, SIGKILL).
      const leaving = churners.slice(0, 2)
      churners = churners.slice(2)
      await Promise.all(leaving.map((c) => c.stop()))
      leaves += leaving.length
      const joining = await Promise.all([startNode(`j${round}a`), startNode(`j${round}b`)])
      for (const j of joining)
        await j.connect('127.0.0.1', stable[Math.floor(Math.random() * stable.length)].info.port, {persistent: false})
      churners.push(...joining)
      joins += joining.length
      await until(`round ${round}: the network connected again`, () => connected([...stable, ...churners]))
      const author = stable[round % stable.length]
      sent.push(author.send(`round ${round}`))
    }

    await until('every message at every stable node', () =>
      stable.every((n) => sent.every((m) => m.from.id === n.id || got.get(n)!.some((g) => g.id === m.id))),
    )
    let expected = 0
    let delivered = 0
    let duplicates = 0
    for (const n of stable) {
      const ids = got.get(n)!.map((m) => m.id)
      duplicates += ids.length - new Set(ids).size
      for (const m of sent) {
        if (m.from.id === n.id) continue
        expected++
        if (ids.includes(m.id)) delivered++
      }
    }

    console.log(
      `      churn: ${joins} joins, ${leaves} leaves, ${sent.length} messages, delivery ${delivered}/${expected} = ${(delivered / expected).toFixed(3)}, duplicates ${duplicates}`,
    )
    expect(delivered).to.equal(expected)
    expect(duplicates).to.equal(0)
  })
})
