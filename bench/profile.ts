// Where a relaying chat node spends its time: the middle node R of a chain A – R – B runs under `node --cpu-prof`
// while messages flow through it; the profile V8 writes when R exits is read back and summarised by self time
// (per function and per file or area). The raw .cpuprofile is kept for Chrome DevTools or speedscope.

import {readdirSync, readFileSync} from 'node:fs'
import {join, relative} from 'node:path'

import {makeSchedule, runLoad} from './load.js'
import {Mesh, type MeshOptions} from './mesh.js'
import {summarize} from './stats.js'
import {allDistances, buildTopology} from './topology.js'

interface ProfileNode {
  id: number
  callFrame: {functionName: string; url: string; lineNumber: number; columnNumber: number}
  hitCount?: number
  children?: number[]
}

interface CpuProfile {
  nodes: ProfileNode[]
  startTime: number
  endTime: number
  samples?: number[]
  timeDeltas?: number[]
}

export interface HotSpot {
  name: string
  where: string
  selfMs: number
  selfPercent: number
  /** The callers this time came through most (three frames up, nearest first). */
  via: string
}

export interface ProfileSummary {
  file: string
  totalMs: number
  /** Time not idle. */
  busyMs: number
  /** The window summarised (the load phase, startup excluded), ms from the profile's start; all when unknown. */
  window: string
  functions: HotSpot[]
  areas: Array<{area: string; selfMs: number; busyPercent: number}>
  /** Busy time split by what a message's handling does (ACCOUNT: the first item any frame of a sample's stack matches). */
  account: Array<{item: string; ms: number}>
}

/**
 * The per-message costs issue 16 asks to account for, in priority order: a sample goes to the first item that any
 * frame of its stack matches (a socket write inside the JSON output is output; one inside the forward is a write).
 * The floor relay's functions (bench/baseline-relay.mjs) are matched too, so both profiles split the same way.
 */
const ACCOUNT: Array<{item: string; match: (name: string, url: string) => boolean}> = [
  {item: 'Ed25519 verify', match: (n) => n === 'verifyWithPrefix' || n === 'verifyOneShot'},
  {item: 'Ed25519 sign (own messages)', match: (n) => n === 'signWithPrefix' || n === 'signOneShot'},
  {
    item: 'ChaCha20-Poly1305 open',
    match: (n, u) => n === 'aeadDecrypt' || (n === 'open' && u.endsWith('baseline-relay.mjs')),
  },
  {
    item: 'ChaCha20-Poly1305 seal',
    match: (n, u) => n === 'aeadEncrypt' || (n === 'seal' && u.endsWith('baseline-relay.mjs')),
  },
  {item: 'history writer IPC', match: (n, u) => u.includes('/history/') || n === 'writeChannelMessage'},
  {
    item: 'output line on stdout (--json)',
    match: (n, u) =>
      u.includes('/repl/') || u.includes('/text/') || (n === 'print' && u.endsWith('baseline-relay.mjs')),
  },
  {
    item: 'socket write (forward)',
    match: (n) => n === 'sendBody' || n === 'Socket._writeGeneric' || n === 'writeGeneric',
  },
  {item: 'frame parse (JSON)', match: (n) => n === 'decodeFrame'},
  {item: 'payload parse (JSON, again)', match: (n) => n === 'decodeChatPayload'},
  {item: 'message id hash', match: (n) => n === 'messageId'},
  {item: 're-encode to forward', match: (n) => n === 'encodeBody'},
  {item: 'p-queue', match: (_n, u) => u.includes('/p-queue/')},
  {item: 'timers', match: (n) => n === 'listOnTimeout' || n === 'processTimers'},
  {item: 'engine, the rest', match: (_n, u) => u.includes('/p2p/')},
  {item: 'relay script, the rest', match: (_n, u) => u.endsWith('baseline-relay.mjs')},
  {item: 'reading the socket (stream plumbing)', match: (n) => n === 'onStreamRead'},
  {item: 'GC', match: (n) => n === '(garbage collector)'},
]

export interface ProfileRun {
  messages: number
  rate: number
  deliveredRatio: number
  p50: number
  p99: number
  relay: ProfileSummary
}

const PROFILE_INTERVAL_US = 200

export async function profileRelay(options: {
  mesh: Omit<MeshOptions, 'graph' | 'nodeFlags'>
  dir: string
  messages: number
  rate: number
  seed: number
  root: string
}): Promise<ProfileRun> {
  const graph = buildTopology('chain', 3)
  // A sample every 200 µs, not V8's default 1 ms: at 100 msg/s a relay is busy well under a millisecond per message,
  // and the per-message items are a few µs each.
  const flags = ['--cpu-prof', '--cpu-prof-interval', String(PROFILE_INTERVAL_US), '--cpu-prof-dir', options.dir]
  const mesh = await Mesh.start({...options.mesh, graph, nodeFlags: (i) => (i === 1 ? flags : [])})
  const relayPid = mesh.nodes[1].proc.pid
  let result
  // V8 stamps samples with the monotonic clock that process.hrtime reads: the load phase is cut out by time.
  let from = 0
  let to = 0
  try {
    const sends = makeSchedule(options.messages, 3, {seed: options.seed, tag: 'profile', origins: [0]})
    from = Number(process.hrtime.bigint() / 1000n)
    result = await runLoad(mesh, sends, {rate: options.rate, drainMs: 5000, distances: allDistances(graph)})
    to = Number(process.hrtime.bigint() / 1000n)
  } finally {
    await mesh.stop() // a graceful exit: V8 writes the profile
  }

  // The relay's own profile (its forked history writer inherits the flag and writes another, with its own pid).
  const file = readdirSync(options.dir).find((name) => name.endsWith('.cpuprofile') && name.includes(`.${relayPid}.`))
  if (!file) throw new Error(`no CPU profile for pid ${relayPid} in ${options.dir}`)
  const s = summarize(result.e2e)
  return {
    messages: options.messages,
    rate: options.rate,
    deliveredRatio: result.deliveredRatio,
    p50: s.p50,
    p99: s.p99,
    relay: summarizeProfile(join(options.dir, file), options.root, {fromUs: from, toUs: to}),
  }
}

/**
 * `chat start` runs as one esbuild bundle (scripts/bundle-start.mjs), so every frame of ours would carry the bundle's
 * URL and the areas and the account (which go by module path) would see one file. esbuild marks where each module
 * begins (`// dist/p2p/connection.js`): a frame's line is mapped back to the module it came from.
 */
function unbundle(profile: CpuProfile): void {
  const starts = new Map<string, Array<{line: number; path: string}> | undefined>()
  const modulesOf = (url: string): Array<{line: number; path: string}> | undefined => {
    if (starts.has(url)) return starts.get(url)
    let found: Array<{line: number; path: string}> | undefined
    if (/\/dist\/(commands\/start|chunks\/[^/]+)\.js$/.test(url)) {
      try {
        const path = url.startsWith('file://') ? new URL(url).pathname : url
        const dist = path.slice(0, path.lastIndexOf('/dist/') + '/dist/'.length - 1)
        found = []
        for (const [i, text] of readFileSync(path, 'utf8').split('\n').entries()) {
          const marker = /^\/\/ dist\/(.+\.js)$/.exec(text)
          if (marker) found.push({line: i, path: `file://${dist}/${marker[1]}`})
        }
      } catch {
        found = undefined // the build changed since the run: keep the bundle's URL
      }
    }

    starts.set(url, found)
    return found
  }

  for (const {callFrame} of profile.nodes) {
    const modules = callFrame.url ? modulesOf(callFrame.url) : undefined
    if (!modules) continue
    let module: string | undefined
    for (const start of modules) {
      if (start.line > callFrame.lineNumber) break
      module = start.path
    }

    if (module) callFrame.url = module
  }
}

export function summarizeProfile(
  file: string,
  root: string,
  window?: {fromUs: number; toUs: number},
  top = 20,
): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile
  unbundle(profile)
  const self = new Map<number, number>()
  const parent = new Map<number, number>()
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  let windowText = 'whole profile'
  // Self time per node from the samples and their time deltas (µs); hitCount × mean interval if absent.
  if (profile.samples && profile.timeDeltas) {
    let t = profile.startTime
    const inWindow =
      window &&
      window.fromUs >= profile.startTime &&
      window.toUs <= profile.endTime + 1e6 &&
      window.toUs > window.fromUs
    if (inWindow)
      windowText = `${((window.fromUs - profile.startTime) / 1000).toFixed(0)}–${((Math.min(window.toUs, profile.endTime) - profile.startTime) / 1000).toFixed(0)} ms of ${((profile.endTime - profile.startTime) / 1000).toFixed(0)} ms (the load phase)`
    for (let i = 0; i < profile.samples.length; i++) {
      t += profile.timeDeltas[i]
      if (inWindow && (t < window.fromUs || t > window.toUs)) continue
      const delta = profile.timeDeltas[i + 1] ?? 0
      self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + delta)
    }
  } else {
    const hits = profile.nodes.reduce((sum, node) => sum + (node.hitCount ?? 0), 0)
    const interval = (profile.endTime - profile.startTime) / Math.max(1, hits)
    for (const node of profile.nodes) self.set(node.id, (node.hitCount ?? 0) * interval)
  }

  const accountOf = new Map<number, string>()
  const classify = (id: number): string => {
    const known = accountOf.get(id)
    if (known !== undefined) return known
    let item = 'other'
    let best = ACCOUNT.length
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)?.callFrame
      if (!frame) break
      const rank = ACCOUNT.findIndex((a) => a.match(frame.functionName, frame.url))
      if (rank !== -1 && rank < best) {
        best = rank
        item = ACCOUNT[rank].item
      }
    }

    accountOf.set(id, item)
    return item
  }

  const byItem = new Map<string, number>()
  const byFunction = new Map<string, HotSpot & {paths: Map<string, number>}>()
  const byArea = new Map<string, number>()
  let totalUs = 0
  let idleUs = 0
  for (const node of profile.nodes) {
    const us = self.get(node.id) ?? 0
    if (us === 0) continue
    totalUs += us
    const {functionName, url, lineNumber} = node.callFrame
    const name = functionName || '(anonymous)'
    if (name === '(idle)') {
      idleUs += us
      continue
    }

    const item = classify(node.id)
    byItem.set(item, (byItem.get(item) ?? 0) + us / 1000)
    const where = url ? `${shortUrl(url, root)}:${lineNumber + 1}` : ''
    const key = `${name} ${where}`
    const entry = byFunction.get(key) ?? {
      name,
      where,
      selfMs: 0,
      selfPercent: 0,
      via: '',
      paths: new Map<string, number>(),
    }
    entry.selfMs += us / 1000
    const path = callers(node.id, parent, byId, root)
    entry.paths.set(path, (entry.paths.get(path) ?? 0) + us)
    byFunction.set(key, entry)
    const area = areaOf(name, url, root)
    byArea.set(area, (byArea.get(area) ?? 0) + us / 1000)
  }

  const busyMs = (totalUs - idleUs) / 1000
  const functions = [...byFunction.values()]
    .sort((a, b) => b.selfMs - a.selfMs)
    .slice(0, top)
    .map(({paths, ...f}) => ({
      ...f,
      selfPercent: (100 * f.selfMs) / Math.max(1e-9, busyMs),
      via: [...paths.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '',
    }))
  return {
    file,
    totalMs: totalUs / 1000,
    busyMs,
    window: windowText,
    functions,
    account: [...byItem.entries()].map(([item, ms]) => ({item, ms})).sort((a, b) => b.ms - a.ms),
    areas: [...byArea.entries()]
      .map(([area, selfMs]) => ({area, selfMs, busyPercent: (100 * selfMs) / Math.max(1e-9, busyMs)}))
      .sort((a, b) => b.selfMs - a.selfMs),
  }
}

function callers(id: number, parent: Map<number, number>, byId: Map<number, ProfileNode>, root: string): string {
  const out: string[] = []
  let at = parent.get(id)
  while (at !== undefined && out.length < 3) {
    const frame = byId.get(at)?.callFrame
    if (!frame || frame.functionName === '(root)') break
    const file = frame.url
      ? shortUrl(frame.url, root)
          .replace(/^node:internal\//, '')
          .replace(/^dist\//, '')
      : ''
    out.push(`${frame.functionName || '(anonymous)'}${file ? ` ${file}:${frame.lineNumber + 1}` : ''}`)
    at = parent.get(at)
  }

  return out.join(' ← ')
}

function shortUrl(url: string, root: string): string {
  const path = url.startsWith('file://') ? new URL(url).pathname : url
  if (path.includes('/node_modules/')) return path.slice(path.lastIndexOf('/node_modules/') + 1)
  return path.startsWith('/') ? relative(root, path) : path
}

/** A coarse bucket for a function: which part of the program (or of Node) it belongs to. */
function areaOf(name: string, url: string, root: string): string {
  if (name === '(garbage collector)') return 'GC'
  if (name === '(program)') return 'V8/native (program)'
  if (!url) return `native: ${name}`
  const path = shortUrl(url, root)
  if (path.startsWith('node_modules/'))
    return path
      .split('/')
      .slice(0, path.startsWith('node_modules/@') ? 3 : 2)
      .join('/')
  if (path.startsWith('node:'))
    return path
      .replace(/^node:internal\/(?:[^/]+\/)?/, 'node:')
      .replace(/\.js$/, '')
      .split('/')[0]
  return path.replace(/^dist\//, '').replace(/\.js$/, '')
}
