// The sync section of `npm run bench`: what reconciliation costs between two stores sharing 10,000 messages, and how
// long in-process nodes take to catch up after a partition (two halves that chatted apart, then joined by one link).

import {performance} from 'node:perf_hooks'

import type {SyncSummary} from '../src/p2p/types.js'

import {ChatNode} from '../src/p2p/node.js'
import {rng} from './stats.js'
import {randomKeys, reconcileSets} from './sync-sets.js'

export interface SyncBenchResult {
  shared: number
  costs: Array<{differences: number; bytes: number; frames: number; ms: number}>
  catchUp: {nodesPerHalf: number; messagesPerHalf: number; ms: number; linkSync: Omit<SyncSummary, 'peer'>}
}

export async function syncBench(
  options: {shared?: number; nodesPerHalf?: number; messagesPerHalf?: number; seed?: number} = {},
): Promise<SyncBenchResult> {
  const shared = options.shared ?? 10_000
  const random = rng(options.seed ?? 1)
  const costs: SyncBenchResult['costs'] = []
  for (const differences of [10, 100, 1000]) {
    const common = randomKeys(random, shared)
    const a = randomKeys(random, differences / 2)
    const b = randomKeys(random, differences / 2)
    const started = performance.now()
    const result = reconcileSets([...common, ...a], [...common, ...b])
    costs.push({differences, bytes: result.bytes, frames: result.rounds, ms: performance.now() - started})
  }

  return {shared, costs, catchUp: await catchUp(options.nodesPerHalf ?? 3, options.messagesPerHalf ?? 200)}
}

/** Two chains of nodes chat apart, then the end of one dials the head of the other: time until every node has all. */
async function catchUp(nodesPerHalf: number, messagesPerHalf: number): Promise<SyncBenchResult['catchUp']> {
  const nodes: ChatNode[] = []
  try {
    const half = async (prefix: string): Promise<ChatNode[]> => {
      const out: ChatNode[] = []
      for (let i = 0; i < nodesPerHalf; i++) {
        const node = new ChatNode({
          name: `${prefix}${i}`,
          port: 0,
          degree: 0,
          history: 0,
          authorRate: {perSecond: 10_000, burst: 10_000},
        })
        nodes.push(node)
        out.push(node)
        await node.start()
        if (i > 0) await node.connect('127.0.0.1', out[i - 1].info.port)
      }

      return out
    }

    const [a, b] = [await half('a'), await half('b')]
    const total = 2 * messagesPerHalf
    const counts = new Map(nodes.map((n) => [n, 0]))
    for (const node of nodes) {
      node.on('message', () => counts.set(node, counts.get(node)! + 1))
      node.on('sent', () => counts.set(node, counts.get(node)! + 1))
    }

    for (let i = 0; i < messagesPerHalf; i++) {
      a[i % nodesPerHalf].send(`a ${i}`)
      b[i % nodesPerHalf].send(`b ${i}`)
    }

    await Promise.all(nodes.map((n) => n.confirmDelivery()))
    const started = performance.now()
    const linked = new Promise<SyncSummary>((resolve) => {
      a.at(-1)!.once('synced', resolve)
    })
    await a.at(-1)!.connect('127.0.0.1', b[0].info.port, {persistent: false})
    await new Promise<void>((resolve, reject) => {
      const deadline = setTimeout(() => reject(new Error('not every node had every message after 60 s')), 60_000)
      const check = (): void => {
        if ([...counts.values()].every((c) => c >= total)) {
          clearTimeout(deadline)
          resolve()
        }
      }

      for (const node of nodes) node.on('message', check)
      check()
    })
    const ms = performance.now() - started
    const {peer, ...linkSync} = await linked
    void peer
    return {nodesPerHalf, messagesPerHalf, ms, linkSync}
  } finally {
    await Promise.all(nodes.map((n) => n.stop()))
  }
}
