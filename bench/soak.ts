// The long run: N messages relayed through one ChatNode R living in this process, while an author and a reader in a
// child process (bench/soak-peer.ts) keep it busy. R's heap (after a full GC) and the process's RSS are sampled as
// the count grows: once the seen-cache is full (its bound: 100,000 ids by default) the heap must stop growing.

import {fork} from 'node:child_process'
import {performance} from 'node:perf_hooks'
import {fileURLToPath} from 'node:url'

import {benchNodeOptions} from './engine-options.js'
import {fullGc, memory} from './gc.js'
import {sleep} from './stats.js'

export interface SoakOptions {
  messages: number
  window: number
  timeoutMs: number
  /** The seen-cache bound to give every node (undefined: the engine's default). */
  seenCacheMax?: number
  samples: number
}

export interface SoakSample {
  relayed: number
  seconds: number
  heapUsedMiB: number
  rssMiB: number
  externalMiB: number
}

export interface SoakResult {
  requested: number
  relayed: number
  seconds: number
  ratePerSecond: number
  /** The seen-cache bound in force (the engine's default unless --soak-cache). */
  seenCacheMax: number
  samples: SoakSample[]
  baseline: {heapUsedMiB: number; rssMiB: number}
  /**
   * Heap once the cache is full (the first sample past twice the bound, or past the bound in a shorter run) and at
   * the end; the growth between, per 100k messages.
   */
  afterCacheFull?: {
    atRelayed: number
    heapUsedMiB: number
    rssMiB: number
    endHeapUsedMiB: number
    endRssMiB: number
    heapGrowthMiBPer100k: number
    rssGrowthMiBPer100k: number
  }
  /** Heap growth per relayed message while the cache was filling (what one remembered id costs), bytes. */
  heapBytesPerMessageFilling: number
  peerWarnings: number
  /** RSS of the child holding the author and the reader. */
  peersRssMiB: number
}

export async function soak(options: SoakOptions): Promise<SoakResult> {
  const {ChatNode} = await import('../src/p2p/node.js')
  const {SEEN_CACHE_MAX_ENTRIES} = await import('../src/p2p/flood.js')
  const seenCacheMax = options.seenCacheMax ?? SEEN_CACHE_MAX_ENTRIES
  fullGc()
  const before = memory()
  const relay = new ChatNode(
    benchNodeOptions({name: 'soak-relay', degree: 0, seenCacheMax: options.seenCacheMax, unlimited: true}),
  )
  let peers = 0
  relay.on('peer_joined', () => peers++)
  let relayWarnings = 0
  relay.on('warning', () => relayWarnings++)
  await relay.start()

  const child = fork(fileURLToPath(new URL('soak-peer.ts', import.meta.url)), [], {
    execArgv: process.execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const killTimer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs + 15_000)
  const samples: SoakSample[] = []
  const began = performance.now()
  const every = Math.max(1, Math.floor(options.messages / Math.max(1, options.samples)))
  let done: {received: number; warnings: number; rssMiB: number} | undefined
  let failure: string | undefined
  const sample = (relayed: number): void => {
    fullGc()
    const m = memory()
    samples.push({
      relayed,
      seconds: (performance.now() - began) / 1000,
      heapUsedMiB: m.heapUsedMiB,
      rssMiB: m.rssMiB,
      externalMiB: m.externalMiB,
    })
  }

  const finished = new Promise<void>((resolve) => {
    child.on('message', (raw) => {
      const message = raw as {type: string; received: number; warnings: number; rssMiB: number; message?: string}
      switch (message.type) {
        case 'progress': {
          sample(message.received)
          break
        }

        case 'done': {
          done = message
          break
        }

        case 'error': {
          failure = message.message
          break
        }
      }
    })
    child.on('exit', () => resolve())
  })
  try {
    child.send({
      cmd: 'start',
      relayPort: relay.info.port,
      messages: options.messages,
      window: options.window,
      reportEvery: every,
      deadlineMs: options.timeoutMs,
      seenCacheMax: options.seenCacheMax,
    })
    const waitUntil = performance.now() + 10_000
    while (peers < 2 && performance.now() < waitUntil && child.exitCode === null) await sleep(10)
    if (peers < 2)
      throw new Error(`the soak's author and reader did not connect to the relay${failure ? `: ${failure}` : ''}`)
    sample(0)
    child.send({cmd: 'go'})
    await finished
  } finally {
    clearTimeout(killTimer)
    if (child.exitCode === null) child.kill('SIGKILL')
    await relay.stop()
  }

  if (failure) throw new Error(`soak peer failed: ${failure}`)
  const relayed = done?.received ?? samples.at(-1)?.relayed ?? 0
  const seconds = samples.at(-1)?.seconds ?? 0
  // The heap settles a little after the cache first fills (the Map's table still grows while it churns), so growth
  // is measured from twice the bound when the run got that far.
  const full =
    samples.find((s) => s.relayed >= 2 * seenCacheMax && samples.at(-1)!.relayed > s.relayed) ??
    samples.find((s) => s.relayed >= seenCacheMax)
  const end = samples.at(-1)
  const first = samples[0]
  const filling = samples.filter((s) => s.relayed <= seenCacheMax)
  const lastFilling = filling.at(-1)
  return {
    requested: options.messages,
    relayed,
    seconds,
    ratePerSecond: seconds > 0 ? relayed / seconds : Number.NaN,
    seenCacheMax,
    samples,
    baseline: {heapUsedMiB: before.heapUsedMiB, rssMiB: before.rssMiB},
    afterCacheFull:
      full && end && end.relayed > full.relayed
        ? {
            atRelayed: full.relayed,
            heapUsedMiB: full.heapUsedMiB,
            rssMiB: full.rssMiB,
            endHeapUsedMiB: end.heapUsedMiB,
            endRssMiB: end.rssMiB,
            heapGrowthMiBPer100k: ((end.heapUsedMiB - full.heapUsedMiB) * 100_000) / (end.relayed - full.relayed),
            rssGrowthMiBPer100k: ((end.rssMiB - full.rssMiB) * 100_000) / (end.relayed - full.relayed),
          }
        : undefined,
    heapBytesPerMessageFilling:
      first && lastFilling && lastFilling.relayed > first.relayed
        ? ((lastFilling.heapUsedMiB - first.heapUsedMiB) * 2 ** 20) / (lastFilling.relayed - first.relayed)
        : Number.NaN,
    peerWarnings: (done?.warnings ?? 0) + relayWarnings,
    peersRssMiB: done?.rssMiB ?? Number.NaN,
  }
}
