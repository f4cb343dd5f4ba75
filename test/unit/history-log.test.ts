import {expect} from 'chai'
import {type ChildProcess, fork} from 'node:child_process'
import {once} from 'node:events'
import {chmod, mkdtemp, readFile, rm, stat, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {type HistoryEvent, historyPath, parseHistoryLine, serializeEvent} from '../../src/history/events.js'
import {ACK_WINDOW, HistoryLog, type HistoryProblemDetail, MAX_WRITER_FAILURES} from '../../src/history/history-log.js'
import {
  type FromWriter,
  MAX_APPEND_LINES,
  parseFromWriter,
  parseToWriter,
  type ToWriter,
} from '../../src/history/writer-protocol.js'
import {RESTART_BACKOFF} from '../../src/history/writer-supervisor.js'
import {backoffDelay} from '../../src/p2p/backoff.js'
import {historyProblemText} from '../../src/repl/i18n-cli.js'
import {catalogs} from '../../src/repl/i18n.js'

const PORT = 5000

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** Every line of the file parsed; fails the test on a line that is not a valid event. */
async function readEvents(path: string): Promise<HistoryEvent[]> {
  const text = await readFile(path, 'utf8')
  expect(text.endsWith('\n') || text === '', 'file ends with a newline').to.equal(true)
  return text
    .split('\n')
    .slice(0, -1)
    .map((line, i) => {
      const e = parseHistoryLine(line)
      expect(e, `line ${i + 1} parses: ${line.slice(0, 80)}`).to.not.equal(undefined)
      return e as HistoryEvent
    })
}

function nextAck(log: HistoryLog, atLeast = 1): Promise<number> {
  return new Promise((resolve) => {
    const onAck = (upTo: number): void => {
      if (upTo < atLeast) return
      log.off('ack', onAck)
      resolve(upTo)
    }

    log.on('ack', onAck)
  })
}

function message(i: number): {event: 'message_sent'; id: string; text: string} {
  return {event: 'message_sent', id: `m${i}`, text: `message number ${i}`}
}

describe('HistoryLog and its forked writer', () => {
  let dir: string
  let logs: HistoryLog[]

  function newLog(options: {dir?: string; writerPath?: string} = {}): HistoryLog {
    const log = new HistoryLog({dir: options.dir ?? dir, port: PORT, writerPath: options.writerPath})
    logs.push(log)
    return log
  }

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chat-history-'))
    logs = []
  })

  afterEach(async () => {
    await Promise.all(logs.map((log) => log.close()))
    await rm(dir, {force: true, recursive: true})
  })

  it('names the file chat_history_<port>.log in the directory', () => {
    expect(newLog().path).to.equal(join(dir, 'chat_history_5000.log'))
  })

  it('writes 1,000 appended events as 1,000 parseable lines, in order', async () => {
    const log = newLog()
    expect(await log.open()).to.equal(true)
    for (let i = 1; i <= 1000; i++) expect(log.append(message(i))).to.equal(i)
    await log.close()

    const events = await readEvents(log.path)
    expect(events).to.have.length(1000)
    for (const [i, e] of events.entries()) {
      expect(e).to.include({event: 'message_sent', id: `m${i + 1}`, text: `message number ${i + 1}`})
      expect(e.seq).to.equal(i + 1)
      expect(e.session).to.equal(log.session)
      expect(Number.isNaN(Date.parse(e.ts))).to.equal(false)
    }
  })

  it('writes every event type with ts first and event second, whitelisting node fields', async () => {
    const log = newLog()
    await log.open()
    const pedro = {id: 'p', name: 'Pedro', host: '127.0.0.1', port: 5001}
    // A richer object (as ChatNode's PeerSummary) must be cut down to the four fields.
    log.append({event: 'session_start', node: {id: 'j', name: 'Julia', host: '127.0.0.1', port: 5000}})
    log.append({event: 'peer_connected', peer: {...pedro, direction: 'inbound', since: 1} as typeof pedro})
    log.append({event: 'message_received', id: 'x', from: pedro, text: 'ola', sent_ts: 1_764_000_000_000})
    log.append({event: 'message_sent', id: 'y', text: 'oi'})
    log.append({event: 'peer_disconnected', peer: pedro, reason: 'quit'})
    log.append({event: 'session_end'})
    await log.close()

    const text = await readFile(log.path, 'utf8')
    const lines = text.trim().split('\n')
    expect(lines.map((l) => parseHistoryLine(l)?.event)).to.deep.equal([
      'session_start',
      'peer_connected',
      'message_received',
      'message_sent',
      'peer_disconnected',
      'session_end',
    ])
    for (const line of lines) expect(line).to.match(/^\{"ts":"[^"]+","event":"/)
    expect(JSON.parse(lines[1]).peer).to.deep.equal(pedro)
    expect(JSON.parse(lines[2])).to.include({sent_ts: 1_764_000_000_000, text: 'ola'})
  })

  it('bounds the IPC channel with the ack window and queues the rest', async () => {
    const log = newLog()
    await log.open()
    for (let i = 1; i <= 5000; i++) log.append(message(i))
    expect(log.stats.inFlight).to.equal(ACK_WINDOW)
    expect(log.stats.queued).to.equal(5000 - ACK_WINDOW)
    await log.close()
    expect((await readEvents(log.path)).map((e) => e.seq)).to.deep.equal(Array.from({length: 5000}, (_, i) => i + 1))
  })

  it('loses nothing and duplicates nothing when the writer is SIGKILLed in the middle of a burst', async () => {
    const log = newLog()
    await log.open()
    const first = log.writerPid as number
    for (let i = 1; i <= 2500; i++) log.append(message(i))
    // Kill it right after it acknowledged a batch: it is then likely in the middle of writing the next one.
    const acked = await nextAck(log)
    expect(acked).to.be.below(2500)
    const restarted = once(log, 'ready')
    process.kill(first, 'SIGKILL')
    for (let i = 2501; i <= 5000; i++) log.append(message(i))
    const [{pid}] = (await restarted) as [{pid: number; lastSeq: number}]
    expect(pid).to.not.equal(first)
    await log.close()

    expect(log.stats.restarts).to.equal(1)
    expect(log.stats.dropped).to.equal(0)
    const events = await readEvents(log.path)
    expect(events.map((e) => e.seq)).to.deep.equal(Array.from({length: 5000}, (_, i) => i + 1))
    expect(events.map((e) => (e.event === 'message_sent' ? e.id : ''))).to.deep.equal(
      Array.from({length: 5000}, (_, i) => `m${i + 1}`),
    )
  })

  it('survives SIGKILL of the writer in a loop', async () => {
    const log = newLog()
    await log.open()
    let next = 1
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 1500; i++) log.append(message(next++))
      const pid = log.writerPid as number
      await nextAck(log, log.stats.ackedSeq + 1)
      const restarted = once(log, 'ready')
      process.kill(pid, 'SIGKILL')
      for (let i = 0; i < 500; i++) log.append(message(next++))
      await restarted
    }

    await log.close()
    expect(log.stats.restarts).to.equal(5)
    const seqs = (await readEvents(log.path)).map((e) => e.seq)
    expect(seqs).to.deep.equal(Array.from({length: next - 1}, (_, i) => i + 1))
  })

  it('does not write twice what a killed writer wrote but never acknowledged', async () => {
    // A writer that dies between writing a batch and acknowledging it: the first instance SIGKILLs itself instead of
    // sending its first ack past seq 500. Its restarts behave normally (the marker file says it already crashed).
    const real = new URL('../../src/history/writer-process.ts', import.meta.url).href
    const marker = join(dir, 'crashed-once')
    const wrapper = join(dir, 'dies-before-ack.mjs')
    await writeFile(
      wrapper,
      `import {existsSync, writeFileSync} from 'node:fs'
const send = process.send.bind(process)
process.send = (msg, ...rest) => {
  if (msg.type === 'ack' && msg.upTo >= 500 && !existsSync(${JSON.stringify(marker)})) {
    writeFileSync(${JSON.stringify(marker)}, '')
    process.kill(process.pid, 'SIGKILL')
  }
  return send(msg, ...rest)
}
await import(${JSON.stringify(real)})
`,
    )
    const log = newLog({writerPath: wrapper})
    await log.open()
    let lastAck = 0
    log.on('ack', (upTo) => {
      lastAck = upTo
    })
    const restarted = once(log, 'ready')
    for (let i = 1; i <= 1000; i++) log.append(message(i))
    const [{lastSeq}] = (await restarted) as [{pid: number; lastSeq: number}]
    expect(lastAck, 'acknowledged before the crash').to.be.below(500)
    expect(lastSeq, 'found in the file by the new writer').to.be.at.least(500)
    await log.close()
    const seqs = (await readEvents(log.path)).map((e) => e.seq)
    expect(seqs).to.deep.equal(Array.from({length: 1000}, (_, i) => i + 1))
  })

  it('hands a burst of lines to the writer in one IPC message, not one each', async () => {
    const real = fileURLToPath(new URL('../../src/history/writer-process.ts', import.meta.url))
    const counted = join(dir, 'append-messages')
    const wrapper = join(dir, 'counts-appends.mjs')
    await writeFile(
      wrapper,
      // Listens after the writer does: a message that arrives before the writer listens would be lost to it.
      `import {writeFileSync} from 'node:fs'
await import(${JSON.stringify(real)})
let appends = 0
process.on('message', (msg) => {
  if (msg.type === 'append') appends++
  if (msg.type === 'shutdown') writeFileSync(${JSON.stringify(counted)}, String(appends))
})
`,
    )
    const log = newLog({writerPath: wrapper})
    await log.open()
    for (let i = 1; i <= 300; i++) log.append(message(i))
    await log.close()
    expect(Number(await readFile(counted, 'utf8'))).to.equal(1)
    expect((await readEvents(log.path)).map((e) => e.seq)).to.deep.equal(Array.from({length: 300}, (_, i) => i + 1))
  })

  it('repairs a last line cut mid-way by an earlier crash before appending', async () => {
    const path = historyPath(dir, PORT)
    const stamp = {ts: new Date().toISOString(), session: 'old', seq: 1}
    const complete = serializeEvent({event: 'session_start', node: {id: 'j', name: 'Julia', host: 'h', port: 1}}, stamp)
    const cut = serializeEvent({event: 'message_sent', id: 'z', text: 'this line was cut'}, {...stamp, seq: 2})
    await writeFile(path, complete + '\n' + cut.slice(0, 30))

    const log = newLog()
    await log.open()
    log.append(message(1))
    await log.close()

    const events = await readEvents(log.path)
    expect(events.map((e) => [e.session, e.seq])).to.deep.equal([
      ['old', 1],
      [log.session, 1],
    ])
  })

  it('repairs a file that is nothing but a cut line', async () => {
    await writeFile(historyPath(dir, PORT), '{"ts":"2026-')
    const log = newLog()
    await log.open()
    log.append(message(1))
    await log.close()
    expect((await readEvents(log.path)).map((e) => e.seq)).to.deep.equal([1])
  })

  it('creates a missing log directory', async () => {
    const log = newLog({dir: join(dir, 'a', 'b')})
    expect(await log.open()).to.equal(true)
    log.append(message(1))
    await log.close()
    expect(await readEvents(log.path)).to.have.length(1)
  })

  it('creates the file readable by its owner only (0600), and a missing directory 0700', async () => {
    const log = newLog({dir: join(dir, 'private')})
    const loose: unknown[] = []
    log.on('loose', (report) => loose.push(report))
    expect(await log.open()).to.equal(true)
    log.append(message(1))
    await log.close()
    expect((await stat(log.path)).mode & 0o777).to.equal(0o600)
    expect((await stat(join(dir, 'private'))).mode & 0o777).to.equal(0o700)
    expect(loose).to.deep.equal([])
  })

  it('makes an existing world-readable file private and says so, once', async () => {
    const path = historyPath(dir, PORT)
    await writeFile(path, '', {mode: 0o644})
    await chmod(path, 0o644)
    const log = newLog()
    const loose: unknown[] = []
    log.on('loose', (report) => loose.push(report))
    expect(await log.open()).to.equal(true)
    expect((await stat(path)).mode & 0o777).to.equal(0o600)
    expect(loose).to.deep.equal([{path, was: 0o644, now: 0o600}])
  })

  it('emits exactly one problem for an unwritable directory and keeps accepting appends', async () => {
    // A path under a regular file fails with ENOTDIR even for root (chmod would not stop root).
    await writeFile(join(dir, 'afile'), 'not a directory')
    const log = newLog({dir: join(dir, 'afile', 'sub')})
    const problems: Array<[string, string]> = []
    const details: HistoryProblemDetail[] = []
    log.on('problem', (msg, code, detail) => {
      problems.push([msg, code])
      details.push(detail)
    })

    expect(await log.open()).to.equal(false)
    for (let i = 1; i <= 100; i++) expect(() => log.append(message(i))).to.not.throw()
    await log.close()
    await log.close()

    expect(problems).to.have.length(1)
    const [msg, code] = problems[0]
    expect(code).to.equal('ENOTDIR')
    expect(msg).to.equal(
      `cannot write history to ${join(dir, 'afile', 'sub', 'chat_history_5000.log')}: ` +
        'a part of the path is not a directory; chatting goes on without history',
    )
    // Its parts, for the REPL to word in the reader's language (the same sentence in English, the words in Portuguese).
    const path = join(dir, 'afile', 'sub', 'chat_history_5000.log')
    expect(details[0]).to.deep.equal({
      kind: 'write',
      path,
      code: 'ENOTDIR',
      reason: 'a part of the path is not a directory',
    })
    expect(historyProblemText(catalogs.en.cli, details[0])).to.equal(msg)
    expect(historyProblemText(catalogs.pt.cli, details[0])).to.equal(
      `não é possível gravar o histórico em ${path}: uma parte do caminho não é um diretório; a conversa continua sem histórico`,
    )
    expect(log.stats.failed).to.equal(true)
    expect(log.writerPid).to.equal(undefined)
  })

  it('gives up after repeated writer crashes with one problem, without spinning', async () => {
    const crasher = join(dir, 'crasher.mjs')
    await writeFile(crasher, 'process.exit(3)\n')
    const log = newLog({writerPath: crasher})
    const problems: string[] = []
    log.on('problem', (msg) => problems.push(msg))
    const gaveUp = once(log, 'problem')

    expect(await log.open()).to.equal(false)
    await gaveUp
    expect(() => log.append(message(1))).to.not.throw()
    await log.close()
    expect(problems).to.have.length(1)
    expect(problems[0]).to.include(`stopped ${MAX_WRITER_FAILURES} times in a row`)
    expect(problems[0]).to.include('exit code 3')
    expect(log.stats.restarts).to.equal(MAX_WRITER_FAILURES - 1)
  })

  it('drops the oldest unsent events past the 8 MiB queue cap, says so once, and writes the rest', async () => {
    const log = newLog()
    const problems: string[] = []
    log.on('problem', (msg) => problems.push(msg))
    const text = 'x'.repeat(1024)
    // Not open yet: everything waits in the parent queue.
    for (let i = 1; i <= 9000; i++) log.append({event: 'message_sent', id: `m${i}`, text})
    expect(log.stats.queuedBytes).to.be.at.most(8 * 1024 * 1024)
    expect(log.stats.dropped).to.be.greaterThan(0)
    expect(problems).to.have.length(1)
    expect(problems[0]).to.include('some history is lost')

    await log.open()
    await log.close()
    const seqs = (await readEvents(log.path)).map((e) => e.seq)
    const {dropped} = log.stats
    expect(seqs).to.deep.equal(Array.from({length: 9000 - dropped}, (_, i) => dropped + i + 1))
    expect(problems).to.have.length(1)
  })

  it('close() is idempotent, waits for the writer to exit and leaves no child running', async () => {
    const log = newLog()
    await log.open()
    const pid = log.writerPid as number
    expect(isRunning(pid)).to.equal(true)
    log.append(message(1))
    await Promise.all([log.close(), log.close()])
    await log.close()
    expect(isRunning(pid)).to.equal(false)
    expect(log.writerPid).to.equal(undefined)
    expect(log.append(message(2))).to.equal(0)
    expect(await readEvents(log.path)).to.have.length(1)
  })

  it('close() without open() is immediate and forks nothing', async () => {
    const log = newLog()
    await log.close()
    expect(log.writerPid).to.equal(undefined)
  })
})

describe('history writer process (IPC protocol)', () => {
  let dir: string
  let child: ChildProcess | undefined
  const writerPath = fileURLToPath(new URL('../../src/history/writer-process.ts', import.meta.url))

  function start(): {child: ChildProcess; next: (type: FromWriter['type']) => Promise<FromWriter>} {
    const c = fork(writerPath, [], {execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc']})
    child = c
    const inbox: FromWriter[] = []
    let wake: (() => void) | undefined
    c.on('message', (raw) => {
      const msg = parseFromWriter(raw)
      if (msg) inbox.push(msg)
      wake?.()
    })
    const next = async (type: FromWriter['type']): Promise<FromWriter> => {
      for (;;) {
        const i = inbox.findIndex((m) => m.type === type)
        if (i !== -1) return inbox.splice(i, 1)[0]
        await new Promise<void>((resolve) => {
          wake = resolve
        })
      }
    }

    return {child: c, next}
  }

  function send(c: ChildProcess, msg: ToWriter | Record<string, unknown>): void {
    c.send(msg)
  }

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chat-writer-'))
  })

  afterEach(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL')
      await once(child, 'exit')
    }

    child = undefined
    await rm(dir, {force: true, recursive: true})
  })

  const line = (session: string, seq: number): string =>
    serializeEvent({event: 'message_sent', id: `m${seq}`, text: 't'}, {ts: new Date().toISOString(), session, seq})

  it('skips seqs of its session already in the file, so a resend is written once', async () => {
    const path = join(dir, 'h.log')
    await writeFile(path, [1, 2, 3].map((s) => line('S', s) + '\n').join('') + line('other', 9) + '\n', {mode: 0o600})
    const {child: c, next} = start()
    send(c, {type: 'init', path, session: 'S'})
    expect(await next('ready')).to.deep.equal({type: 'ready', lastSeq: 3})
    send(c, {type: 'append', first: 2, lines: [line('S', 2), line('S', 3)]})
    send(c, {type: 'append', first: 4, lines: [line('S', 4), line('S', 5)]})
    send(c, {type: 'shutdown'})
    await once(c, 'exit')
    expect(c.exitCode).to.equal(0)
    const seqs = (await readEvents(path)).map((e) => `${e.session}:${e.seq}`)
    expect(seqs).to.deep.equal(['S:1', 'S:2', 'S:3', 'other:9', 'S:4', 'S:5'])
  })

  it('acknowledges what it wrote', async () => {
    const path = join(dir, 'h.log')
    const {child: c, next} = start()
    send(c, {type: 'init', path, session: 'S'})
    await next('ready')
    send(c, {type: 'append', first: 1, lines: [line('S', 1)]})
    send(c, {type: 'append', first: 2, lines: [line('S', 2)]})
    send(c, {type: 'flush'})
    let ack = await next('ack')
    while (ack.type === 'ack' && ack.upTo < 2) ack = await next('ack')
    expect(ack).to.deep.equal({type: 'ack', upTo: 2})
    expect((await readEvents(path)).map((e) => e.seq)).to.deep.equal([1, 2])
  })

  it('rejects an unknown message type with an error and keeps working', async () => {
    const path = join(dir, 'h.log')
    const {child: c, next} = start()
    send(c, {type: 'init', path, session: 'S'})
    await next('ready')
    send(c, {type: 'format-disk'})
    const error = await next('error')
    expect(error).to.include({type: 'error', code: 'ERR_UNKNOWN_MESSAGE'})
    send(c, {type: 'append', first: 1, lines: [line('S', 1)]})
    send(c, {type: 'shutdown'})
    await once(c, 'exit')
    expect(await readEvents(path)).to.have.length(1)
  })

  it('reports an init failure as an error message instead of dying silently', async () => {
    await writeFile(join(dir, 'afile'), '')
    const {child: c, next} = start()
    send(c, {type: 'init', path: join(dir, 'afile', 'x', 'h.log'), session: 'S'})
    expect(await next('error')).to.include({type: 'error', code: 'ENOTDIR'})
    expect(c.exitCode).to.equal(null)
  })

  it('writes what it has and exits when the parent goes away', async () => {
    const path = join(dir, 'h.log')
    const {child: c, next} = start()
    send(c, {type: 'init', path, session: 'S'})
    await next('ready')
    for (let s = 1; s <= 50; s += 10)
      send(c, {type: 'append', first: s, lines: Array.from({length: 10}, (_, i) => line('S', s + i))})
    c.disconnect()
    await once(c, 'exit')
    expect((await readEvents(path)).map((e) => e.seq)).to.deep.equal(Array.from({length: 50}, (_, i) => i + 1))
  })
})

describe('history writer protocol: parseFromWriter', () => {
  it('reads a ready message, with the permissions of a loose file when there were', () => {
    expect(parseFromWriter({type: 'ready', lastSeq: 3})).to.deep.equal({type: 'ready', lastSeq: 3})
    expect(parseFromWriter({type: 'ready', lastSeq: 0, loose: {was: 0o644, now: 0o600}})).to.deep.equal({
      type: 'ready',
      lastSeq: 0,
      loose: {was: 0o644, now: 0o600},
    })
    expect(parseFromWriter({type: 'ready', lastSeq: 0, loose: {was: '644', now: 0o600}})).to.equal(undefined)
    expect(parseFromWriter({type: 'ready', lastSeq: 0, loose: 1})).to.equal(undefined)
  })
})

describe('history writer protocol: parseToWriter', () => {
  it('accepts a batch of lines with consecutive seqs', () => {
    expect(parseToWriter({type: 'append', first: 7, lines: ['a', 'b']})).to.deep.equal({
      type: 'append',
      first: 7,
      lines: ['a', 'b'],
    })
  })

  it('refuses a malformed batch', () => {
    for (const bad of [
      {type: 'append', first: 1},
      {type: 'append', first: 1, lines: []},
      {type: 'append', first: 0, lines: ['a']},
      {type: 'append', first: 1.5, lines: ['a']},
      {type: 'append', first: 1, lines: ['a\nb']},
      {type: 'append', first: 1, lines: ['a', 3]},
      {type: 'append', first: 1, lines: Array.from({length: MAX_APPEND_LINES + 1}, () => 'a')},
      {type: 'append', first: Number.MAX_SAFE_INTEGER, lines: ['a', 'b']},
      {type: 'append', seq: 1, line: 'a'},
    ]) {
      expect(parseToWriter(bad), JSON.stringify(bad).slice(0, 80)).to.equal(undefined)
    }
  })
})

describe('history writer restarts', () => {
  it('waits 50, 100, 200 and 400 ms before restarts 1 to 4, with the engine backoff formula', () => {
    const delays = Array.from({length: MAX_WRITER_FAILURES - 1}, (_, n) => backoffDelay(n, RESTART_BACKOFF))
    expect(delays).to.deep.equal([50, 100, 200, 400])
  })
})
