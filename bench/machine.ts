// The machine a run happened on, read during the run (never remembered).

import {readdirSync, readFileSync} from 'node:fs'
import {availableParallelism, cpus, loadavg, platform, release, totalmem} from 'node:os'

export interface Machine {
  cores: number
  cpu: string
  memoryGiB: number
  node: string
  os: string
  /** 1-minute load average when the run started. */
  loadAverage: number
  /** Other node processes running when the run started (their load skews the figures). */
  otherNodeProcesses: number
}

export function describeMachine(): Machine {
  return {
    cores: availableParallelism(),
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${platform()} ${release()}`,
    loadAverage: Math.round(loadavg()[0] * 100) / 100,
    otherNodeProcesses: countNodeProcesses(),
  }
}

function countNodeProcesses(): number {
  let count = 0
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue
      try {
        if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'node') count++
      } catch {
        // gone meanwhile
      }
    }
  } catch {
    return -1
  }

  return count
}

export interface CpuSnapshot {
  /** Whole machine, all cores: busy and total ms since boot. */
  machineBusyMs: number
  machineTotalMs: number
  /** This process plus every child it has reaped (the chat nodes, their history writers, the relays). */
  ownMs: number
}

/** CPU counters from /proc (NaN where unreadable); two snapshots tell how busy the machine was, and who with. */
export function cpuSnapshot(ticksPerSecond = 100): CpuSnapshot {
  const ms = (ticks: number): number => (ticks * 1000) / ticksPerSecond
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]
    const fields = line.trim().split(/\s+/).slice(1, 9).map(Number)
    const total = fields.reduce((a, b) => a + b, 0)
    const idle = fields[3] + fields[4]
    const self = readFileSync('/proc/self/stat', 'utf8')
    const own = self
      .slice(self.lastIndexOf(')') + 2)
      .split(' ')
      .slice(11, 15)
      .map(Number)
    return {machineBusyMs: ms(total - idle), machineTotalMs: ms(total), ownMs: ms(own.reduce((a, b) => a + b, 0))}
  } catch {
    return {machineBusyMs: Number.NaN, machineTotalMs: Number.NaN, ownMs: Number.NaN}
  }
}

/** How much of the machine was busy between two snapshots, and how much of that was not this benchmark. */
export function contention(
  a: CpuSnapshot,
  b: CpuSnapshot,
): {machineBusyPercent: number; benchPercent: number; othersPercent: number} {
  const total = b.machineTotalMs - a.machineTotalMs
  const busy = b.machineBusyMs - a.machineBusyMs
  const own = b.ownMs - a.ownMs
  return {
    machineBusyPercent: (100 * busy) / total,
    benchPercent: (100 * own) / total,
    othersPercent: (100 * Math.max(0, busy - own)) / total,
  }
}
