// Sends a schedule of messages through a mesh at a fixed rate and times every (message, receiver) pair on the
// harness clock: from just before the line is written to the origin's stdin to the moment the receiver's `message`
// line is read. Texts are unique, so a line is matched to its message by text alone.

import {performance} from 'node:perf_hooks'

import type {Mesh} from './mesh.js'

import {DrainLatch, rng, sleep, summarize, type Summary} from './stats.js'

export interface Send {
  origin: number
  text: string
}

export interface LoadOptions {
  /** Messages per second the harness writes (all origins together). */
  rate: number
  /** How long to wait for stragglers after the last write. */
  drainMs: number
  /** hop counts: distances[origin][receiver] */
  distances: number[][]
}

export interface LoadResult {
  messages: number
  /** (message, receiver) pairs expected: every node but the origin. */
  expected: number
  delivered: number
  deliveredRatio: number
  /** Extra copies shown: a receiver printing the same message again. */
  duplicates: number
  /** Lines from the origin (sent) and receivers that named no message of this run. */
  unknownLines: number
  /** End-to-end latency (ms) of every delivered pair. */
  e2e: number[]
  /** The same, divided by the pair's hop count. */
  perHop: number[]
  /** End-to-end latency by hop count. */
  byHops: Map<number, number[]>
  /** Per message: the time until the last receiver had it (only messages delivered everywhere). */
  full: number[]
  /** Origin: stdin write → its own `sent` line. */
  local: number[]
  /** Time the sends took (first to last write), ms; and the rate that achieved. */
  sendMs: number
  achievedRate: number
  /** First write to last delivery (or the drain deadline). */
  wallMs: number
}

/** `count` unique texts from origins picked at random among `origins` (all nodes by default). */
export function makeSchedule(
  count: number,
  n: number,
  options: {seed: number; tag: string; origins?: number[]},
): Send[] {
  const random = rng(options.seed)
  const origins = options.origins ?? Array.from({length: n}, (_, i) => i)
  return Array.from({length: count}, (_, i) => ({
    origin: origins[Math.floor(random() * origins.length)],
    text: `bench ${options.tag} #${i}`,
  }))
}

export async function runLoad(mesh: Mesh, sends: Send[], options: LoadOptions): Promise<LoadResult> {
  const n = mesh.nodes.length
  const index = new Map(sends.map((s, i) => [s.text, i]))
  const t0 = new Float64Array(sends.length).fill(Number.NaN)
  const arrivals = Array.from({length: sends.length}, () => new Float64Array(n).fill(Number.NaN))
  const sentAt = new Float64Array(sends.length).fill(Number.NaN)
  const got = new Uint32Array(sends.length)
  const expected = sends.length * (n - 1)
  let delivered = 0
  let duplicates = 0
  let unknownLines = 0
  let lastArrival = 0
  const drained = new DrainLatch()

  const offMessage = mesh.onMessage((receiver, text, at) => {
    const i = index.get(text)
    if (i === undefined) {
      unknownLines++
      return
    }

    if (receiver === sends[i].origin) {
      duplicates++ // its own message shown back to the author
      return
    }

    if (!Number.isNaN(arrivals[i][receiver])) {
      duplicates++
      return
    }

    arrivals[i][receiver] = at
    got[i]++
    delivered++
    lastArrival = at
    if (delivered === expected) drained.release()
  })
  const offSent = mesh.onSent((origin, text, at) => {
    const i = index.get(text)
    if (i !== undefined && origin === sends[i].origin && Number.isNaN(sentAt[i])) sentAt[i] = at
  })

  const start = performance.now()
  const interval = 1000 / options.rate
  let next = 0
  // Paced on the clock: each tick writes every message whose time has come (several per tick above ~1,000/s).
  while (next < sends.length) {
    const due = Math.min(sends.length, Math.floor((performance.now() - start) / interval) + 1)
    while (next < due) {
      const s = sends[next]
      t0[next] = mesh.send(s.origin, s.text)
      next++
    }

    if (next < sends.length) await sleep(Math.max(0, Math.min(interval, start + next * interval - performance.now())))
  }

  const lastSend = performance.now()
  await drained.wait(options.drainMs)

  offMessage()
  offSent()
  const end = delivered === expected ? lastArrival : performance.now()

  const e2e: number[] = []
  const perHop: number[] = []
  const byHops = new Map<number, number[]>()
  const full: number[] = []
  const local: number[] = []
  for (const [i, send] of sends.entries()) {
    const {origin} = send
    let last = 0
    for (let r = 0; r < n; r++) {
      const at = arrivals[i][r]
      if (Number.isNaN(at)) continue
      const ms = at - t0[i]
      const hops = options.distances[origin][r]
      e2e.push(ms)
      if (hops > 0) perHop.push(ms / hops)
      let list = byHops.get(hops)
      if (!list) byHops.set(hops, (list = []))
      list.push(ms)
      last = Math.max(last, ms)
    }

    if (got[i] === n - 1) full.push(last)
    if (!Number.isNaN(sentAt[i])) local.push(sentAt[i] - t0[i])
  }

  const sendMs = lastSend - start
  return {
    messages: sends.length,
    expected,
    delivered,
    deliveredRatio: expected === 0 ? 1 : delivered / expected,
    duplicates,
    unknownLines,
    e2e,
    perHop,
    byHops,
    full,
    local,
    sendMs,
    achievedRate:
      sends.length > 1 ? ((sends.length - 1) * 1000) / Math.max(1e-9, t0[sends.length - 1] - t0[0]) : Number.NaN,
    wallMs: end - start,
  }
}

/** One side (chat or the baseline) of the latency section: its load and what its processes used. */
export interface LatencySide {
  load: LoadSummary
  raw: LoadResult
  memoryIdleKiB: number[]
  memoryAfterKiB: number[]
  childrenIdleKiB: number[]
  childrenAfterKiB: number[]
  /** The children's anonymous RSS (RssAnon): what they add to the node, whose executable they share. */
  childrenIdleAnonKiB: number[]
  childrenAfterAnonKiB: number[]
  /** CPU ms per message, per node (mean over nodes), over the measured run. */
  cpuMsPerMessagePerNode: number
  childrenCpuMsPerMessagePerNode: number
  errors: string[]
}

export interface LoadSummary {
  messages: number
  pairs: number
  delivered: number
  deliveredRatio: number
  duplicates: number
  e2eMs: Summary
  perHopMs: Summary
  /** Time for a message to reach every node. */
  fullMs: Summary
  /** stdin → `sent` at the origin. */
  localMs: Summary
  byHops: Array<{hops: number; pairs: number; p50: number; p99: number}>
  /** p50 latency against hop count, least squares weighted by pairs: the cost of one more hop, and of none. */
  hopFit: HopFit
  achievedRate: number
}

export interface HopFit {
  /** ms added by each hop (slope of p50 against hops) */
  perHopMs: number
  /** ms at zero hops: what the origin and the last reader add whatever the distance */
  fixedMs: number
}

/** Weighted least squares of p50 against hops (NaN with fewer than two distinct hop counts). */
export function hopFit(byHops: Array<{hops: number; pairs: number; p50: number}>): HopFit {
  const points = byHops.filter((h) => h.hops > 0 && Number.isFinite(h.p50))
  const w = points.reduce((sum, h) => sum + h.pairs, 0)
  if (points.length < 2 || w === 0) return {perHopMs: Number.NaN, fixedMs: Number.NaN}
  const mx = points.reduce((sum, h) => sum + h.pairs * h.hops, 0) / w
  const my = points.reduce((sum, h) => sum + h.pairs * h.p50, 0) / w
  const sxx = points.reduce((sum, h) => sum + h.pairs * (h.hops - mx) ** 2, 0)
  const sxy = points.reduce((sum, h) => sum + h.pairs * (h.hops - mx) * (h.p50 - my), 0)
  const slope = sxx === 0 ? Number.NaN : sxy / sxx
  return {perHopMs: slope, fixedMs: my - slope * mx}
}

export function summarizeLoad(result: LoadResult): LoadSummary {
  const byHops = [...result.byHops.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([hops, list]) => {
      const s = summarize(list)
      return {hops, pairs: s.n, p50: s.p50, p99: s.p99}
    })
  return {
    messages: result.messages,
    pairs: result.expected,
    delivered: result.delivered,
    deliveredRatio: result.deliveredRatio,
    duplicates: result.duplicates,
    e2eMs: summarize(result.e2e),
    perHopMs: summarize(result.perHop),
    fullMs: summarize(result.full),
    localMs: summarize(result.local),
    byHops,
    hopFit: hopFit(byHops),
    achievedRate: result.achievedRate,
  }
}
