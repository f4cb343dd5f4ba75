// Sustained throughput through one relaying node: a chain A – R – B, messages written to A's stdin at a rising
// rate, timed at R and B. A step passes when every message reaches both, nothing is duplicated and p99 stays under
// the limit; the rate doubles until a step fails (twice in a row), then a few bisection steps narrow the edge.
// Bounded in steps, messages per step and total time.

import {performance} from 'node:perf_hooks'

import {makeSchedule, runLoad} from './load.js'
import {Mesh, type MeshOptions} from './mesh.js'
import {sleep, summarize} from './stats.js'
import {allDistances, buildTopology} from './topology.js'

export interface RampOptions {
  mesh: Omit<MeshOptions, 'graph'>
  startRate: number
  maxRate: number
  stepSeconds: number
  minStepMessages: number
  maxStepMessages: number
  p99LimitMs: number
  refineSteps: number
  /** Total time for this ramp; no new step starts after it. */
  budgetMs: number
  seed: number
}

export interface RampStep {
  rate: number
  messages: number
  achievedRate: number
  deliveredRatio: number
  duplicates: number
  p50: number
  p99: number
  max: number
  /** CPU time the relay (R) spent per message during the step, µs. */
  relayCpuUsPerMessage: number
  pass: boolean
  why: string
}

export interface RampResult {
  kind: string
  /** Highest rate (msg/s) that passed. */
  sustained: number
  /** Lowest rate that failed (NaN when none did within maxRate). */
  firstFail: number
  steps: RampStep[]
  /** Why the ramp ended. */
  ended: string
}

export async function ramp(options: RampOptions): Promise<RampResult> {
  const graph = buildTopology('chain', 3)
  const started = performance.now()
  const deadline = started + options.budgetMs
  let mesh = await Mesh.start({...options.mesh, graph})
  const steps: RampStep[] = []
  let lastPass = 0
  let firstFail = Number.NaN
  let ended = ''

  const step = async (rate: number): Promise<RampStep> => {
    if (!mesh.healthy) {
      await mesh.stop()
      mesh = await Mesh.start({...options.mesh, graph})
    }

    const messages = Math.round(
      Math.min(options.maxStepMessages, Math.max(options.minStepMessages, rate * options.stepSeconds)),
    )
    const sends = makeSchedule(messages, 3, {
      seed: options.seed + steps.length,
      tag: `ramp${steps.length}-${rate}`,
      origins: [0],
    })
    const cpuBefore = mesh.cpu().node[1]
    const result = await runLoad(mesh, sends, {
      rate,
      drainMs: Math.max(2000, options.p99LimitMs * 20),
      distances: allDistances(graph),
    })
    const relayCpu = mesh.cpu().node[1] - cpuBefore
    const s = summarize(result.e2e)
    let why = 'ok'
    if (result.deliveredRatio < 1) why = `delivered ${(result.deliveredRatio * 100).toFixed(2)} %`
    else if (result.duplicates > 0) why = `${result.duplicates} duplicates`
    else if (!(s.p99 < options.p99LimitMs)) why = `p99 ${s.p99.toFixed(1)} ms ≥ ${options.p99LimitMs} ms`
    else if (result.achievedRate < rate * 0.9) why = `the harness wrote only ${Math.round(result.achievedRate)} msg/s`
    const entry: RampStep = {
      rate,
      messages,
      achievedRate: result.achievedRate,
      deliveredRatio: result.deliveredRatio,
      duplicates: result.duplicates,
      p50: s.p50,
      p99: s.p99,
      max: s.max,
      relayCpuUsPerMessage: (relayCpu * 1000) / messages,
      pass: why === 'ok',
      why,
    }
    steps.push(entry)
    await quiet(mesh, 500, 10_000) // what a failed step left behind must not load the next one
    return entry
  }

  try {
    for (let rate = options.startRate; ; rate *= 2) {
      if (rate > options.maxRate) {
        ended = `reached --ramp-max ${options.maxRate} msg/s`
        break
      }

      if (performance.now() > deadline) {
        ended = 'time budget spent'
        break
      }

      let s = await step(rate)
      // One more try before giving up on a rate: on a shared 2-core machine one stall of another process can
      // put a few samples past the limit.
      if (!s.pass) s = await step(rate)
      if (s.pass) {
        lastPass = rate
      } else {
        firstFail = rate
        ended = `failed at ${rate} msg/s: ${s.why}`
        break
      }
    }

    for (let i = 0; i < options.refineSteps && Number.isFinite(firstFail) && performance.now() < deadline; i++) {
      const rate = Math.round((lastPass + firstFail) / 2)
      if (rate <= lastPass || rate >= firstFail) break
      let s = await step(rate)
      if (!s.pass) s = await step(rate)
      if (s.pass) lastPass = rate
      else firstFail = rate
    }
  } finally {
    await mesh.stop()
  }

  return {kind: options.mesh.kind, sustained: lastPass, firstFail, steps, ended}
}

/** Waits until no message line has arrived for `quietMs` (at most `maxMs`). */
async function quiet(mesh: Mesh, quietMs: number, maxMs: number): Promise<void> {
  let last = performance.now()
  const off = mesh.onMessage(() => {
    last = performance.now()
  })
  const until = performance.now() + maxMs
  try {
    while (performance.now() - last < quietMs && performance.now() < until) await sleep(50)
  } finally {
    off()
  }
}
