// Real `chat` processes for integration tests: spawn the built CLI, read its stdout line by line, type into its
// stdin, and wait on lines (never on sleeps).
import {runCommand} from '@oclif/test'
import {type ChildProcessWithoutNullStreams, spawn} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {createServer} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {createInterface} from 'node:readline'
import {fileURLToPath} from 'node:url'

import {DEFAULT_WAIT_MS} from './wait.js'

export const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url))
export const CHAT_BIN = join(PROJECT_ROOT, 'bin', 'run.js')

/** A port nobody listens on right now (the OS picks it), for tests that run side by side. */
export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => {
    server.listen(0, '127.0.0.1', resolve)
  })
  const address = server.address()
  await new Promise<void>((resolve) => {
    server.close(() => resolve())
  })
  if (!address || typeof address !== 'object') throw new Error('no port')
  return address.port
}

export function tempDir(prefix = 'chat-test-'): {path: string; remove(): void} {
  const path = mkdtempSync(join(tmpdir(), prefix))
  return {path, remove: () => rmSync(path, {force: true, recursive: true})}
}

/** One config directory (identity keys) for every CLI process of this test run, removed when the run ends. */
const CONFIG_DIR = mkdtempSync(join(tmpdir(), 'chat-test-config-'))
process.once('exit', () => rmSync(CONFIG_DIR, {force: true, recursive: true}))

export interface ExitResult {
  code: null | number
  signal: NodeJS.Signals | null
}

/** One running CLI process with its output collected as lines. */
export class ChatProcess {
  readonly child: ChildProcessWithoutNullStreams
  readonly lines: string[] = []
  readonly errLines: string[] = []
  readonly exited: Promise<ExitResult>
  readonly #waiters = new Set<() => void>()

  constructor(args: string[], options: {cwd?: string; env?: NodeJS.ProcessEnv} = {}) {
    this.child = spawn(process.execPath, [CHAT_BIN, ...args], {
      cwd: options.cwd ?? PROJECT_ROOT,
      env: {...process.env, CHAT_CONFIG_DIR: CONFIG_DIR, LANG: 'C', NO_COLOR: '1', ...options.env},
      stdio: 'pipe',
    })
    this.child.stdin.on('error', () => {})
    createInterface({input: this.child.stdout, crlfDelay: Infinity}).on('line', (line) => this.#push(this.lines, line))
    createInterface({input: this.child.stderr, crlfDelay: Infinity}).on('line', (line) =>
      this.#push(this.errLines, line),
    )
    this.exited = new Promise((resolve) => {
      this.child.on('close', (code, signal) => {
        resolve({code, signal})
        this.#wake()
      })
    })
  }

  get output(): string {
    return this.lines.join('\n')
  }

  /** Types a line into the process's stdin. */
  type(line: string): void {
    this.child.stdin.write(line + '\n')
  }

  /** Waits until stdout (or stderr with `stream: 'err'`) has a line matching, and returns it. */
  async waitForLine(
    match: RegExp | string,
    options: {stream?: 'err' | 'out'; timeoutMs?: number} = {},
  ): Promise<string> {
    const [line] = await this.waitForLines(match, 1, options)
    return line
  }

  /** Waits until `count` lines match, and returns them. */
  waitForLines(
    match: RegExp | string,
    count: number,
    {stream = 'out', timeoutMs = DEFAULT_WAIT_MS}: {stream?: 'err' | 'out'; timeoutMs?: number} = {},
  ): Promise<string[]> {
    const lines = stream === 'out' ? this.lines : this.errLines
    const test = (line: string): boolean => (typeof match === 'string' ? line === match : match.test(line))
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const hits = lines.filter((line) => test(line))
        if (hits.length >= count) {
          done()
          resolve(hits)
        } else if (this.child.exitCode !== null || this.child.signalCode !== null) {
          done()
          reject(
            new Error(
              `process exited before printing ${count} × ${match}\nstdout:\n${this.lines.join('\n')}\nstderr:\n${this.errLines.join('\n')}`,
            ),
          )
        }
      }

      const timer = setTimeout(() => {
        done()
        reject(
          new Error(
            `timed out after ${timeoutMs} ms waiting for ${count} × ${match}\nstdout:\n${this.lines.join('\n')}\nstderr:\n${this.errLines.join('\n')}`,
          ),
        )
      }, timeoutMs)
      const done = (): void => {
        clearTimeout(timer)
        this.#waiters.delete(check)
      }

      this.#waiters.add(check)
      check()
    })
  }

  /** Counts lines equal to `line`. */
  count(line: string): number {
    return this.lines.filter((l) => l === line).length
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): Promise<ExitResult> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal)
    return this.exited
  }

  #push(lines: string[], line: string): void {
    lines.push(line)
    this.#wake()
  }

  #wake(): void {
    for (const waiter of [...this.#waiters]) waiter()
  }
}

/** Runs the CLI to completion and returns its exit code and output. */
export async function runChat(
  args: string[],
  options: {cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number} = {},
): Promise<ExitResult & {stderr: string; stdout: string}> {
  const proc = new ChatProcess(args, options)
  proc.child.stdin.end()
  const timer = setTimeout(() => proc.kill('SIGKILL'), options.timeoutMs ?? DEFAULT_WAIT_MS)
  const result = await proc.exited
  clearTimeout(timer)
  return {...result, stdout: proc.lines.join('\n'), stderr: proc.errLines.join('\n')}
}

/** What `runCommand` captured, with the exit code oclif would have used (0 when the command succeeded). */
export interface InProcessResult {
  exit: number
  message: string
  stderr: string
  stdout: string
}

/**
 * Runs a command inside this process with oclif's `runCommand` (`@oclif/test`): for what a spawned process would
 * add nothing to, such as flag validation. Loads the built commands (`dist/`), like the real CLI.
 */
export async function runInProcess(args: string[]): Promise<InProcessResult> {
  const {exitCode} = process
  try {
    const {error, stderr, stdout} = await runCommand(args, {root: PROJECT_ROOT})
    return {exit: error ? (error.oclif?.exit ?? 1) : 0, message: error?.message ?? '', stderr, stdout}
  } finally {
    // runCommand leaves the exit code a real run would have had; this test run's own is mocha's business.
    process.exitCode = exitCode
  }
}

export const READY_EN = 'Interface ready. Type /help to see the available commands.'
export const READY_PT = 'Interface pronta. Digite /help para ver os comandos disponíveis.'

export interface NodeFixture {
  /** The log directory of the current test. */
  readonly logDir: string
  /** Starts `chat start --port P --name NAME --log-dir … --lang …` and waits for its ready line. */
  start(name: string, port: number, extra?: string[], options?: StartOptions): Promise<ChatProcess>
  /** Kills `proc` after the test like the others (for processes started another way). */
  track(proc: ChatProcess): ChatProcess
}

export interface StartOptions {
  env?: NodeJS.ProcessEnv
  lang?: 'en' | 'pt'
  /** `--json`: ready once the `ready` event is out (instead of the human ready line). */
  json?: boolean
  /** How long to wait for ready (waitForLine's default otherwise). */
  timeoutMs?: number
}

/**
 * For a mocha `describe`: a fresh log directory per test, and every process started through the fixture killed
 * and its directory removed after each test.
 */
export function useChatNodes(defaults: {extra?: string[]; lang?: 'en' | 'pt'} = {}): NodeFixture {
  let procs: ChatProcess[] = []
  let logs: ReturnType<typeof tempDir> | undefined
  beforeEach(() => {
    logs = tempDir()
  })
  afterEach(async () => {
    await Promise.all(procs.map((p) => p.kill('SIGKILL')))
    procs = []
    logs?.remove()
  })
  return {
    get logDir(): string {
      if (!logs) throw new Error('useChatNodes: no test is running')
      return logs.path
    },
    async start(name, port, extra = [], options = {}) {
      const lang = options.lang ?? defaults.lang ?? 'en'
      const args = [
        'start',
        '--port',
        String(port),
        '--name',
        name,
        '--log-dir',
        this.logDir,
        '--lang',
        lang,
        ...(defaults.extra ?? []),
        ...(options.json ? ['--json'] : []),
        ...extra,
      ]
      const proc = new ChatProcess(args, {env: options.env})
      procs.push(proc)
      const ready = options.json ? /^\{"event":"ready"/ : lang === 'pt' ? READY_PT : READY_EN
      await proc.waitForLine(ready, options.timeoutMs === undefined ? undefined : {timeoutMs: options.timeoutMs})
      return proc
    },
    track(proc) {
      procs.push(proc)
      return proc
    },
  }
}

export interface JsonEvent {
  event: string
  [key: string]: unknown
}

/** The `--json` events named `name` that a process has printed so far. */
export function jsonEvents(proc: ChatProcess, name: string): JsonEvent[] {
  return proc.lines
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as JsonEvent)
    .filter((e) => e.event === name)
}
