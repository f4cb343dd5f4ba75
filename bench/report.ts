// The readable report: aligned plain-text tables, built only from the figures of this run.

import type {InProcessResult} from './inprocess.js'
import type {LatencySide} from './load.js'
import type {Machine} from './machine.js'
import type {ProfileRun} from './profile.js'
import type {SoakResult} from './soak.js'
import type {StartupResult} from './startup.js'
import type {SyncBenchResult} from './sync.js'
import type {RampResult} from './throughput.js'
import type {GraphStats} from './topology.js'

import {ratio, type Summary} from './stats.js'

type Cell = number | string

/** Columns padded to their widest cell; numbers right-aligned. */
function table(rows: Cell[][], indent = '  '): string {
  // null: a NaN that went through JSON (the report can be printed again from a --json file).
  const text = rows.map((row) => row.map((cell) => (typeof cell === 'number' ? fmt(cell) : (cell ?? '–'))))
  const widths: number[] = []
  for (const row of text) for (const [i, cell] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, [...cell].length)
  return text
    .map(
      (row, r) =>
        indent +
        row
          .map((cell, i) => {
            const pad = widths[i] - [...cell].length
            const right = typeof rows[r][i] === 'number' && r > 0
            return right ? ' '.repeat(pad) + cell : cell + ' '.repeat(pad)
          })
          .join('  ')
          .trimEnd(),
    )
    .join('\n')
}

function fmt(value: number, digits?: number): string {
  if (!Number.isFinite(value)) return '–'
  if (digits !== undefined) return value.toFixed(digits)
  if (Number.isInteger(value)) return value.toLocaleString('en')
  const abs = Math.abs(value)
  if (abs >= 1000) return Math.round(value).toLocaleString('en')
  if (abs >= 100) return value.toFixed(0)
  if (abs >= 10) return value.toFixed(1)
  if (abs >= 1) return value.toFixed(2)
  return value.toFixed(3)
}

const mib = (kib: number): number => kib / 1024
/** Per node: its RSS plus its writer's anonymous RSS (what the pair holds in memory, the shared executable once). */
const pairKiB = (nodeKiB: number[], writerAnonKiB: number[]): number[] =>
  nodeKiB.map((kib, i) => kib + (writerAnonKiB[i] ?? 0))
const mean = (list: number[]): number =>
  list.length === 0 ? Number.NaN : list.reduce((a, b) => a + b, 0) / list.length
const max = (list: number[]): number => (list.length === 0 ? Number.NaN : Math.max(...list))
/** A row of the memory table: idle mean and max, then after the run, MiB. */
const memoryRow = (label: string, idleKiB: number[], afterKiB: number[]): Cell[] => [
  label,
  mib(mean(idleKiB)),
  mib(max(idleKiB)),
  mib(mean(afterKiB)),
  mib(max(afterKiB)),
]

function graphLine(g: GraphStats): string {
  return `${g.nodes} nodes, ${g.edges} links, degree ${g.degree.min}–${g.degree.max} (mean ${fmt(g.degree.mean)}), diameter ${g.diameter}, mean distance ${fmt(g.meanDistance)}${g.connected ? '' : `, NOT CONNECTED (components of ${g.components.slice(0, 6).join(', ')}${g.components.length > 6 ? ', …' : ''} nodes)`}`
}

function summaryRow(label: string, s: Summary): Cell[] {
  return [label, s.p50, s.p90, s.p99, s.max, s.n]
}

/** A latency section's side as the report reads it (the raw samples are left out of the JSON). */
type SideLike = Omit<LatencySide, 'raw'>

function errorOf(value: unknown): string | undefined {
  return value && typeof value === 'object' && 'error' in value ? String((value as {error: unknown}).error) : undefined
}

export function formatReport(report: Record<string, unknown>): string {
  const out: string[] = []
  const m = report.machine as Machine
  const options = report.options as Record<string, unknown>
  out.push(
    `chat bench — ${report.mode} mode, ${m.cores} cores (${m.cpu}), ${m.memoryGiB} GiB, Node ${m.node}, ${m.os}`,
    `  load average ${m.loadAverage} at start, ${m.otherNodeProcesses} other node processes; seed ${String(options.seed)}; ${fmt(report.seconds as number)} s`,
  )
  const cpu = report.cpu as {machineBusyPercent: number; benchPercent: number; othersPercent: number} | undefined
  if (cpu)
    out.push(
      `  machine busy ${fmt(cpu.machineBusyPercent)} % of all cores during the run: this bench ${fmt(cpu.benchPercent)} %, other processes ${fmt(cpu.othersPercent)} %`,
    )
  if (report.cli) out.push(`  CLI: ${String(report.cli)}`)
  if (report.error) out.push(`\nERROR: ${String(report.error)}`)

  const startup = report.startup as StartupResult | undefined
  if (startup) {
    out.push(
      '',
      `Startup: spawn → ready (chat start --json) and spawn → exit (node -e 0), ${startup.samples ?? ''} samples, ms`,
    )
    const e = errorOf(startup)
    if (e) out.push(`  error: ${e}`)
    else {
      out.push(
        table([
          ['', 'p50', 'p90', 'max'],
          ['chat start → ready', startup.chatReadyMs.p50, startup.chatReadyMs.p90, startup.chatReadyMs.max],
          ['node -e 0', startup.nodeBareMs.p50, startup.nodeBareMs.p90, startup.nodeBareMs.max],
          ['ratio (p50)', startup.ratioP50, '', ''],
        ]),
      )
    }
  }

  const latency = report.latency as
    | {
        chat: SideLike
        baseline: SideLike
        floor: SideLike
        defaultDegree?: {topology: string; graph: GraphStats; chat: SideLike} | {error: string}
        graph: GraphStats
        intended: GraphStats
        graphAsIntended: boolean
        topology: string
        messages: number
        rate: number
      }
    | undefined
  if (latency) {
    out.push(
      '',
      `Latency (${String(options.messages)} messages at ${String(options.rate)} msg/s from random nodes; harness clock, stdin write → receiver's message line)`,
    )
    const e = errorOf(latency)
    if (e) out.push(`  error: ${e}`)
    else {
      const c = latency.chat.load
      const b = latency.baseline.load
      const f = latency.floor.load
      out.push(`  topology ${latency.topology}: ${graphLine(latency.graph)}`)
      if (!latency.graphAsIntended)
        out.push(
          `  (dialled: ${graphLine(latency.intended)}; the nodes reported the graph above, which is the one measured)`,
        )
      out.push(
        '  plain: the baseline relay (no crypto, ideal BFS-tree flood); floor: signed once, verified per hop, every link frame sealed, flood with dedup',
      )
      type Row = 'e2eMs' | 'fullMs' | 'localMs' | 'perHopMs'
      const row = (label: string, key: Row): Cell[] => [
        label,
        c[key].p50,
        c[key].p99,
        b[key].p50,
        b[key].p99,
        f[key].p50,
        f[key].p99,
        ratio(c[key].p50, b[key].p50),
        ratio(c[key].p50, f[key].p50),
        ratio(c[key].p99, f[key].p99),
      ]
      out.push(
        table([
          [
            'ms',
            'chat p50',
            'p99',
            'plain p50',
            'p99',
            'floor p50',
            'p99',
            'chat/plain p50',
            'chat/floor p50',
            'chat/floor p99',
          ],
          row('end to end', 'e2eMs'),
          row('per hop', 'perHopMs'),
          row('reach every node', 'fullMs'),
          [
            'per hop, fit',
            c.hopFit.perHopMs,
            '',
            b.hopFit.perHopMs,
            '',
            f.hopFit.perHopMs,
            '',
            ratio(c.hopFit.perHopMs, b.hopFit.perHopMs),
            ratio(c.hopFit.perHopMs, f.hopFit.perHopMs),
            '',
          ],
          row('stdin → own sent line', 'localMs'),
        ]),
        table([
          ['', 'chat', 'plain', 'floor'],
          ['delivered ratio', fmt(c.deliveredRatio, 4), fmt(b.deliveredRatio, 4), fmt(f.deliveredRatio, 4)],
          ['duplicates shown', c.duplicates, b.duplicates, f.duplicates],
          ['(message, receiver) pairs', c.pairs, b.pairs, f.pairs],
          ['write rate achieved, msg/s', c.achievedRate, b.achievedRate, f.achievedRate],
          ['max latency end to end, ms', c.e2eMs.max, b.e2eMs.max, f.e2eMs.max],
          [
            'CPU per message per node, ms',
            latency.chat.cpuMsPerMessagePerNode,
            latency.baseline.cpuMsPerMessagePerNode,
            latency.floor.cpuMsPerMessagePerNode,
          ],
          ['  + history writer, ms', latency.chat.childrenCpuMsPerMessagePerNode, '–', '–'],
        ]),
      )
      const d = latency.defaultDegree
      if (d) {
        const de = errorOf(d)
        if (de || !('chat' in d)) out.push(`  chat with the default --degree: error: ${de}`)
        else {
          const dl = d.chat.load
          out.push(
            `  chat with the engine's default --degree, from the same joins: ${graphLine(d.graph)}`,
            table([
              [
                'ms',
                'p50',
                'p99',
                'max',
                'floor (join graph) p50',
                'p99',
                'chat/floor p50',
                'chat/floor p99',
                'delivered',
                'duplicates',
                'CPU ms/msg/node',
              ],
              [
                'end to end',
                dl.e2eMs.p50,
                dl.e2eMs.p99,
                dl.e2eMs.max,
                f.e2eMs.p50,
                f.e2eMs.p99,
                ratio(dl.e2eMs.p50, f.e2eMs.p50),
                ratio(dl.e2eMs.p99, f.e2eMs.p99),
                fmt(dl.deliveredRatio, 4),
                dl.duplicates,
                d.chat.cpuMsPerMessagePerNode,
              ],
              [
                'reach every node',
                dl.fullMs.p50,
                dl.fullMs.p99,
                dl.fullMs.max,
                f.fullMs.p50,
                f.fullMs.p99,
                ratio(dl.fullMs.p50, f.fullMs.p50),
                ratio(dl.fullMs.p99, f.fullMs.p99),
                '',
                '',
                '',
              ],
            ]),
          )
        }
      }

      const hops = new Map<number, Cell[]>()
      for (const h of c.byHops) hops.set(h.hops, [h.hops, h.pairs, h.p50, h.p99, '–', '–'])
      for (const h of b.byHops) {
        const row = hops.get(h.hops) ?? [h.hops, 0, '–', '–', '–', '–']
        row[4] = h.p50
        row[5] = h.p99
        hops.set(h.hops, row)
      }

      out.push(
        `  per hop, fit: the slope of p50 against hop count (least squares over the rows below); chat ${fmt(c.hopFit.perHopMs)} ms per hop + ${fmt(c.hopFit.fixedMs)} ms fixed, baseline ${fmt(b.hopFit.perHopMs)} + ${fmt(b.hopFit.fixedMs)} ms`,
        '  by hop count (end to end, ms):',
        table(
          [
            ['hops', 'pairs', 'chat p50', 'chat p99', 'baseline p50', 'baseline p99'],
            ...[...hops.values()].sort((x, y) => Number(x[0]) - Number(y[0])),
          ],
          '    ',
        ),
        '',
        'Memory: RSS per node, MiB (VmRSS; chat\'s forked history writer counted apart; "node + its writer" is the node\'s RSS plus the',
        "  writer's RssAnon: the writer's file-backed pages are the node executable's, resident once for both)",
        table([
          ['', 'idle mean', 'idle max', 'after mean', 'after max'],
          memoryRow('chat node', latency.chat.memoryIdleKiB, latency.chat.memoryAfterKiB),
          memoryRow('chat history writer', latency.chat.childrenIdleKiB, latency.chat.childrenAfterKiB),
          memoryRow(
            '  of which its own (RssAnon)',
            latency.chat.childrenIdleAnonKiB,
            latency.chat.childrenAfterAnonKiB,
          ),
          memoryRow(
            'chat node + its writer',
            pairKiB(latency.chat.memoryIdleKiB, latency.chat.childrenIdleAnonKiB),
            pairKiB(latency.chat.memoryAfterKiB, latency.chat.childrenAfterAnonKiB),
          ),
          memoryRow('baseline relay', latency.baseline.memoryIdleKiB, latency.baseline.memoryAfterKiB),
          memoryRow('floor relay', latency.floor.memoryIdleKiB, latency.floor.memoryAfterKiB),
        ]),
      )
      const {errors} = latency.chat
      if (errors.length > 0) out.push(`  chat error events: ${errors.slice(0, 5).join(' | ')}`)
    }
  }

  const throughput = report.throughput as
    | {
        chat?: RampResult
        baseline?: RampResult
        floor?: RampResult
        ratio: number
        ratioFloor?: number
        liftedLimits: string[]
      }
    | undefined
  if (throughput) {
    out.push(
      '',
      `Throughput through one relay (chain A – R – B, from A; a step passes with everything delivered once and p99 < ${String(options.p99LimitMs)} ms)`,
    )
    if (throughput.liftedLimits.length > 0)
      out.push(
        `  chat runs with ${throughput.liftedLimits.join(' ')}: the per-author and per-hop rate limits are policy, not capacity`,
      )
    for (const kind of ['chat', 'baseline', 'floor'] as const) {
      const r = throughput[kind]
      const e = errorOf(r)
      if (!r || e) {
        out.push(`  ${kind}: error: ${e}`)
        continue
      }

      out.push(
        `  ${kind}: sustained ${fmt(r.sustained)} msg/s (${r.ended})`,
        table(
          [
            ['rate', 'msgs', 'written/s', 'p50 ms', 'p99 ms', 'max ms', 'delivered', 'relay CPU µs/msg', 'result'],
            ...r.steps.map((s): Cell[] => [
              s.rate,
              s.messages,
              s.achievedRate,
              s.p50,
              s.p99,
              s.max,
              fmt(s.deliveredRatio, 4),
              s.relayCpuUsPerMessage,
              s.pass ? 'pass' : `fail: ${s.why}`,
            ]),
          ],
          '    ',
        ),
      )
    }

    out.push(
      `  ratio chat / plain: ${fmt(throughput.ratio * 100)} %; chat / floor: ${fmt((throughput.ratioFloor ?? Number.NaN) * 100)} %`,
    )
  }

  for (const [key, who] of [
    ['profile', 'chat'],
    ['profileFloor', 'floor'],
  ] as const) {
    const profile = report[key] as ProfileRun | undefined
    if (!profile) continue
    out.push('', `Profile of the ${who} relay R (node --cpu-prof), self time`)
    const e = errorOf(profile)
    if (e) out.push(`  error: ${e}`)
    else {
      out.push(
        `  ${profile.messages} messages at ${profile.rate} msg/s, delivered ${fmt(profile.deliveredRatio, 4)}, p50 ${fmt(profile.p50)} ms, p99 ${fmt(profile.p99)} ms; busy ${fmt(profile.relay.busyMs)} ms of ${fmt(profile.relay.totalMs)} ms: ${fmt((1000 * profile.relay.busyMs) / profile.messages)} µs per message`,
        `  profile: ${profile.relay.file}`,
        `  window: ${profile.relay.window}`,
        table(
          [
            ['area', 'self ms', '% of busy'],
            ...profile.relay.areas.slice(0, 14).map((a): Cell[] => [a.area, a.selfMs, a.busyPercent]),
          ],
          '    ',
        ),
        table(
          [
            ['function', 'where', 'self ms', '% of busy', 'mostly via'],
            ...profile.relay.functions
              .slice(0, 20)
              .map((f): Cell[] => [
                f.name,
                f.where,
                f.selfMs,
                f.selfPercent,
                f.via.length > 110 ? `${f.via.slice(0, 107)}...` : f.via,
              ]),
          ],
          '    ',
        ),
      )
    }
  }

  const soak = report.soak as SoakResult | undefined
  if (soak) {
    out.push('', 'Soak: messages relayed through one in-process ChatNode (heap after a full GC; RSS of the process)')
    const e = errorOf(soak)
    if (e) out.push(`  error: ${e}`)
    else {
      out.push(
        `  ${soak.relayed.toLocaleString('en')} of ${soak.requested.toLocaleString('en')} relayed in ${fmt(soak.seconds)} s (${fmt(soak.ratePerSecond)} msg/s); seen-cache bound ${soak.seenCacheMax.toLocaleString('en')}; warnings ${soak.peerWarnings}`,
      )
      const picks = pickSamples(soak.samples, 8)
      out.push(
        table(
          [
            ['relayed', 's', 'heap MiB', 'RSS MiB'],
            ...picks.map((s): Cell[] => [s.relayed, s.seconds, s.heapUsedMiB, s.rssMiB]),
          ],
          '    ',
        ),
        `  heap per message while the cache fills: ${fmt(soak.heapBytesPerMessageFilling)} bytes`,
      )
      if (soak.afterCacheFull) {
        const a = soak.afterCacheFull
        out.push(
          `  from ${a.atRelayed.toLocaleString('en')} messages (the cache full) to the end: heap ${fmt(a.heapUsedMiB)} → ${fmt(a.endHeapUsedMiB)} MiB (${fmt(a.heapGrowthMiBPer100k)} MiB per 100k), RSS ${fmt(a.rssMiB)} → ${fmt(a.endRssMiB)} MiB`,
        )
      } else {
        out.push('  the cache never filled in this run (see --soak / --soak-cache)')
      }
    }
  }

  const sync = report.sync as SyncBenchResult | undefined
  if (sync) {
    out.push(
      '',
      `Sync: range-based reconciliation of two stores sharing ${sync.shared.toLocaleString('en')} messages (docs/sync.md)`,
    )
    const e = errorOf(sync)
    if (e) out.push(`  error: ${e}`)
    else {
      out.push(
        table(
          [
            ['differences', 'bytes', 'frames', 'ms'],
            ...sync.costs.map((c): Cell[] => [c.differences, c.bytes, c.frames, c.ms]),
          ],
          '    ',
        ),
      )
      const c = sync.catchUp
      out.push(
        `  catch-up: two chains of ${c.nodesPerHalf} nodes, ${c.messagesPerHalf} messages each while apart, then one link: every node had all ${2 * c.messagesPerHalf} after ${fmt(c.ms)} ms (the link's reconciliation: ${c.linkSync.rounds} round trips, ${c.linkSync.bytes.toLocaleString('en')} bytes, ${c.linkSync.pushed} pushed, ${c.linkSync.pulled} pulled)`,
      )
    }
  }

  const inproc = report.inProcess as InProcessResult | undefined
  if (inproc) {
    out.push(
      '',
      `In-process: ${inproc.nodes} ChatNodes in one process over loopback, topology ${inproc.topology}`,
      `  ${graphLine(inproc.graph)}; set up in ${fmt(inproc.setupSeconds)} s${inproc.dialFailures > 0 ? ` (${inproc.dialFailures} join dials refused even after retries)` : ''}${inproc.redials > 0 ? ` (${inproc.redials} links dialled again after dropping)` : ''}`,
      `  ${inproc.messages} messages, ${inproc.pairs.toLocaleString('en')} pairs: delivered ${fmt(inproc.deliveredRatio, 4)}, duplicates ${inproc.duplicates}`,
      table([
        ['ms', 'p50', 'p90', 'p99', 'max', 'n'],
        summaryRow('end to end', inproc.e2eMs),
        summaryRow('per hop', inproc.perHopMs),
        summaryRow('reach every node', inproc.fullMs),
      ]),
      `  by hop count (end to end, ms; fit: ${fmt(inproc.hopFit.perHopMs)} ms per hop + ${fmt(inproc.hopFit.fixedMs)} ms fixed):`,
      table(
        [['hops', 'pairs', 'p50', 'p99'], ...inproc.byHops.map((h): Cell[] => [h.hops, h.pairs, h.p50, h.p99])],
        '    ',
      ),
      table([
        ['frames per message', ''],
        ['counted', inproc.frames.perMessage],
        ['model 2E − (N − 1)', inproc.frames.modelPerMessage],
        ['ideal N − 1', inproc.frames.ideal],
        ['overhead (counted / ideal)', inproc.frames.overhead],
        ['bytes per frame on the wire', inproc.frames.wireBytesPerFrame],
      ]),
      `  (${inproc.frames.method})`,
      table([
        ['cost', ''],
        ['heap per node, KiB', inproc.memoryPerNode.heapKiB],
        ['RSS per node, KiB', inproc.memoryPerNode.rssKiB],
        ['buffers per node, KiB', inproc.memoryPerNode.externalKiB],
        ['CPU per message (whole mesh), ms', inproc.cpu.msPerMessage],
        ['CPU per delivery, µs', inproc.cpu.usPerDelivery],
        ['event-loop utilisation while sending', inproc.cpu.eventLoopUtilization],
        [
          `event-loop utilisation idle (${fmt(inproc.idle.seconds)} s before sending)`,
          inproc.idle.eventLoopUtilization,
        ],
      ]),
    )
    const warnings = Object.entries(inproc.warnings)
    if (warnings.length > 0) out.push(`  warnings: ${warnings.map(([code, n]) => `${code} × ${n}`).join(', ')}`)
  }

  const targets = report.targets as Array<{target: string; measured: string; pass: boolean | null; note?: string}>
  if (targets.length > 0) {
    out.push(
      '',
      'Targets (issue 16)',
      table([
        ['target', 'measured', ''],
        ...targets.map((t): Cell[] => [t.target, t.measured, t.pass === null ? 'n/a' : t.pass ? 'PASS' : 'FAIL']),
      ]),
    )
    for (const t of targets) if (t.note) out.push(`  note (${t.target}): ${t.note}`)
  }

  const chatProfile = report.profile as ProfileRun | undefined
  const floorProfile = report.profileFloor as ProfileRun | undefined
  if (chatProfile?.relay?.account && floorProfile?.relay?.account) {
    out.push('', `Chat vs floor, the relay's busy time per message at the same load (${chatProfile.rate} msg/s), µs`)
    const per = (p: ProfileRun, item: string): number =>
      (1000 * (p.relay.account.find((a) => a.item === item)?.ms ?? 0)) / p.messages
    const items = [...new Set([...chatProfile.relay.account, ...floorProfile.relay.account].map((a) => a.item))]
    const rows = items.map((item): Cell[] => [
      item,
      per(chatProfile, item),
      per(floorProfile, item),
      per(chatProfile, item) - per(floorProfile, item),
    ])
    rows.sort((a, b) => Number(b[3]) - Number(a[3]))
    const busy = (p: ProfileRun): number => (1000 * p.relay.busyMs) / p.messages
    // The relay's CPU time (/proc) at the same rate, from the throughput ramp, where it runs without the profiler (whose
    // sampling costs CPU of its own): busy time is wall time between samples, and grows on a loaded machine.
    const ramps = report.throughput as {chat?: RampResult; floor?: RampResult} | undefined
    const cpu = (r: RampResult | undefined): number => {
      const steps = (r?.steps ?? []).filter((s) => s.rate === chatProfile.rate)
      return steps.length === 0 ? Number.NaN : steps.reduce((sum, s) => sum + s.relayCpuUsPerMessage, 0) / steps.length
    }

    out.push(
      table([
        ['item', 'chat', 'floor', 'chat − floor'],
        ...rows,
        ['busy, all items', busy(chatProfile), busy(floorProfile), busy(chatProfile) - busy(floorProfile)],
        [
          `relay CPU time (/proc) at ${chatProfile.rate} msg/s in the ramp, unprofiled`,
          cpu(ramps?.chat),
          cpu(ramps?.floor),
          cpu(ramps?.chat) - cpu(ramps?.floor),
        ],
      ]),
      '  (busy is wall time between samples, so on a loaded machine every item grows; the CPU time does not, much)',
    )
  }

  if (report.svg) out.push('', `picture: ${String(report.svg)}`)
  return out.join('\n')
}

function pickSamples<T>(list: T[], count: number): T[] {
  if (list.length <= count) return list
  const out: T[] = []
  for (let i = 0; i < count; i++) out.push(list[Math.round((i * (list.length - 1)) / (count - 1))])
  return out
}
