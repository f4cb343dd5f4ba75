// --in-process: N ChatNode instances in this process, over real loopback sockets. Scale that separate processes
// cannot reach on 2 cores, at the price of one thread doing every node's work: latencies here measure CPU queueing
// across the whole mesh more than the network, and are reported as such.
//
// Frames per message are counted, not modelled: PeerConnection.prototype.sendBody is wrapped for the run and every
// chat frame it seals is counted (a frame a closing connection refuses is not). The flooding model is printed
// beside it: the author writes to each of its peers, every other node relays to all its peers but the one the
// message came from, so a connected mesh with E links sends 2E − (N − 1) frames per message, against the ideal N − 1.

import {performance} from 'node:perf_hooks'

import {benchNodeOptions} from './engine-options.js'
import {fullGc, memory} from './gc.js'
import {hopFit, type LoadSummary, makeSchedule} from './load.js'
import {DrainLatch, rng, sleep, summarize} from './stats.js'
import {
  addEdge,
  allDistances,
  buildTopology,
  edges,
  emptyGraph,
  type Graph,
  graphStats,
  type GraphStats,
  type TopologyKind,
} from './topology.js'

export interface InProcessOptions {
  nodes: number
  /** chain | ring | random are dialled explicitly (the engine's own dialling off); mesh lets the engine build it. */
  topology: 'mesh' | TopologyKind
  degree: number
  messages: number
  rate: number
  seed: number
  /** Dials under way at once. */
  connectConcurrency: number
  /** How long an engine-built mesh may take to settle; it is read once no peer came or went for quietMs. */
  settleMs: number
  quietMs: number
  drainMs: number
  timeoutMs: number
  /** How long the connected mesh is watched idle before the messages. */
  idleMs: number
  progress?: (text: string) => void
}

/** The latency figures it shares with process mode (no stdin → `sent` time, no achieved rate). */
type SharedLatency = Pick<
  LoadSummary,
  | 'messages'
  | 'pairs'
  | 'delivered'
  | 'deliveredRatio'
  | 'duplicates'
  | 'e2eMs'
  | 'perHopMs'
  | 'fullMs'
  | 'byHops'
  | 'hopFit'
>

export interface InProcessResult extends SharedLatency {
  nodes: number
  topology: string
  degreeAsked: number
  graph: GraphStats
  setupSeconds: number
  /** Seed dials that failed even after retries (engine mesh only; the engine dials on its own). */
  dialFailures: number
  /** Links dialled again because they dropped after their dial succeeded. */
  redials: number
  memoryPerNode: {heapKiB: number; rssKiB: number; externalKiB: number}
  memoryTotal: {before: ReturnType<typeof memory>; after: ReturnType<typeof memory>}
  frames: {
    counted: number
    /** Chat frames sealed per message, counted. */
    perMessage: number
    /** 2E − (N − 1): the flooding model for this graph. */
    modelPerMessage: number
    ideal: number
    /** counted per message / ideal */
    overhead: number
    /** Mean bytes a chat frame takes on the wire: its plaintext, the 16-byte tag and the 2-byte length. */
    wireBytesPerFrame: number
    method: string
  }
  cpu: {msPerMessage: number; usPerDelivery: number; eventLoopUtilization: number}
  /** The connected mesh before any message: its background load on the one thread. */
  idle: {seconds: number; eventLoopUtilization: number; cpuPercent: number}
  warnings: Record<string, number>
  /** The samples behind e2eMs and perHopMs (for the picture; left out of the JSON). */
  rawE2e: number[]
  rawPerHop: number[]
}

export async function runInProcess(options: InProcessOptions): Promise<InProcessResult> {
  const {ChatNode} = await import('../src/p2p/node.js')
  const connection = (await import('../src/p2p/connection.js')) as {
    PeerConnection?: {prototype: {sendBody?: (body: Buffer) => boolean}}
  }
  const n = options.nodes
  const deadline = performance.now() + options.timeoutMs
  const warnings: Record<string, number> = {}
  fullGc()
  const before = memory()
  const t0 = performance.now()

  const engineMesh = options.topology === 'mesh'
  type Node = InstanceType<typeof ChatNode>
  const nodes: Node[] = []
  let lastPeerEvent = performance.now()
  for (let i = 0; i < n; i++) {
    const node = new ChatNode(benchNodeOptions({name: `n${i}`, degree: engineMesh ? options.degree : 0}))
    node.on('warning', (w) => {
      warnings[w.code] = (warnings[w.code] ?? 0) + 1
    })
    node.on('peer_joined', () => {
      lastPeerEvent = performance.now()
    })
    node.on('peer_left', () => {
      lastPeerEvent = performance.now()
    })
    nodes.push(node)
  }

  try {
    for (let i = 0; i < n; i += 50) await Promise.all(nodes.slice(i, i + 50).map((node) => node.start()))
    const portIndex = new Map(nodes.map((node, i) => [node.info.port, i]))

    // Explicit topologies are dialled as given; the engine's mesh starts from a random tree (each node joins one
    // random earlier node, as a user with one --join would) and grows to its degree by peer exchange.
    const seed: Graph = engineMesh
      ? buildTopology('random', n, {degree: 1, seed: options.seed})
      : buildTopology(options.topology as TopologyKind, n, {degree: options.degree, seed: options.seed})
    const dials = edges(seed)
    let next = 0
    let dialFailures = 0
    const retryRandom = rng(options.seed + 11)
    let lastDialError = ''
    await Promise.all(
      Array.from({length: Math.min(options.connectConcurrency, dials.length)}, async () => {
        while (next < dials.length && performance.now() < deadline) {
          const [from, first] = dials[next++]
          let to = first
          // A node may refuse for a while (handshakes in progress) or for good (full): try again, a little later
          // each time; joining the engine's mesh, try another earlier node, as a user would try another address.
          for (let attempt = 1; ; attempt++) {
            try {
              // Persistent, as `--join` and `/connect` are: the engine redials the address if the link drops.
              await nodes[from].connect('127.0.0.1', nodes[to].info.port)
              break
            } catch (error) {
              if (attempt >= 8) {
                dialFailures++
                lastDialError = String((error as Error).message ?? error)
                break
              }

              await sleep(Math.min(1000, 50 * 2 ** attempt))
              if (engineMesh) to = Math.floor(retryRandom() * from)
            }
          }
        }
      }),
    )

    // An explicit topology must be exactly as dialled; the engine's mesh only needs every node to have a peer (it
    // dials the rest itself).
    if (dialFailures > 0 && !engineMesh) throw new Error(`${dialFailures} dials failed, the last: ${lastDialError}`)
    const want = engineMesh ? seed.adj.map(() => 1) : seed.adj.map((list) => list.length)
    // A link can still drop after its dial succeeded (the other end's handshake deadline passing while this one
    // thread is busy): dial what is missing again, every two seconds, until the deadline.
    let redials = 0
    let nextRepair = performance.now() + 2000
    while (!nodes.every((node, i) => node.peers().length >= want[i])) {
      if (performance.now() > nextRepair) {
        nextRepair = performance.now() + 2000
        for (const [from, to] of dials) {
          const {port} = nodes[to].info
          if (nodes[from].peers().some((p) => p.port === port) || (engineMesh && nodes[from].peers().length > 0))
            continue
          const target = engineMesh ? nodes[Math.floor(retryRandom() * from)].info.port : port
          redials++
          nodes[from].connect('127.0.0.1', target).catch(() => {})
        }
      }

      if (performance.now() > deadline) {
        const short = nodes.flatMap((node, i) =>
          node.peers().length < want[i] ? [`n${i} ${node.peers().length}/${want[i]}`] : [],
        )
        const seen = Object.entries(warnings).map(([code, count]) => `${code} × ${count}`)
        throw new Error(
          `the in-process mesh was not complete in time: ${short.length} nodes short of peers (${short.slice(0, 8).join(', ')}); warnings: ${seen.join(', ') || 'none'}`,
        )
      }

      await sleep(20)
    }

    options.progress?.(
      `${n} nodes dialled in ${((performance.now() - t0) / 1000).toFixed(1)} s; letting the mesh settle`,
    )
    const settleUntil = Math.min(deadline, performance.now() + options.settleMs)
    while (performance.now() < settleUntil && performance.now() - lastPeerEvent < options.quietMs) await sleep(50)
    const graph = emptyGraph(n)
    for (const [i, node] of nodes.entries()) {
      for (const peer of node.peers()) {
        const j = portIndex.get(peer.port)
        if (j !== undefined) addEdge(graph, i, j)
      }
    }

    const setupSeconds = (performance.now() - t0) / 1000
    fullGc()
    const after = memory()
    const distances = allDistances(graph)
    const stats = graphStats(graph, distances)

    // Count chat frames as they are sealed.
    const proto = connection.PeerConnection?.prototype
    const original = proto?.sendBody
    const chatPrefix = Buffer.from('{"type":"chat"')
    let counted = 0
    let countedBytes = 0
    if (proto && original) {
      proto.sendBody = function (this: unknown, body: Buffer): boolean {
        const ok = original.call(this, body)
        if (ok && body.length >= chatPrefix.length && chatPrefix.equals(body.subarray(0, chatPrefix.length))) {
          counted++
          countedBytes += body.length
        }

        return ok
      }
    }

    const sends = makeSchedule(options.messages, n, {
      seed: options.seed + 7,
      tag: `inproc-${rng(options.seed)().toString(36).slice(2, 8)}`,
    })
    const index = new Map(sends.map((s, i) => [s.text, i]))
    const sentAt = new Float64Array(sends.length).fill(Number.NaN)
    const arrivals = Array.from({length: sends.length}, () => new Float64Array(n).fill(Number.NaN))
    let delivered = 0
    let duplicates = 0
    const expected = sends.length * (n - 1)
    const drained = new DrainLatch()
    for (const [r, node] of nodes.entries()) {
      node.on('message', (m) => {
        const at = performance.now()
        const i = index.get(m.text)
        if (i === undefined || (m as {history?: boolean}).history) return
        if (r === sends[i].origin || !Number.isNaN(arrivals[i][r])) {
          duplicates++
          return
        }

        arrivals[i][r] = at
        delivered++
        if (delivered === expected) drained.release()
      })
    }

    // The mesh's own background work (heartbeats, peer exchange, key announcements) before any message: what the
    // one thread has left for the messages.
    const idleCpu0 = process.cpuUsage()
    const idleElu0 = performance.eventLoopUtilization()
    const idleStart = performance.now()
    await sleep(options.idleMs)
    const idleCpu = process.cpuUsage(idleCpu0)
    const idle = {
      seconds: (performance.now() - idleStart) / 1000,
      eventLoopUtilization: performance.eventLoopUtilization(idleElu0).utilization,
      cpuPercent: (idleCpu.user + idleCpu.system) / 10 / (performance.now() - idleStart),
    }

    const cpu0 = process.cpuUsage()
    const elu0 = performance.eventLoopUtilization()
    const start = performance.now()
    const interval = 1000 / options.rate
    try {
      for (const [i, send] of sends.entries()) {
        const due = start + i * interval
        if (performance.now() < due) await sleep(due - performance.now())
        sentAt[i] = performance.now()
        nodes[send.origin].send(send.text)
      }

      await drained.wait(options.drainMs)

      // Frames still queued for messages every node already has are counted too.
      await Promise.all(nodes.map((node) => node.flush()))
      await sleep(50)
    } finally {
      if (proto && original) proto.sendBody = original
    }

    const cpu = process.cpuUsage(cpu0)
    const elu = performance.eventLoopUtilization(elu0)

    const e2e: number[] = []
    const perHop: number[] = []
    const full: number[] = []
    const byHops = new Map<number, number[]>()
    for (const [i, s] of sends.entries()) {
      let last = 0
      let got = 0
      for (let r = 0; r < n; r++) {
        const at = arrivals[i][r]
        if (Number.isNaN(at)) continue
        const ms = at - sentAt[i]
        const hops = distances[s.origin][r]
        e2e.push(ms)
        if (hops > 0) perHop.push(ms / hops)
        let list = byHops.get(hops)
        if (!list) byHops.set(hops, (list = []))
        list.push(ms)
        last = Math.max(last, ms)
        got++
      }

      if (got === n - 1) full.push(last)
    }

    const hopRows = [...byHops.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([hops, list]) => {
        const s = summarize(list)
        return {hops, pairs: s.n, p50: s.p50, p99: s.p99}
      })
    const model = 2 * stats.edges - (n - 1)
    const perMessage = counted / Math.max(1, sends.length)
    const cpuMs = (cpu.user + cpu.system) / 1000
    return {
      nodes: n,
      topology: engineMesh ? `mesh (engine, degree ${options.degree}, from a random tree of joins)` : options.topology,
      degreeAsked: options.degree,
      graph: stats,
      setupSeconds,
      dialFailures,
      redials,
      memoryPerNode: {
        heapKiB: ((after.heapUsedMiB - before.heapUsedMiB) * 1024) / n,
        rssKiB: ((after.rssMiB - before.rssMiB) * 1024) / n,
        externalKiB: ((after.externalMiB - before.externalMiB) * 1024) / n,
      },
      memoryTotal: {before, after},
      messages: sends.length,
      pairs: expected,
      delivered,
      deliveredRatio: expected === 0 ? 1 : delivered / expected,
      duplicates,
      e2eMs: summarize(e2e),
      perHopMs: summarize(perHop),
      fullMs: summarize(full),
      byHops: hopRows,
      hopFit: hopFit(hopRows),
      frames: {
        counted: original ? counted : Number.NaN,
        perMessage: original ? perMessage : Number.NaN,
        modelPerMessage: model,
        ideal: n - 1,
        overhead: original ? perMessage / (n - 1) : model / (n - 1),
        wireBytesPerFrame: counted > 0 ? countedBytes / counted + 18 : Number.NaN,
        method: original
          ? 'counted: chat frames sealed by PeerConnection.sendBody (wrapped for the run), divided by messages'
          : 'model only (PeerConnection.sendBody not found): 2E − (N − 1)',
      },
      cpu: {
        msPerMessage: cpuMs / Math.max(1, sends.length),
        usPerDelivery: (cpuMs * 1000) / Math.max(1, delivered),
        eventLoopUtilization: elu.utilization,
      },
      idle,
      warnings,
      rawE2e: e2e,
      rawPerHop: perHop,
    }
  } finally {
    for (let i = 0; i < n; i += 100)
      await Promise.all(nodes.slice(i, i + 100).map((node) => node.stop().catch(() => {})))
  }
}
