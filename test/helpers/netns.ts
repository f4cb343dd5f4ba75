// Processes inside network namespaces a test makes (so no packet reaches a real network): `chat` run there with its
// stdout read as JSON events, and the checks that say why a machine cannot run such a test.
import {type ChildProcessWithoutNullStreams, execFileSync, spawn} from 'node:child_process'
import {createInterface} from 'node:readline'

import {CHAT_BIN, PROJECT_ROOT} from './cli.js'
import {DEFAULT_WAIT_MS} from './wait.js'

export type Event = Record<string, unknown> & {event: string}

/** A `chat start --json` inside a network namespace, its stdout read as events. */
export class NamespacedChat {
  readonly child: ChildProcessWithoutNullStreams
  readonly events: Event[] = []
  readonly stderr: string[] = []
  readonly exited: Promise<number | null>
  readonly #wake = new Set<() => void>()

  /** `command` is the CLI's subcommand and its first options (`chat start --json` unless told). */
  constructor(ns: string, args: string[], env: NodeJS.ProcessEnv, command: string[] = ['start', '--json']) {
    this.child = spawn('ip', ['netns', 'exec', ns, process.execPath, CHAT_BIN, ...command, ...args], {
      cwd: PROJECT_ROOT,
      env: {...process.env, LANG: 'C', NO_COLOR: '1', ...env},
    })
    this.child.stdin.on('error', () => {})
    createInterface({input: this.child.stdout}).on('line', (line) => {
      try {
        this.events.push(JSON.parse(line) as Event)
      } catch {
        this.events.push({event: 'unparsable', line})
      }

      for (const wake of this.#wake) wake()
    })
    createInterface({input: this.child.stderr}).on('line', (line) => this.stderr.push(line))
    this.exited = new Promise((resolve) => {
      this.child.on('close', (code) => {
        resolve(code)
        for (const wake of this.#wake) wake()
      })
    })
  }

  waitFor(what: string, predicate: (event: Event) => boolean, timeoutMs = DEFAULT_WAIT_MS): Promise<Event> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const hit = this.events.find((event) => predicate(event))
        if (hit) finish(() => resolve(hit))
        else if (this.child.exitCode !== null) finish(() => reject(new Error(`exited before ${what}: ${this.dump()}`)))
      }

      const timer = setTimeout(
        () => finish(() => reject(new Error(`timed out waiting for ${what}: ${this.dump()}`))),
        timeoutMs,
      )
      const finish = (then: () => void): void => {
        clearTimeout(timer)
        this.#wake.delete(check)
        then()
      }

      this.#wake.add(check)
      check()
    })
  }

  type(line: string): void {
    this.child.stdin.write(line + '\n')
  }

  async quit(): Promise<number | null> {
    if (this.child.exitCode === null) this.type('/quit')
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000)
    const code = await this.exited
    clearTimeout(timer)
    return code
  }

  dump(): string {
    return `\nstdout:\n${this.events.map((e) => JSON.stringify(e)).join('\n')}\nstderr:\n${this.stderr.join('\n')}`
  }
}

/** Deletes the namespaces a test made (those already gone are skipped). */
export function deleteNamespaces(names: Iterable<string>): void {
  for (const name of names) {
    try {
      ip('netns', 'del', name)
    } catch {
      // already gone
    }
  }
}

export function ip(...args: string[]): void {
  execFileSync('ip', args, {stdio: 'pipe', timeout: 10_000})
}

/** Why this machine cannot run the test, or undefined when it can. */
export function cannotUseNamespaces(): string | undefined {
  if (process.platform !== 'linux') return `network namespaces need Linux (this is ${process.platform})`
  if (process.getuid?.() !== 0) return 'network namespaces need root (CI runs as root)'
  try {
    execFileSync('ip', ['-V'], {stdio: 'pipe'})
  } catch {
    return '`ip` (iproute2) is not installed'
  }

  return undefined
}
