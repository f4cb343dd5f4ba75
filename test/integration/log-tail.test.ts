// Runs the built CLI (`npm run build` first; `npm test` does it) as a user would.
import {expect} from 'chai'
import {type ChildProcess, spawn} from 'node:child_process'
import {once} from 'node:events'
import {existsSync} from 'node:fs'
import {appendFile, mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {type HistoryEventInput, serializeEvent} from '../../src/history/events.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const bin = join(root, 'bin', 'run.js')
const PORT = 5000

const pedro = {id: 'p', name: 'Pedro', host: '127.0.0.1', port: 5001}
const events: HistoryEventInput[] = [
  {event: 'session_start', node: {id: 'j', name: 'Julia', host: '127.0.0.1', port: 5000}},
  {event: 'peer_connected', peer: pedro},
  {event: 'message_received', id: 'a', from: pedro, text: 'ola'},
  {event: 'message_sent', id: 'b', text: 'oi'},
  {event: 'peer_disconnected', peer: pedro, reason: 'quit'},
]

function lineOf(e: HistoryEventInput, seq: number): string {
  // 2026-11-25 17:20:<seq> UTC
  return serializeEvent(e, {ts: new Date(Date.UTC(2026, 10, 25, 17, 20, seq)).toISOString(), session: 's', seq})
}

interface Run {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

function start(
  args: string[],
  cwd = root,
  locale: NodeJS.ProcessEnv = {},
): {child: ChildProcess; output: {stdout: string; stderr: string}} {
  // TZ fixed so that the readable times are known; NO_COLOR keeps oclif's error output plain; English unless the
  // test asks for another locale.
  const child = spawn(process.execPath, [bin, 'log', 'tail', ...args], {
    cwd,
    env: {...process.env, TZ: 'UTC', NO_COLOR: '1', LC_ALL: '', LC_MESSAGES: '', LANG: 'en_US.UTF-8', ...locale},
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const output = {stdout: '', stderr: ''}
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    output.stdout += d
  })
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    output.stderr += d
  })
  return {child, output}
}

async function run(args: string[], cwd = root, locale: NodeJS.ProcessEnv = {}): Promise<Run> {
  const {child, output} = start(args, cwd, locale)
  const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null]
  return {code, signal, ...output}
}

/** Resolves once everything `child` printed so far satisfies `ok` (checked now and on each new chunk). */
function waitForOutput(child: ChildProcess, output: {stdout: string}, ok: (text: string) => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      if (!ok(output.stdout)) return
      child.stdout?.off('data', check)
      child.off('close', onClose)
      resolve()
    }

    const onClose = (): void => reject(new Error(`exited before the expected output; got: ${output.stdout}`))
    // Registered after start()'s collector, so `output.stdout` already holds the chunk when this runs.
    child.stdout?.on('data', check)
    child.once('close', onClose)
    check()
  })
}

describe('chat log tail (built CLI)', function () {
  this.timeout(30_000)
  let dir: string
  let path: string
  const children: ChildProcess[] = []

  before(() => {
    if (!existsSync(join(root, 'dist', 'commands', 'log', 'tail.js'))) {
      throw new Error('dist/ is missing: run `npm run build` first (`npm test` does)')
    }
  })

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chat-log-tail-'))
    path = join(dir, `chat_history_${PORT}.log`)
    await writeFile(path, events.map((e, i) => lineOf(e, i + 1) + '\n').join(''))
  })

  afterEach(async () => {
    for (const child of children.splice(0)) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL')
        await once(child, 'close')
      }
    }

    await rm(dir, {force: true, recursive: true})
  })

  it('prints the last N events readably', async () => {
    const r = await run(['--port', String(PORT), '--log-dir', dir, '-n', '3'])
    expect(r.stderr).to.equal('')
    expect(r.code).to.equal(0)
    expect(r.stdout).to.equal(
      [
        '2026-11-25 17:20:03  Pedro (127.0.0.1:5001): ola',
        '2026-11-25 17:20:04  You: oi',
        '2026-11-25 17:20:05  * Pedro (127.0.0.1:5001) disconnected (quit)',
        '',
      ].join('\n'),
    )
  })

  it('reads the working directory by default and prints 20 events by default', async () => {
    await appendFile(path, Array.from({length: 30}, (_, i) => lineOf(events[3], i + 6) + '\n').join(''))
    const r = await run(['--port', String(PORT)], dir)
    expect(r.code).to.equal(0)
    const lines = r.stdout.trimEnd().split('\n')
    expect(lines).to.have.length(20)
    expect(lines.every((l) => l.endsWith('You: oi'))).to.equal(true)
  })

  it('passes the raw JSON lines with --json', async () => {
    const r = await run(['--port', String(PORT), '--log-dir', dir, '-n', '2', '--json'])
    expect(r.code).to.equal(0)
    expect(r.stdout).to.equal(lineOf(events[3], 4) + '\n' + lineOf(events[4], 5) + '\n')
  })

  it('fails with a sentence and a non-zero exit when there is no history for the port', async () => {
    const r = await run(['--port', '5999', '--log-dir', dir])
    expect(r.code).to.equal(2)
    expect(r.stdout).to.equal('')
    const stderr = r.stderr.replaceAll(/\s*›\s*/g, ' ')
    expect(stderr).to.include(`no history for port 5999 in ${dir} (looked for ${join(dir, 'chat_history_5999.log')})`)
    expect(r.stderr).to.not.match(/\n\s+at /) // no stack trace
  })

  it('speaks Portuguese with --lang pt or a Portuguese LANG', async () => {
    const expected = [
      '2026-11-25 17:20:03  Pedro (127.0.0.1:5001): ola',
      '2026-11-25 17:20:04  Você: oi',
      '2026-11-25 17:20:05  * Pedro (127.0.0.1:5001) desconectou (encerrou a sessão)',
      '',
    ].join('\n')
    const flag = await run(['--port', String(PORT), '--log-dir', dir, '-n', '3', '--lang', 'pt'])
    expect(flag.stdout).to.equal(expected)
    const env = await run(['--port', String(PORT), '--log-dir', dir, '-n', '3'], root, {LANG: 'pt_BR.UTF-8'})
    expect(env.stdout).to.equal(expected)
    const english = await run(['--port', String(PORT), '--log-dir', dir, '-n', '1', '--lang', 'en'], root, {
      LANG: 'pt_BR.UTF-8',
    })
    expect(english.stdout).to.equal('2026-11-25 17:20:05  * Pedro (127.0.0.1:5001) disconnected (quit)\n')
    const missing = await run(['--port', '5999', '--log-dir', dir, '--lang', 'pt'])
    expect(missing.code).to.equal(2)
    expect(missing.stderr.replaceAll(/\s*›\s*/g, ' ')).to.include(`não há histórico da porta 5999 em ${dir}`)
  })

  it('-f on a history that does not exist yet waits for it, then prints it from its first line (like tail -F)', async () => {
    const later = join(dir, 'chat_history_5998.log')
    const {child, output} = start(['--port', '5998', '--log-dir', dir, '-f'])
    children.push(child)
    await new Promise<void>((resolve) => {
      const check = (): void => {
        if (output.stderr.includes('waiting for')) resolve()
        else child.stderr?.once('data', check)
      }

      check()
    })
    expect(output.stderr).to.include(later)
    await writeFile(
      later,
      events
        .slice(0, 3)
        .map((e, i) => lineOf(e, i + 1) + '\n')
        .join(''),
    )
    await waitForOutput(child, output, (text) => text.includes('Pedro (127.0.0.1:5001): ola'))
    child.kill('SIGTERM')
    const [code] = (await once(child, 'close')) as [number | null]
    expect(code).to.equal(0)
    expect(output.stdout.split('\n')).to.have.length(4) // all three events, then the final newline
    expect(output.stdout).to.include('-- session started: Julia on 127.0.0.1:5000')
  })

  it('-f prints a line appended after it started, then exits 0 on SIGTERM', async () => {
    const {child, output} = start(['--port', String(PORT), '--log-dir', dir, '-n', '1', '-f'])
    children.push(child)
    await waitForOutput(child, output, (text) => text.includes('disconnected (quit)'))
    await appendFile(path, lineOf({event: 'message_sent', id: 'c', text: 'still here'}, 6) + '\n')
    await waitForOutput(child, output, (text) => text.includes('You: still here'))
    child.kill('SIGTERM')
    const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null]
    expect({code, signal}).to.deep.equal({code: 0, signal: null})
    expect(output.stdout).to.equal(
      '2026-11-25 17:20:05  * Pedro (127.0.0.1:5001) disconnected (quit)\n2026-11-25 17:20:06  You: still here\n',
    )
    expect(output.stderr).to.equal('')
  })

  it('exits quietly when its output is closed (`| head -1`)', async () => {
    const {child, output} = start(['--port', String(PORT), '--log-dir', dir, '-n', '1', '-f'])
    children.push(child)
    await waitForOutput(child, output, (text) => text.includes('disconnected (quit)'))
    child.stdout?.destroy()
    await appendFile(path, lineOf({event: 'message_sent', id: 'c', text: 'nobody reads this'}, 6) + '\n')
    const [code] = (await once(child, 'close')) as [number | null]
    expect(code).to.equal(0)
    expect(output.stderr).to.equal('')
  })
})
