// `npm run bench:swarm`: what --swarm costs, in one process on a hyperdht testnet on 127.0.0.1 (never the public
// bootstrap nodes). Two figures, both from this run:
//   - start to first peer: two nodes of a fresh room start together; the time until both have each other;
//   - per-hop latency: one message at a time from A to its direct peer B, sent → shown, over a swarm stream and over
//     TCP between the same kind of nodes.
//
//   npm run bench:swarm                     # 10 start samples, 500 messages per transport
//   npm run bench:swarm -- --samples 20 --messages 2000 --json

import {createRequire} from 'node:module'
import {performance} from 'node:perf_hooks'
import {parseArgs} from 'node:util'

import {ChatNode, type ChatNodeOptions} from '../src/p2p/node.js'
import {deriveRoomKey, newInviteCode} from '../src/p2p/room.js'
import {summarize, type Summary} from './stats.js'

interface Testnet {
  bootstrap: Array<{host: string; port: number}>
  destroy(): Promise<void>
}

const require = createRequire(import.meta.url)
const createTestnet = require('hyperdht/testnet') as (size: number, options: {host: string}) => Promise<Testnet>

const {values} = parseArgs({options: {samples: {type: 'string'}, messages: {type: 'string'}, json: {type: 'boolean'}}})
const SAMPLES = Number(values.samples ?? 10)
const MESSAGES = Number(values.messages ?? 500)
const PEER_TIMEOUT_MS = 60_000

function until(node: ChatNode, check: () => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error('timed out waiting for a peer')), PEER_TIMEOUT_MS)
    const recheck = (): void => {
      if (check()) done()
    }

    const done = (error?: Error): void => {
      clearTimeout(timer)
      node.off('peer_joined', recheck)
      if (error) reject(error)
      else resolve()
    }

    node.on('peer_joined', recheck)
    recheck()
  })
}

async function pair(options: Partial<ChatNodeOptions>): Promise<[ChatNode, ChatNode]> {
  const room = await deriveRoomKey(newInviteCode())
  // No author rate limit: one message at a time back to back is far above the default 100/s (burst 500).
  const authorRate = {perSecond: 1e9, burst: 1e9}
  const make = (name: string): ChatNode =>
    new ChatNode({name, host: '127.0.0.1', port: 0, room, history: 0, authorRate, ...options})
  return [make('A'), make('B')]
}

async function startToFirstPeer(testnet: Testnet): Promise<Summary> {
  const times: number[] = []
  for (let i = 0; i < SAMPLES; i++) {
    const [a, b] = await pair({swarm: {bootstrap: testnet.bootstrap}})
    const t0 = performance.now()
    await Promise.all([a.start(), b.start()])
    await Promise.all([until(a, () => a.peers().length > 0), until(b, () => b.peers().length > 0)])
    times.push(performance.now() - t0)
    await Promise.all([a.stop(), b.stop()])
  }

  return summarize(times)
}

/** One message in flight at a time: sent → shown at the direct peer, so the figure is one hop and nothing queued. */
async function hopLatency(a: ChatNode, b: ChatNode): Promise<Summary> {
  const times: number[] = []
  for (let i = 0; i < MESSAGES; i++) {
    const shown = new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`message ${i} was not delivered within 10 s`)), 10_000)
      b.once('message', () => {
        clearTimeout(timer)
        resolve(performance.now())
      })
    })
    const t0 = performance.now()
    a.send(`m${i}`)
    times.push((await shown) - t0)
  }

  return summarize(times)
}

async function main(): Promise<void> {
  const testnet = await createTestnet(3, {host: '127.0.0.1'})
  try {
    const start = await startToFirstPeer(testnet)

    const [sa, sb] = await pair({swarm: {bootstrap: testnet.bootstrap}, degree: 1})
    await Promise.all([sa.start(), sb.start()])
    await Promise.all([until(sa, () => sa.peers().length > 0), until(sb, () => sb.peers().length > 0)])
    const swarm = await hopLatency(sa, sb)
    await Promise.all([sa.stop(), sb.stop()])

    const [ta, tb] = await pair({degree: 0})
    await Promise.all([ta.start(), tb.start()])
    await ta.connect('127.0.0.1', tb.info.port, {persistent: false})
    await until(tb, () => tb.peers().length > 0)
    const tcp = await hopLatency(ta, tb)
    await Promise.all([ta.stop(), tb.stop()])

    const result = {samples: SAMPLES, messages: MESSAGES, startToFirstPeerMs: start, hopMs: {swarm, tcp}}
    if (values.json) {
      console.log(JSON.stringify(result))
      return
    }

    const f = (s: Summary): string =>
      `p50 ${s.p50.toFixed(2)}  p90 ${s.p90.toFixed(2)}  p99 ${s.p99.toFixed(2)}  max ${s.max.toFixed(2)} ms`
    console.log(`start to first peer over the DHT (testnet of 3 on 127.0.0.1, ${SAMPLES} pairs): ${f(start)}`)
    console.log(`one hop, swarm stream (${MESSAGES} messages, one in flight): ${f(swarm)}`)
    console.log(`one hop, TCP          (${MESSAGES} messages, one in flight): ${f(tcp)}`)
  } finally {
    await testnet.destroy()
  }
}

await main()
