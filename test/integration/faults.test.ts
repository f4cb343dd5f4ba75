// Faults around a running `chat start` (issue 4, "Faults"), with real processes over 127.0.0.1 and events counted:
//   (a) the history writer is SIGKILLed again and again in the middle of a burst: restarted, every event once;
//   (b) SIGINT in the middle of a burst: the history is flushed before exit, and matches what was shown;
//   (c) the log directory cannot exist (a regular file is in the way; root ignores chmod): told once, chat goes on;
//   (d) EPIPE on stdout (`chat start | head -1`): the node keeps relaying between two others.
// Needs the built CLI (`npm run build`).
import {expect} from 'chai'
import {mkdirSync, readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

import {ChatProcess, freePort, jsonEvents, tempDir} from '../helpers/cli.js'
import {poll} from '../helpers/wait.js'

const READY = 'Interface ready. Type /help to see the available commands.'

const events = jsonEvents

interface HistoryLine {
  event: string
  seq: number
  session: string
  id?: string
  text?: string
  [key: string]: unknown
}

/** Every line of a history file, each of which must parse (a half-written line is a failure here). */
function historyOf(dir: string, port: number): HistoryLine[] {
  const text = readFileSync(join(dir, `chat_history_${port}.log`), 'utf8')
  expect(text.endsWith('\n'), 'the file ends with a whole line').to.equal(true)
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line, i) => {
      try {
        return JSON.parse(line) as HistoryLine
      } catch {
        throw new Error(`history line ${i + 1} does not parse: ${line.slice(0, 200)}`)
      }
    })
}

/** Each value of `values` counted. */
function tally(values: Array<string | undefined>): Map<string, number> {
  const out = new Map<string, number>()
  for (const v of values) out.set(String(v), (out.get(String(v)) ?? 0) + 1)
  return out
}

/** The history writer: the child of `pid` forked from writer-process.js (found through /proc). */
function writerOf(pid: number): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      // pid (comm) state ppid …: comm may hold spaces and parentheses, so split after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      if (ppid !== pid) continue
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('writer-process')) return Number(entry)
    } catch {
      // the process went away while we looked
    }
  }

  return undefined
}

describe('faults around a running node (integration)', function () {
  this.timeout(120_000)
  let procs: ChatProcess[] = []
  let logs: ReturnType<typeof tempDir>

  beforeEach(() => {
    logs = tempDir('chat-faults-')
  })

  afterEach(async () => {
    await Promise.all(procs.map((p) => p.kill('SIGKILL')))
    procs = []
    logs.remove()
  })

  function spawnNode(name: string, port: number, extra: string[] = []): ChatProcess {
    const proc = new ChatProcess([
      'start',
      '--port',
      String(port),
      '--name',
      name,
      '--log-dir',
      logs.path,
      '--lang',
      'en',
      ...extra,
    ])
    procs.push(proc)
    return proc
  }

  async function jsonNode(name: string, port: number, extra: string[] = []): Promise<ChatProcess> {
    const proc = spawnNode(name, port, ['--json', ...extra])
    await proc.waitForLine(/"event":"ready"/)
    return proc
  }

  it('(a) survives SIGKILL of its history writer in the middle of a burst: every event written exactly once', async () => {
    const [pa, pb] = await Promise.all([freePort(), freePort()])
    const a = await jsonNode('A', pa)
    const b = await jsonNode('B', pb, ['--join', `127.0.0.1:${pa}`])
    await a.waitForLine(/"event":"peer_joined"/)
    const pid = a.child.pid!
    const ROUNDS = 4
    const PER_ROUND = 75
    const sentByA: string[] = []
    const sentByB: string[] = []
    const killed: number[] = []
    for (let round = 0; round < ROUNDS; round++) {
      const writer = await poll(`a history writer under pid ${pid}`, () => {
        const w = writerOf(pid)
        return w !== undefined && !killed.includes(w) ? w : undefined
      })
      for (let i = 0; i < PER_ROUND; i++) {
        const fromA = `a-${round}-${i}`
        const fromB = `b-${round}-${i}`
        sentByA.push(fromA)
        sentByB.push(fromB)
        a.type(fromA)
        b.type(fromB)
      }

      // Killed while the round's events are being appended and acknowledged.
      await a.waitForLines(/"event":"message"/, sentByB.length - PER_ROUND + 1)
      process.kill(writer, 'SIGKILL')
      killed.push(writer)
      await a.waitForLines(/"event":"message"/, sentByB.length, {timeoutMs: 30_000})
      await a.waitForLines(/"event":"sent"/, sentByA.length, {timeoutMs: 30_000})
    }

    // A new writer took over after the last kill, and the node never stopped.
    await poll('a restarted writer', () => {
      const w = writerOf(pid)
      return w !== undefined && !killed.includes(w) ? w : undefined
    })
    expect(a.child.exitCode).to.equal(null)
    a.type('/quit')
    expect(await a.exited).to.deep.equal({code: 0, signal: null})

    const lines = historyOf(logs.path, pa)
    const shownReceived = events(a, 'message').map((e) => String(e.text))
    const received = lines.filter((e) => e.event === 'message_received')
    const sent = lines.filter((e) => e.event === 'message_sent')
    console.log(
      `      writer SIGKILLed ${killed.length}× during ${sentByA.length + sentByB.length} messages: history has ${lines.length} lines, ` +
        `${received.length} message_received, ${sent.length} message_sent; problems shown ${events(a, 'error').length}`,
    )
    expect(shownReceived).to.have.members(sentByB)
    expect(
      received.map((e) => e.text),
      'message_received, in order, once each',
    ).to.deep.equal(sentByB)
    expect(
      sent.map((e) => e.text),
      'message_sent, in order, once each',
    ).to.deep.equal(sentByA)
    expect(
      [...tally(received.map((e) => e.id))].filter(([, n]) => n > 1),
      'an id logged twice',
    ).to.deep.equal([])
    // One session, seq 1…n with no gap and no repeat, from session_start to session_end.
    expect(new Set(lines.map((e) => e.session)).size).to.equal(1)
    expect(lines.map((e) => e.seq)).to.deep.equal(lines.map((_, i) => i + 1))
    expect(lines[0].event).to.equal('session_start')
    expect(lines.at(-1)?.event).to.equal('session_end')
    expect(
      events(a, 'error').filter((e) => e.code === 'history'),
      'history problems reported',
    ).to.deep.equal([])
  })

  it('(b) flushes the history on SIGINT in the middle of a burst: events in the file = messages shown', async () => {
    const [pa, pb] = await Promise.all([freePort(), freePort()])
    // A burst above the default per-author allowance (500), so that the signal lands while it is still arriving.
    const a = await jsonNode('A', pa, ['--author-rate', '1000'])
    const b = await jsonNode('B', pb, ['--join', `127.0.0.1:${pa}`])
    await a.waitForLine(/"event":"peer_joined"/)
    const BURST = 1000
    for (let i = 0; i < 50; i++) a.type(`own ${i}`)
    await a.waitForLines(/"event":"sent"/, 50, {timeoutMs: 30_000})
    for (let i = 0; i < BURST; i++) b.type(`burst ${i}`)
    await a.waitForLines(/"event":"message"/, 10, {timeoutMs: 30_000})
    expect(await a.kill('SIGINT')).to.deep.equal({code: 0, signal: null})

    const lines = historyOf(logs.path, pa)
    const shown = events(a, 'message').map((e) => String(e.text))
    const shownSent = events(a, 'sent').map((e) => String(e.text))
    const received = lines.filter((e) => e.event === 'message_received').map((e) => String(e.text))
    const sent = lines.filter((e) => e.event === 'message_sent').map((e) => String(e.text))
    console.log(
      `      SIGINT after ${shown.length} of ${BURST} messages shown: history has ${received.length} message_received, ` +
        `${sent.length} message_sent (${shownSent.length} shown), ends with ${lines.at(-1)?.event}`,
    )
    expect(lines.at(-1)?.event, 'flushed to the end').to.equal('session_end')
    expect(sent, 'message_sent = sent shown').to.deep.equal(shownSent)
    // Everything shown was written (nothing lost at exit) ...
    const lost = shown.filter((t) => !received.includes(t))
    expect(
      lost.length,
      `${lost.length} shown but not in the history, e.g. ${JSON.stringify(lost.slice(0, 3))}`,
    ).to.equal(0)
    // ... and nothing was written that the user was never shown.
    const unseen = received.filter((t) => !shown.includes(t))
    expect(
      unseen.length,
      `${unseen.length} in the history but never shown, e.g. ${JSON.stringify(unseen.slice(0, 3))}`,
    ).to.equal(0)
    expect(received).to.deep.equal(shown)
  })

  it('(c) says once that the log directory cannot be written, and chatting goes on', async () => {
    const [pa, pb] = await Promise.all([freePort(), freePort()])
    // Tests run as root, for whom chmod 000 changes nothing: a directory where the history file must be stops anyone.
    // (A --log-dir that is a file, or under one, is refused at start instead: chat-start.test.ts.)
    const blocker = join(logs.path, `chat_history_${pa}.log`)
    mkdirSync(blocker)
    const a = new ChatProcess(['start', '--port', String(pa), '--name', 'A', '--log-dir', logs.path, '--lang', 'en'])
    procs.push(a)
    await a.waitForLine(READY)
    const b = spawnNode('B', pb, ['--join', `127.0.0.1:${pa}`])
    await b.waitForLine(READY)
    await a.waitForLine(`* B (127.0.0.1:${pb}) joined.`)
    const problem = await a.waitForLine(/cannot write history/, {stream: 'err'})
    expect(problem).to.include(blocker)
    expect(problem).to.match(/chatting goes on without history/)

    const N = 20
    for (let i = 0; i < N; i++) {
      b.type(`to A ${i}`)
      a.type(`to B ${i}`)
    }

    await a.waitForLines(/^\[B \(127\.0\.0\.1:\d+\) said\]: to A \d+$/, N)
    await b.waitForLines(/^\[A \(127\.0\.0\.1:\d+\) said\]: to B \d+$/, N)
    await a.waitForLines(/^You: to B \d+$/, N)
    a.type('/quit')
    const exit = await a.exited
    const told = a.errLines.filter((l) => /history/.test(l))
    console.log(
      `      unwritable log dir: ${N} messages each way shown, ${told.length} history line(s) on stderr, exit ${exit.code}`,
    )
    expect(told, 'told exactly once').to.have.length(1)
    expect(
      a.errLines.filter((l) => /^\s+at |Error:/.test(l)),
      'no stack trace',
    ).to.deep.equal([])
    expect(exit).to.deep.equal({code: 0, signal: null})
  })

  it('(d) keeps relaying when its stdout reader goes away (EPIPE, like `chat start | head -1`)', async () => {
    const [pa, pb, pc] = await Promise.all([freePort(), freePort(), freePort()])
    // --degree 0: B and C reach each other only through A, so every message must cross A.
    const a = await jsonNode('A', pa, ['--degree', '0'])
    a.child.stdout.destroy() // `| head -1`: the reader took the first line and left
    const b = await jsonNode('B', pb, ['--degree', '0', '--join', `127.0.0.1:${pa}`])
    const c = await jsonNode('C', pc, ['--degree', '0', '--join', `127.0.0.1:${pa}`])
    await c.waitForLine(/"event":"peer_joined"|"event":"connected"/)
    await b.waitForLine(/"event":"peer_joined"|"event":"connected"/)
    const N = 50
    for (let i = 0; i < N; i++) b.type(`through A ${i}`)
    await c.waitForLines(/"text":"through A \d+"/, N, {timeoutMs: 30_000})
    // A kept writing events to a pipe nobody reads: each write failed with EPIPE, and it went on.
    c.type('back to B')
    await b.waitForLine(/"text":"back to B"/)
    expect(a.child.exitCode, 'A is alive').to.equal(null)
    const atC = tally(events(c, 'message').map((e) => String(e.text)))
    expect([...atC].filter(([, n]) => n !== 1)).to.deep.equal([])
    expect(atC.size).to.equal(N)
    a.type('/quit')
    const exit = await a.exited
    const lines = historyOf(logs.path, pa)
    const relayed = lines.filter((e) => e.event === 'message_received')
    console.log(
      `      EPIPE: ${atC.size}/${N} relayed through A to C once each (and 1 back); A logged ${relayed.length} message_received; exit ${exit.code}; A stderr ${a.errLines.length} line(s)`,
    )
    expect(relayed.map((e) => e.text)).to.deep.equal([
      ...Array.from({length: N}, (_, i) => `through A ${i}`),
      'back to B',
    ])
    expect(
      a.errLines.filter((l) => /EPIPE|Unhandled|^\s+at /.test(l)),
      'A said nothing about EPIPE',
    ).to.deep.equal([])
    expect(exit).to.deep.equal({code: 0, signal: null})
  })
})
