// `npm run bench`: delivery latency, throughput, startup and memory of `chat`, side by side with a raw TCP relay
// measured in the same run on the same machine (issue 6). Every figure printed comes from this run.
//
//   npm run bench                                   # process mode, small defaults (about 1–2 minutes on 2 cores)
//   npm run bench -- --nodes 20 --rate 100 --messages 1000 --json
//   npm run bench -- --in-process --nodes 500       # ChatNode instances in one process
//   npm run bench -- --sections soak --soak 1000000 # the long run
//
// `npm run bench -- --help` lists every option. Process mode runs the built CLI (bin/run.js: `npm run build`
// first, or point --cli at another build).

import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join, resolve} from 'node:path'
import {performance} from 'node:perf_hooks'
import {fileURLToPath} from 'node:url'
import {parseArgs} from 'node:util'

import {runInProcess} from './inprocess.js'
import {type LatencySide, makeSchedule, runLoad, summarizeLoad} from './load.js'
import {contention, cpuSnapshot, describeMachine} from './machine.js'
import {Mesh, type MeshKind, type MeshOptions} from './mesh.js'
import {killAllChildren} from './proc.js'
import {profileRelay} from './profile.js'
import {formatReport} from './report.js'
import {soak, type SoakResult} from './soak.js'
import {measureStartup, type StartupResult} from './startup.js'
import {ratio, sleep} from './stats.js'
import {cdfSvg} from './svg.js'
import {syncBench} from './sync.js'
import {ramp, type RampResult} from './throughput.js'
import {
  allDistances,
  buildTopology,
  type Graph,
  graphStats,
  type GraphStats,
  sameGraph,
  type TopologyKind,
} from './topology.js'

const BENCH_DIR = dirname(fileURLToPath(import.meta.url))
const ROOT = resolve(BENCH_DIR, '..')

const HELP = `npm run bench -- [options]

Process mode (default): real \`chat start --json\` processes on 127.0.0.1, and the two baseline relays
(bench/baseline-relay.mjs) over the same graph: plain, and the floor (--crypto: signed, verified, sealed).
  --nodes N            processes in the latency mesh (default 10)
  --messages M         messages in the latency run (default 200)
  --rate R             messages per second written, all origins together (default 50)
  --topology T         chain | ring | random (dialled explicitly, the engine's own dialling off)
                       | mesh (each node joins one random earlier node; the engine grows it to --degree)
                       (default random)
  --degree D           random: mean degree of the graph; mesh: the engine's --degree (default 4)
  --join-mode M        connect (/connect after start, default) | join (--join at spawn)
  --chat-args "..."    extra arguments for every \`chat start\`
  --with-default-degree  latency: also run chat with the engine's default --degree, dialled with the same joins
                       (the engine grows the mesh from them), against the floor on the join graph
  --cli PATH           the built CLI (default: this repo's bin/run.js)
  --sections LIST      startup,latency,throughput,soak,sync,profile (default: all but profile)
                       sync: reconciliation cost (10,000 shared messages, 10/100/1,000 differences) and the
                       catch-up time of two in-process halves that chatted apart (docs/sync.md)
  --warmup W           unmeasured messages before the latency run (default 10)
  --startup-samples K  (default 5)
  --ramp-start R       first throughput step, msg/s (default 100); doubles each step
  --ramp-max R         highest step tried (default 102400)
  --ramp-step-seconds S  seconds per step (default 2; 300 to 20000 messages); a failed step is tried twice
  --ramp-budget S      seconds per ramp, chat and baseline each (default 60)
  --p99-limit MS       a step passes while p99 < this (default 50)
  --soak N             messages relayed through one in-process node (default 20000; 0: skip)
  --soak-cache N       seen-cache bound for the soak (default: the engine's)
  --profile            add the profile section: the relay of A–R–B under node --cpu-prof, chat and floor
  --profile-dir DIR    keep the .cpuprofile there (default: a temporary directory)
  --profile-messages M (default 4000)   --profile-rate R (default 800)

In-process mode: --in-process
  --nodes N (default 100) --messages M (default 30) --rate R (default 2) --topology (default mesh) --degree D

Both: --json (one JSON object on stdout), --svg PATH (latency CDF picture), --seed S (default 1),
      --max-seconds S (everything is killed after this, default 1200)`

interface Options {
  inProcess: boolean
  nodes: number
  messages: number
  rate: number
  topology: 'mesh' | TopologyKind
  degree: number
  joinMode: 'connect' | 'join'
  chatArgs: string[]
  withDefaultDegree: boolean
  cli: string
  sections: Set<string>
  warmup: number
  startupSamples: number
  rampStart: number
  rampMax: number
  rampStepSeconds: number
  rampBudget: number
  p99Limit: number
  soak: number
  soakCache: number | undefined
  soakExplicit: boolean
  profileDir: string | undefined
  profileMessages: number
  profileRate: number
  json: boolean
  svg: string | undefined
  seed: number
  maxSeconds: number
}

function parseOptions(argv: string[]): Options {
  const {values} = parseArgs({
    args: argv,
    options: {
      help: {type: 'boolean', short: 'h'},
      'in-process': {type: 'boolean'},
      nodes: {type: 'string'},
      messages: {type: 'string'},
      rate: {type: 'string'},
      topology: {type: 'string'},
      degree: {type: 'string'},
      'join-mode': {type: 'string'},
      'chat-args': {type: 'string'},
      'with-default-degree': {type: 'boolean'},
      cli: {type: 'string'},
      sections: {type: 'string'},
      warmup: {type: 'string'},
      'startup-samples': {type: 'string'},
      'ramp-start': {type: 'string'},
      'ramp-max': {type: 'string'},
      'ramp-step-seconds': {type: 'string'},
      'ramp-budget': {type: 'string'},
      'p99-limit': {type: 'string'},
      soak: {type: 'string'},
      'soak-cache': {type: 'string'},
      profile: {type: 'boolean'},
      'profile-dir': {type: 'string'},
      'profile-messages': {type: 'string'},
      'profile-rate': {type: 'string'},
      json: {type: 'boolean'},
      svg: {type: 'string'},
      seed: {type: 'string'},
      'max-seconds': {type: 'string'},
    },
    strict: true,
  })
  if (values.help) {
    console.log(HELP)
    process.exit(0)
  }

  const inProcess = values['in-process'] ?? false
  const num = (
    name: string,
    raw: string | undefined,
    fallback: number,
    min: number,
    max = Number.MAX_SAFE_INTEGER,
  ): number => {
    if (raw === undefined) return fallback
    const value = Number(raw)
    if (!Number.isFinite(value) || value < min || value > max)
      throw new Error(`--${name} must be a number from ${min} to ${max}, not "${raw}"`)
    return value
  }

  const topology = values.topology ?? (inProcess ? 'mesh' : 'random')
  if (!['chain', 'mesh', 'random', 'ring'].includes(topology))
    throw new Error(`--topology must be chain, ring, random or mesh, not "${topology}"`)
  const joinMode = values['join-mode'] ?? 'connect'
  if (joinMode !== 'connect' && joinMode !== 'join')
    throw new Error(`--join-mode must be connect or join, not "${joinMode}"`)
  const known = ['startup', 'latency', 'throughput', 'soak', 'sync', 'profile']
  const sections = new Set(
    (values.sections ?? 'startup,latency,throughput,soak,sync')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  )
  for (const s of sections)
    if (!known.includes(s)) throw new Error(`unknown section "${s}" (known: ${known.join(', ')})`)
  if (values.profile || values['profile-dir']) sections.add('profile')
  return {
    inProcess,
    nodes: num('nodes', values.nodes, inProcess ? 100 : 10, 2, inProcess ? 5000 : 200),
    messages: num('messages', values.messages, inProcess ? 30 : 200, 1, 1_000_000),
    rate: num('rate', values.rate, inProcess ? 2 : 50, 0.01, 1_000_000),
    topology: topology as Options['topology'],
    degree: num('degree', values.degree, 4, 1, 64),
    joinMode,
    chatArgs: (values['chat-args'] ?? '').split(/\s+/).filter(Boolean),
    withDefaultDegree: values['with-default-degree'] ?? false,
    cli: resolve(values.cli ?? join(ROOT, 'bin', 'run.js')),
    sections,
    warmup: num('warmup', values.warmup, 10, 0, 10_000),
    startupSamples: num('startup-samples', values['startup-samples'], 5, 1, 100),
    rampStart: num('ramp-start', values['ramp-start'], 100, 1),
    rampMax: num('ramp-max', values['ramp-max'], 102_400, 1),
    rampStepSeconds: num('ramp-step-seconds', values['ramp-step-seconds'], 2, 0.1, 60),
    rampBudget: num('ramp-budget', values['ramp-budget'], 60, 1, 3600),
    p99Limit: num('p99-limit', values['p99-limit'], 50, 0.1),
    soak: num('soak', values.soak, 20_000, 0, 100_000_000),
    soakExplicit: values.soak !== undefined,
    soakCache: values['soak-cache'] === undefined ? undefined : num('soak-cache', values['soak-cache'], 0, 1),
    profileDir: values['profile-dir'] === undefined ? undefined : resolve(values['profile-dir']),
    profileMessages: num('profile-messages', values['profile-messages'], 4000, 1, 1_000_000),
    profileRate: num('profile-rate', values['profile-rate'], 800, 1),
    json: values.json ?? false,
    svg: values.svg === undefined ? undefined : resolve(values.svg),
    seed: num('seed', values.seed, 1, 0, 2 ** 31),
    maxSeconds: num('max-seconds', values['max-seconds'], 1200, 10),
  }
}

/** The flags the CLI's `start` command declares, from the oclif manifest next to it (empty when unreadable). */
function startFlags(cli: string): Set<string> {
  try {
    const manifest = JSON.parse(readFileSync(join(dirname(cli), '..', 'oclif.manifest.json'), 'utf8')) as {
      commands?: Record<string, {flags?: Record<string, unknown>}>
    }
    return new Set(Object.keys(manifest.commands?.start?.flags ?? {}))
  } catch {
    return new Set()
  }
}

function progress(options: Options, text: string): void {
  if (!options.json) process.stderr.write(`· ${text}\n`)
}

interface LatencySection {
  topology: string
  intended: GraphStats
  graph: GraphStats
  /** The nodes reported exactly the intended links. */
  graphAsIntended: boolean
  messages: number
  rate: number
  chat: LatencySide
  baseline: LatencySide
  /** The floor relay (`--crypto`) over the same graph. */
  floor: LatencySide
  /** `--with-default-degree`: chat with the engine's default --degree, dialled with the same joins. */
  defaultDegree?: {topology: string; graph: GraphStats; chat: LatencySide} | {error: string}
  /** End-to-end ratios, chat / plain and chat / floor (and the default --degree's chat / floor), p50 and p99. */
  ratios?: Record<string, {p50: number; p99: number}>
}

/** chat / other for the end-to-end p50 and p99 of two latency runs. */
function e2eRatio(chat: LatencySide, other: LatencySide): {p50: number; p99: number} {
  return {p50: ratio(chat.load.e2eMs.p50, other.load.e2eMs.p50), p99: ratio(chat.load.e2eMs.p99, other.load.e2eMs.p99)}
}

async function latencyRun(
  kind: MeshKind,
  graph: Graph,
  options: Options,
  base: Omit<MeshOptions, 'graph' | 'kind'>,
  graphOut?: {graph: Graph},
): Promise<LatencySide> {
  const mesh = await Mesh.start({...base, kind, graph})
  try {
    if (graphOut) graphOut.graph = mesh.graph
    const distances = allDistances(mesh.graph)
    // Idle: connected, nothing sent yet, a moment to settle.
    await sleep(1000)
    const idle = mesh.memory()
    if (options.warmup > 0) {
      await runLoad(mesh, makeSchedule(options.warmup, graph.n, {seed: options.seed + 100, tag: `warmup-${kind}`}), {
        rate: Math.min(options.rate, 50),
        drainMs: 3000,
        distances,
      })
    }

    const cpu0 = mesh.cpu()
    const sends = makeSchedule(options.messages, graph.n, {seed: options.seed + 1, tag: `latency-${kind}`})
    const raw = await runLoad(mesh, sends, {rate: options.rate, drainMs: 10_000, distances})
    const cpu1 = mesh.cpu()
    await sleep(500)
    const after = mesh.memory()
    const perNode = (a: number[], b: number[]): number =>
      a.reduce((sum, v, i) => sum + (v - b[i]), 0) / a.length / options.messages
    return {
      load: summarizeLoad(raw),
      raw,
      memoryIdleKiB: idle.node,
      memoryAfterKiB: after.node,
      childrenIdleKiB: idle.children,
      childrenAfterKiB: after.children,
      childrenIdleAnonKiB: idle.childrenAnon,
      childrenAfterAnonKiB: after.childrenAnon,
      cpuMsPerMessagePerNode: perNode(cpu1.node, cpu0.node),
      childrenCpuMsPerMessagePerNode: perNode(cpu1.children, cpu0.children),
      errors: mesh.errors,
    }
  } finally {
    await mesh.stop()
  }
}

/**
 * Chat as it runs by default: the engine's own --degree, started from the same joins as the explicit graph (each
 * node dials the same earlier nodes; the engine then adds links of its own). Its hop counts come from the graph the
 * nodes report; the floor to compare with is the one on the join graph.
 */
async function defaultDegreeRun(
  joins: Graph,
  options: Options,
  base: Omit<MeshOptions, 'graph' | 'kind'>,
): Promise<NonNullable<LatencySection['defaultDegree']>> {
  progress(options, `latency: ${options.nodes} chat nodes with the engine's default --degree, from the same joins`)
  try {
    const built = {graph: joins}
    const chat = await latencyRun(
      'chat',
      joins,
      options,
      {...base, chatArgs: options.chatArgs, settleMs: 20_000, quietMs: 2500},
      built,
    )
    return {topology: "the same joins, then the engine's default --degree", graph: graphStats(built.graph), chat}
  } catch (error) {
    return {error: String(error)}
  }
}

async function processMode(options: Options, report: Record<string, unknown>): Promise<void> {
  const needsCli = ['startup', 'latency', 'throughput', 'profile'].some((s) => options.sections.has(s))
  if (needsCli && !existsSync(options.cli))
    throw new Error(`no CLI at ${options.cli}: run \`npm run build\` first, or pass --cli PATH`)
  if (needsCli && !existsSync(join(dirname(options.cli), '..', 'dist')))
    throw new Error(`${options.cli} has no dist/ next to it: run \`npm run build\` first`)
  const flags = startFlags(options.cli)
  const workDir = mkdtempSync(join(tmpdir(), 'chat-bench-'))
  report.cli = options.cli
  try {
    const explicit = options.topology !== 'mesh'
    // Explicit topologies must stay as dialled: the engine's own dialling (when it has one) is turned off.
    const topologyArgs = explicit
      ? flags.has('degree')
        ? ['--degree', '0']
        : []
      : ['--degree', String(options.degree)]
    if (!explicit && !flags.has('degree'))
      throw new Error('--topology mesh needs a chat with --degree (this build has none)')
    const base: Omit<MeshOptions, 'graph' | 'kind'> = {
      cli: options.cli,
      relay: join(BENCH_DIR, 'baseline-relay.mjs'),
      workDir,
      joinMode: options.joinMode,
      chatArgs: [...topologyArgs, ...options.chatArgs],
      settleMs: explicit ? 2000 : 20_000,
      quietMs: explicit ? 300 : 2500,
      timeoutMs: 60_000 + options.nodes * 2000,
    }

    if (options.sections.has('startup')) {
      progress(options, `startup: ${options.startupSamples} samples of chat start and node -e 0`)
      try {
        const s = await measureStartup({cli: options.cli, workDir, samples: options.startupSamples, timeoutMs: 20_000})
        report.startup = s
      } catch (error) {
        report.startup = {error: String(error)}
      }
    }

    if (options.sections.has('latency')) {
      const intended = explicit
        ? buildTopology(options.topology as TopologyKind, options.nodes, {degree: options.degree, seed: options.seed})
        : buildTopology('random', options.nodes, {degree: 1, seed: options.seed})
      progress(
        options,
        `latency: ${options.nodes} chat nodes, ${options.topology}, ${options.messages} messages at ${options.rate}/s`,
      )
      try {
        const built = {graph: intended}
        const chat = await latencyRun('chat', intended, options, base, built)
        progress(options, `latency: ${options.nodes} baseline relays over the same graph`)
        const baseline = await latencyRun('baseline', built.graph, options, base)
        progress(options, `latency: ${options.nodes} floor relays (signed, verified, sealed) over the same graph`)
        const floor = await latencyRun('floor', built.graph, options, base)
        const section: LatencySection = {
          topology: explicit
            ? options.topology
            : `mesh (engine --degree ${options.degree}, grown from a random tree of joins)`,
          intended: graphStats(intended),
          graph: graphStats(built.graph),
          graphAsIntended: sameGraph(intended, built.graph),
          messages: options.messages,
          rate: options.rate,
          chat,
          baseline,
          floor,
        }
        if (options.withDefaultDegree) section.defaultDegree = await defaultDegreeRun(intended, options, base)
        section.ratios = {chatPlain: e2eRatio(chat, baseline), chatFloor: e2eRatio(chat, floor)}
        const d = section.defaultDegree
        if (d && 'chat' in d) section.ratios.defaultDegreeChatFloor = e2eRatio(d.chat, floor)
        report.latency = section
        if (options.svg) {
          const svg = cdfSvg(
            `Delivery latency, ${options.nodes} processes, ${options.topology}, ${options.rate} msg/s`,
            "ms from stdin write to the receiver's message line",
            [
              {label: 'chat, end to end', values: chat.raw.e2e, color: '#1f5fbf'},
              {label: 'chat, per hop', values: chat.raw.perHop, color: '#7fa7e6'},
              {label: 'baseline relay, end to end', values: baseline.raw.e2e, color: '#c0392b'},
              {label: 'baseline relay, per hop', values: baseline.raw.perHop, color: '#e8a39b'},
              {label: 'floor relay, end to end', values: floor.raw.e2e, color: '#27864a'},
            ],
            `${process.version}, ${describeMachine().cores} cores; seed ${options.seed}`,
          )
          writeFileSync(options.svg, svg)
          report.svg = options.svg
        }
      } catch (error) {
        report.latency = {error: String(error)}
      }
    }

    if (options.sections.has('throughput')) {
      // The engine limits one author to 100 msg/s (bursts of 500) and one hop to 2,000 frames/s: policy, not
      // capacity. The ramp measures capacity, so those limits are lifted when this build has them.
      const lift = [
        ...(flags.has('author-rate') ? ['--author-rate', '1000000000'] : []),
        ...(flags.has('hop-rate') ? ['--hop-rate', '1000000000'] : []),
      ]
      const rampBase = {
        startRate: options.rampStart,
        maxRate: options.rampMax,
        stepSeconds: options.rampStepSeconds,
        minStepMessages: 300,
        maxStepMessages: 20_000,
        p99LimitMs: options.p99Limit,
        refineSteps: 2,
        budgetMs: options.rampBudget * 1000,
        seed: options.seed + 2,
      }
      const result: Record<string, unknown> = {topology: 'chain A – R – B, all messages from A', liftedLimits: lift}
      for (const kind of ['chat', 'baseline', 'floor'] as const) {
        progress(options, `throughput: ${kind}, ramp from ${options.rampStart} msg/s`)
        try {
          result[kind] = await ramp({...rampBase, mesh: {...base, kind, chatArgs: [...base.chatArgs, ...lift]}})
        } catch (error) {
          result[kind] = {error: String(error)}
        }
      }

      const c = result.chat as RampResult | undefined
      const b = result.baseline as RampResult | undefined
      const f = result.floor as RampResult | undefined
      result.ratio = ratio(c?.sustained ?? Number.NaN, b?.sustained ?? Number.NaN)
      result.ratioFloor = ratio(c?.sustained ?? Number.NaN, f?.sustained ?? Number.NaN)
      report.throughput = result
    }

    if (options.sections.has('profile')) {
      const dir = options.profileDir ?? mkdtempSync(join(tmpdir(), 'chat-bench-prof-'))
      progress(
        options,
        `profile: the relay of A–R–B under --cpu-prof, ${options.profileMessages} messages at ${options.profileRate}/s`,
      )
      try {
        const lift = [
          ...(flags.has('author-rate') ? ['--author-rate', '1000000000'] : []),
          ...(flags.has('hop-rate') ? ['--hop-rate', '1000000000'] : []),
        ]
        report.profile = await profileRelay({
          mesh: {...base, kind: 'chat', chatArgs: [...base.chatArgs, ...lift]},
          dir,
          messages: options.profileMessages,
          rate: options.profileRate,
          seed: options.seed + 3,
          root: dirname(dirname(options.cli)),
        })
      } catch (error) {
        report.profile = {error: String(error)}
      }

      // The floor relay at the same load: what the least our design needs costs per message, beside chat's profile.
      progress(options, `profile: the floor relay of A–R–B, same load`)
      try {
        report.profileFloor = await profileRelay({
          mesh: {...base, kind: 'floor'},
          dir,
          messages: options.profileMessages,
          rate: options.profileRate,
          seed: options.seed + 3,
          root: ROOT,
        })
      } catch (error) {
        report.profileFloor = {error: String(error)}
      } finally {
        if (!options.profileDir) rmSync(dir, {recursive: true, force: true})
      }
    }
  } finally {
    rmSync(workDir, {recursive: true, force: true})
  }

  if (options.sections.has('soak') && options.soak > 0) await soakSection(options, report)
  if (options.sections.has('sync')) await syncSection(options, report)
}

async function syncSection(options: Options, report: Record<string, unknown>): Promise<void> {
  progress(options, 'sync: reconciliation cost, and catch-up after a partition (in-process)')
  try {
    report.sync = await syncBench({seed: options.seed})
  } catch (error) {
    report.sync = {error: String(error)}
  }
}

async function soakSection(options: Options, report: Record<string, unknown>): Promise<void> {
  progress(options, `soak: ${options.soak.toLocaleString('en')} messages through one in-process relay`)
  try {
    report.soak = await soak({
      messages: options.soak,
      window: 200,
      timeoutMs: Math.max(60_000, options.soak * 2),
      seenCacheMax: options.soakCache,
      samples: 40,
    })
  } catch (error) {
    report.soak = {error: String(error)}
  }
}

async function inProcessMode(options: Options, report: Record<string, unknown>): Promise<void> {
  progress(
    options,
    `in-process: ${options.nodes} ChatNodes, ${options.topology}, ${options.messages} messages at ${options.rate}/s`,
  )
  const result = await runInProcess({
    nodes: options.nodes,
    topology: options.topology,
    degree: options.degree,
    messages: options.messages,
    rate: options.rate,
    seed: options.seed,
    connectConcurrency: 8,
    settleMs: 30_000 + options.nodes * 60,
    quietMs: 2500,
    drainMs: 15_000,
    idleMs: 3000,
    timeoutMs: 120_000 + options.nodes * 1000,
    progress: (text) => progress(options, text),
  })
  report.inProcess = result
  if (options.svg) {
    writeFileSync(
      options.svg,
      cdfSvg(
        `In-process delivery latency, ${options.nodes} ChatNodes, ${result.topology}`,
        "ms from send() to the receiver's message event",
        [
          {label: 'end to end', values: result.rawE2e, color: '#1f5fbf'},
          {label: 'per hop', values: result.rawPerHop, color: '#7fa7e6'},
        ],
        `${process.version}; one thread runs every node`,
      ),
    )
    report.svg = options.svg
  }

  // The soak runs here only when asked for by name (--soak N): this mode is about the mesh.
  if (options.soakExplicit && options.soak > 0) await soakSection(options, report)
}

/** The targets against this run's figures. */
function targets(
  report: Record<string, unknown>,
  options: Options,
): Array<{target: string; measured: string; pass: boolean | null; note?: string}> {
  const out: Array<{target: string; measured: string; pass: boolean | null; note?: string}> = []
  const latency = report.latency as LatencySection | undefined
  // Issue 16 states its latency targets for 10 and 20 processes on the random join graph at 100 msg/s.
  const reference =
    (options.nodes === 10 || options.nodes === 20) &&
    options.topology === 'random' &&
    options.degree === 4 &&
    options.rate === 100
  const note = reference ? undefined : 'the issue states it for 10 and 20 nodes, random (degree 4), 100 msg/s'
  const times = (r: number, c: number, f: number): string => `${r.toFixed(2)} × (${c.toFixed(2)} vs ${f.toFixed(2)} ms)`
  if (latency && !('error' in latency)) {
    const c = latency.chat.load
    const f = latency.floor.load
    const r50 = ratio(c.e2eMs.p50, f.e2eMs.p50)
    const r99 = ratio(c.e2eMs.p99, f.e2eMs.p99)
    out.push(
      {
        target: 'same graph: p50 ≤ 1.3 × floor',
        measured: times(r50, c.e2eMs.p50, f.e2eMs.p50),
        pass: r50 <= 1.3,
        note,
      },
      {
        target: 'same graph: p99 ≤ 2 × floor',
        measured: times(r99, c.e2eMs.p99, f.e2eMs.p99),
        pass: r99 <= 2,
        note,
      },
      {
        target: 'delivered 1.0, duplicates 0',
        measured: `${c.deliveredRatio.toFixed(4)}, ${c.duplicates}`,
        pass: c.deliveredRatio === 1 && c.duplicates === 0,
      },
    )
    const d = latency.defaultDegree
    if (d && !('error' in d)) {
      const dl = d.chat.load
      const rd = ratio(dl.e2eMs.p50, f.e2eMs.p50)
      out.push(
        {
          target: 'default --degree: p50 ≤ 2 × floor (on the join graph)',
          measured: times(rd, dl.e2eMs.p50, f.e2eMs.p50),
          pass: rd <= 2,
          note,
        },
        {
          target: 'default --degree: delivered 1.0, duplicates 0',
          measured: `${dl.deliveredRatio.toFixed(4)}, ${dl.duplicates}`,
          pass: dl.deliveredRatio === 1 && dl.duplicates === 0,
        },
      )
    }

    // The writer's file-backed pages are the node executable's, resident once for both processes: it adds its RssAnon.
    const pairMiB =
      Math.max(...latency.chat.memoryIdleKiB.map((kib, i) => kib + (latency.chat.childrenIdleAnonKiB[i] ?? 0))) / 1024
    const summedMiB =
      Math.max(...latency.chat.memoryIdleKiB.map((kib, i) => kib + (latency.chat.childrenIdleKiB[i] ?? 0))) / 1024
    out.push({
      target: 'idle RSS ≤ 90 MiB per node with its history writer',
      measured: `${pairMiB.toFixed(1)} MiB (node RSS + writer RssAnon, largest pair; both RSS summed, the executable twice: ${summedMiB.toFixed(1)} MiB)`,
      pass: pairMiB <= 90,
    })
  }

  const throughput = report.throughput as {chat?: RampResult; floor?: RampResult; ratioFloor: number} | undefined
  if (throughput?.chat && throughput.floor && !('error' in throughput.chat) && !('error' in throughput.floor)) {
    const capped = !Number.isFinite(throughput.floor.firstFail)
    out.push({
      target: 'one relay sustains ≥ 70 % of the floor relay',
      measured: `${(throughput.ratioFloor * 100).toFixed(1)} % (${throughput.chat.sustained} vs ${throughput.floor.sustained} msg/s)`,
      pass: throughput.ratioFloor >= 0.7,
      note: capped ? 'the floor never failed: its figure is a lower bound (raise --ramp-max)' : undefined,
    })
  }

  const startup = report.startup as StartupResult | undefined
  if (startup && !('error' in startup)) {
    out.push({
      target: 'chat start ready ≤ 3 × node -e 0',
      measured: `${startup.ratioP50.toFixed(2)} × (${startup.chatReadyMs.p50.toFixed(0)} vs ${startup.nodeBareMs.p50.toFixed(0)} ms, p50)`,
      pass: startup.ratioP50 <= 3,
    })
  }

  const s = report.soak as SoakResult | undefined
  if (s && !('error' in s)) {
    if (s.afterCacheFull) {
      const growth = s.afterCacheFull.heapGrowthMiBPer100k
      out.push({
        target: 'no heap growth once the seen-cache is full',
        measured: `${growth >= 0 ? '+' : ''}${growth.toFixed(3)} MiB heap per 100k messages from ${s.afterCacheFull.atRelayed.toLocaleString('en')} on (RSS ${s.afterCacheFull.rssGrowthMiBPer100k.toFixed(2)} MiB per 100k)`,
        pass: growth < 1,
        note:
          s.relayed < 1_000_000
            ? `over ${s.relayed.toLocaleString('en')} messages; the issue asks for 1 million`
            : undefined,
      })
    } else {
      out.push({
        target: 'no heap growth once the seen-cache is full',
        measured: `cache not full after ${s.relayed.toLocaleString('en')} messages (bound ${s.seenCacheMax.toLocaleString('en')}): run --soak ≥ ${(2 * s.seenCacheMax).toLocaleString('en')} or --soak-cache`,
        pass: null,
      })
    }
  }

  return out
}

async function main(): Promise<void> {
  let options: Options
  try {
    options = parseOptions(process.argv.slice(2))
  } catch (error) {
    console.error(`bench: ${(error as Error).message}\n\n${HELP}`)
    process.exit(2)
  }

  const watchdog = setTimeout(() => {
    console.error(`bench: stopped after --max-seconds ${options.maxSeconds}`)
    killAllChildren()
    process.exit(1)
  }, options.maxSeconds * 1000)
  watchdog.unref()
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      killAllChildren()
      process.exit(130)
    })
  }

  const started = performance.now()
  const cpuStart = cpuSnapshot()
  const report: Record<string, unknown> = {
    machine: describeMachine(),
    mode: options.inProcess ? 'in-process' : 'process',
    options: {
      nodes: options.nodes,
      messages: options.messages,
      rate: options.rate,
      topology: options.topology,
      degree: options.degree,
      seed: options.seed,
      sections: [...options.sections],
      ...(options.inProcess
        ? {}
        : {
            joinMode: options.joinMode,
            chatArgs: options.chatArgs,
            warmup: options.warmup,
            p99LimitMs: options.p99Limit,
            soak: options.soak,
          }),
    },
  }
  try {
    await (options.inProcess ? inProcessMode(options, report) : processMode(options, report))
  } catch (error) {
    report.error = String((error as Error).message ?? error)
  } finally {
    killAllChildren()
  }

  report.targets = targets(report, options)
  // After every child has exited (and been reaped, so its CPU time is counted as ours).
  report.cpu = contention(cpuStart, cpuSnapshot())
  report.seconds = (performance.now() - started) / 1000
  if (options.json) process.stdout.write(JSON.stringify(report, jsonReplacer) + '\n')
  else process.stdout.write(formatReport(report) + '\n')
  clearTimeout(watchdog)
  process.exit(report.error ? 1 : 0)
}

/** Raw sample arrays stay out of the JSON (their summaries are there); numbers keep 3 decimals. */
function jsonReplacer(key: string, value: unknown): unknown {
  if (
    key === 'raw' ||
    key === 'chatReadySamples' ||
    key === 'nodeBareSamples' ||
    key === 'rawE2e' ||
    key === 'rawPerHop'
  )
    return undefined
  if (typeof value === 'number') return Number.isFinite(value) ? Math.round(value * 1000) / 1000 : null
  return value
}

await main()
