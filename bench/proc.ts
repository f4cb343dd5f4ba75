// Child processes of the benchmark: spawned, read line by line with a harness timestamp per line, written to through
// stdin, and always stopped (a /quit, then SIGTERM, then SIGKILL, each with a deadline). Every process started here
// is remembered, and killed by its pid if the benchmark itself exits early.

import {type ChildProcessWithoutNullStreams, spawn} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {createServer} from 'node:net'
import {performance} from 'node:perf_hooks'
import {createInterface} from 'node:readline'

const live = new Set<ChildProcessWithoutNullStreams>()

function killAll(): void {
  for (const child of live) {
    try {
      child.kill('SIGKILL')
    } catch {
      // already gone
    }
  }
}

process.once('exit', killAll)

/** Kills every process this benchmark started and still runs (by pid); used on errors and timeouts. */
export function killAllChildren(): void {
  killAll()
}

export type LineListener = (line: string, at: number) => void

export class LineProcess {
  readonly child: ChildProcessWithoutNullStreams
  readonly spawnedAt: number
  readonly stderr: string[] = []
  /** The last stdout lines, for error messages. */
  readonly tail: string[] = []
  readonly exited: Promise<{code: null | number; signal: NodeJS.Signals | null}>
  readonly #listeners = new Set<LineListener>()
  #exited = false

  constructor(command: string, args: string[], options: {cwd?: string; env?: NodeJS.ProcessEnv} = {}) {
    this.spawnedAt = performance.now()
    this.child = spawn(command, args, {cwd: options.cwd, env: options.env ?? process.env, stdio: 'pipe'})
    live.add(this.child)
    this.child.stdin.on('error', () => {})
    this.exited = new Promise((resolve) => {
      this.child.once('close', (code, signal) => {
        this.#exited = true
        live.delete(this.child)
        resolve({code, signal})
        for (const listener of this.#listeners) listener('', Number.NaN)
      })
    })
    createInterface({input: this.child.stdout, crlfDelay: Number.POSITIVE_INFINITY}).on('line', (line) => {
      const at = performance.now()
      this.tail.push(line)
      if (this.tail.length > 20) this.tail.shift()
      for (const listener of this.#listeners) listener(line, at)
    })
    createInterface({input: this.child.stderr, crlfDelay: Number.POSITIVE_INFINITY}).on('line', (line) => {
      if (this.stderr.length < 200) this.stderr.push(line)
    })
  }

  get pid(): number {
    return this.child.pid ?? -1
  }

  get alive(): boolean {
    return !this.#exited
  }

  /** Listens to stdout lines (and to the exit, as an empty line with a NaN time). Returns the unsubscriber. */
  onLine(listener: LineListener): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  write(line: string): void {
    if (this.alive && this.child.stdin.writable) this.child.stdin.write(line + '\n')
  }

  /** Resolves with the first stdout line (and its time) that `match` accepts; rejects on exit or after timeoutMs. */
  waitForLine(
    match: (line: string) => boolean,
    timeoutMs: number,
    what = 'a line',
  ): Promise<{line: string; at: number}> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off()
        reject(new Error(`${this.describe()}: timed out after ${timeoutMs} ms waiting for ${what}`))
      }, timeoutMs)
      const off = this.onLine((line, at) => {
        if (Number.isNaN(at)) {
          clearTimeout(timer)
          off()
          reject(new Error(`${this.describe()}: exited while waiting for ${what}`))
          return
        }

        if (!match(line)) return
        clearTimeout(timer)
        off()
        resolve({line, at})
      })
      if (!this.alive) {
        clearTimeout(timer)
        off()
        reject(new Error(`${this.describe()}: not running (waiting for ${what})`))
      }
    })
  }

  /** Asks politely (`quitLine` on stdin), then SIGTERM, then SIGKILL; every step has a deadline. */
  async stop(quitLine: string | undefined = '/quit', graceMs = 4000): Promise<void> {
    if (!this.alive) return
    if (quitLine !== undefined) this.write(quitLine)
    if (await this.#exitWithin(graceMs)) return
    this.child.kill('SIGTERM')
    if (await this.#exitWithin(2000)) return
    this.child.kill('SIGKILL')
    await this.#exitWithin(2000)
  }

  /** Resident memory of this process in KiB (VmRSS), or NaN once it is gone. */
  rssKiB(): number {
    return rssKiB(this.pid)
  }

  describe(): string {
    const err = this.stderr.length > 0 ? `\n  stderr: ${this.stderr.slice(-5).join('\n          ')}` : ''
    const out = this.tail.length > 0 ? `\n  stdout: ${this.tail.slice(-5).join('\n          ')}` : ''
    return `${this.child.spawnargs.slice(1, 4).join(' ')} (pid ${this.pid})${out}${err}`
  }

  async #exitWithin(ms: number): Promise<boolean> {
    if (!this.alive) return true
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), ms)
    })
    const done = await Promise.race([this.exited.then(() => true as const), timeout])
    clearTimeout(timer)
    return done
  }
}

/** VmRSS of a pid in KiB (NaN if it cannot be read: gone, or not Linux). */
export function rssKiB(pid: number): number {
  return statusKiB(pid, 'VmRSS')
}

/**
 * RssAnon of a pid in KiB: its resident memory minus file-backed pages. For a forked Node process (the history
 * writer) that is what it adds to its parent: its file-backed pages are the `node` executable and its libraries,
 * which the parent has resident already and the kernel keeps once.
 */
export function anonKiB(pid: number): number {
  return statusKiB(pid, 'RssAnon')
}

function statusKiB(pid: number, field: string): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(status)
    return match ? Number(match[1]) : Number.NaN
  } catch {
    return Number.NaN
  }
}

/** User + system CPU time of a pid in ms, from /proc/PID/stat (NaN if unreadable). */
export function cpuMs(pid: number, ticksPerSecond = 100): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name is in parentheses and may contain spaces: fields are counted after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond
  } catch {
    return Number.NaN
  }
}

/** The direct children of a pid (Linux: /proc/PID/task/PID/children; empty where unsupported). */
export function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter((s) => s.length > 0)
      .map(Number)
  } catch {
    return []
  }
}

/** A port nobody listens on right now on 127.0.0.1 (the OS picks it). */
export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  const address = server.address()
  await new Promise<void>((resolve) => {
    server.close(() => resolve())
  })
  if (!address || typeof address !== 'object') throw new Error('could not get a free port')
  return address.port
}

/** Parses a JSON line into an object with an `event`, or undefined for anything else. */
export function parseEvent(line: string): ({event: string} & Record<string, unknown>) | undefined {
  if (line.length === 0 || line[0] !== '{') return undefined
  try {
    const value = JSON.parse(line) as unknown
    if (typeof value === 'object' && value !== null && typeof (value as {event?: unknown}).event === 'string') {
      return value as {event: string} & Record<string, unknown>
    }
  } catch {
    // not JSON
  }

  return undefined
}
