// `chat start` end to end: real processes over 127.0.0.1, driven through stdin, read through stdout.
import {expect} from 'chai'
import {chmodSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {createServer, connect as netConnect, type Server} from 'node:net'
import {join} from 'node:path'

import {ChatProcess, freePort, runChat, tempDir, useChatNodes} from '../helpers/cli.js'
import {poll} from '../helpers/wait.js'

interface HistoryLine {
  event: string
  [key: string]: unknown
}

function historyOf(dir: string, port: number): HistoryLine[] {
  return readFileSync(join(dir, `chat_history_${port}.log`), 'utf8')
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as HistoryLine)
}

describe('chat start (integration)', function () {
  this.timeout(60_000)
  const nodes = useChatNodes()
  const startNode = (
    name: string,
    port: number,
    extra: string[] = [],
    lang: 'en' | 'pt' = 'en',
  ): Promise<ChatProcess> => nodes.start(name, port, extra, {lang})
  const logs = {
    get path(): string {
      return nodes.logDir
    },
  }

  it('runs the three-node example: Ana reaches Julia through Pedro, in Portuguese', async () => {
    const [pj, pp, pa] = await Promise.all([freePort(), freePort(), freePort()])
    const julia = await startNode('Julia', pj, [], 'pt')
    const pedro = await startNode('Pedro', pp, ['--join', `127.0.0.1:${pj}`], 'pt')
    await julia.waitForLine(`* Pedro (127.0.0.1:${pp}) entrou.`)
    const ana = await startNode('Ana', pa, ['--join', `127.0.0.1:${pp}`], 'pt')
    await pedro.waitForLine(`* Ana (127.0.0.1:${pa}) entrou.`)

    pedro.type('ola')
    await pedro.waitForLine('Você: ola')
    await julia.waitForLine(`[Pedro (127.0.0.1:${pp}) disse]: ola`)
    ana.type('oi')
    await julia.waitForLine(`[Ana (127.0.0.1:${pa}) disse]: oi`)
    await ana.waitForLine('Você: oi')
    await pedro.waitForLine(`[Ana (127.0.0.1:${pa}) disse]: oi`)
    await ana.waitForLine(`[Pedro (127.0.0.1:${pp}) disse]: ola`)

    pedro.type('/peers')
    // Each peer by its listening address, then its key's fingerprint.
    await pedro.waitForLine(new RegExp(`^  Julia \\(127\\.0\\.0\\.1:${pj}\\) [0-9a-f]{4}:[0-9a-f]{4}$`))
    await pedro.waitForLine(new RegExp(`^  Ana \\(127\\.0\\.0\\.1:${pa}\\) [0-9a-f]{4}:[0-9a-f]{4}$`))
    expect(pedro.lines).to.include('Peers conectados (2):')

    // Quitting: exit 0, peers are told, the history is flushed and closed.
    ana.type('/quit')
    expect(await ana.exited).to.deep.equal({code: 0, signal: null})
    await pedro.waitForLine(`* Ana (127.0.0.1:${pa}) saiu (encerrou a sessão).`)
    const anaLog = historyOf(logs.path, pa)
    expect(anaLog[0].event).to.equal('session_start')
    expect(anaLog.at(-1)?.event).to.equal('session_end')
    expect(anaLog.filter((e) => e.event === 'message_sent').map((e) => e.text)).to.deep.equal(['oi'])

    pedro.type('/quit')
    await pedro.exited
    // Julia's writer gets her lines in batches: wait until the leaves she saw are on disk.
    const juliaLog = await poll('Julia logged a peer leaving', () => {
      const log = historyOf(logs.path, pj)
      return log.some((e) => e.event === 'peer_disconnected') && log
    })
    const received = juliaLog.filter((e) => e.event === 'message_received')
    expect(received.map((e) => [(e.from as {name: string}).name, e.text])).to.deep.equal([
      ['Pedro', 'ola'],
      ['Ana', 'oi'],
    ])
    expect(juliaLog.map((e) => e.event)).to.include.members(['peer_connected', 'peer_disconnected'])

    for (const line of [`[Pedro (127.0.0.1:${pp}) disse]: ola`, `[Ana (127.0.0.1:${pa}) disse]: oi`]) {
      expect(julia.count(line), line).to.equal(1)
    }

    expect(ana.count(`[Pedro (127.0.0.1:${pp}) disse]: ola`)).to.equal(1)
  })

  it('shows every message exactly once in a cycle A–B–C–A', async () => {
    const [pa, pb, pc] = await Promise.all([freePort(), freePort(), freePort()])
    const a = await startNode('A', pa)
    const b = await startNode('B', pb, ['--join', `127.0.0.1:${pa}`])
    const c = await startNode('C', pc, ['--join', `127.0.0.1:${pb}`, '--join', `127.0.0.1:${pa}`])
    await a.waitForLine(`* C (127.0.0.1:${pc}) joined.`)
    await b.waitForLine(`* C (127.0.0.1:${pc}) joined.`)
    const nodes = [
      {proc: a, name: 'A', port: pa},
      {proc: b, name: 'B', port: pb},
      {proc: c, name: 'C', port: pc},
    ]
    for (const n of nodes) n.proc.type(`hello from ${n.name}`)
    // Then a fence from each: by the time both fences arrive, any duplicate of the first round would have too.
    for (const n of nodes) n.proc.type(`fence ${n.name}`)
    for (const n of nodes) {
      for (const other of nodes.filter((o) => o !== n)) {
        await n.proc.waitForLine(`[${other.name} (127.0.0.1:${other.port}) said]: fence ${other.name}`)
      }
    }

    for (const n of nodes) {
      for (const other of nodes.filter((o) => o !== n)) {
        expect(
          n.proc.count(`[${other.name} (127.0.0.1:${other.port}) said]: hello from ${other.name}`),
          `${other.name} at ${n.name}`,
        ).to.equal(1)
      }

      expect(n.proc.lines.filter((l) => l.startsWith('['))).to.have.length(4)
    }
  })

  it('joins at runtime with /connect and rejects bad commands without sending them', async () => {
    const [pa, pb] = await Promise.all([freePort(), freePort()])
    const a = await startNode('A', pa)
    const b = await startNode('B', pb)
    b.type('/connect 127.0.0.1')
    await b.waitForLine(/^Usage: \/connect HOST PORT/)
    b.type('/nope')
    await b.waitForLine('Unknown command: /nope. Type /help to see the available commands.')
    b.type('')
    b.type('/help')
    await b.waitForLine(/\/connect HOST PORT/)
    b.type(`/connect 127.0.0.1 ${pa}`)
    await b.waitForLine(`Connected to A (127.0.0.1:${pa}).`)
    b.type('after connect')
    await a.waitForLine(`[B (127.0.0.1:${pb}) said]: after connect`)
    // Nothing but that one message reached A: not the bad commands, not the empty line.
    expect(a.lines.filter((l) => l.startsWith('['))).to.deep.equal([`[B (127.0.0.1:${pb}) said]: after connect`])
  })

  it('starts anyway when a --join peer is unreachable, says so, and keeps running', async () => {
    const [pa, dead] = await Promise.all([freePort(), freePort()])
    const a = await startNode('A', pa, ['--join', `127.0.0.1:${dead}`])
    await a.waitForLine(`Could not connect: 127.0.0.1:${dead} refused the connection: is a chat node running there?`)
    a.type('/peers')
    await a.waitForLine('No peers connected.')
    a.type('/quit')
    expect((await a.exited).code).to.equal(0)
  })

  it('leaves gracefully on SIGTERM and SIGINT with exit code 0 and a flushed history', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const port = await freePort()
      const node = await startNode('S', port)
      node.type('before the signal')
      await node.waitForLine('You: before the signal')
      expect(await node.kill(signal)).to.deep.equal({code: 0, signal: null})
      // frame_stored: the signed message, kept for reconciliation after a restart (docs/sync.md).
      const events = historyOf(logs.path, port).map((e) => e.event)
      expect(events, signal).to.deep.equal(['session_start', 'frame_stored', 'message_sent', 'session_end'])
    }
  })

  it('keeps its history file private (0600), tightens a world-readable one, and writes none with --no-log', async () => {
    const [pa, pb, pc] = await Promise.all([freePort(), freePort(), freePort()])
    const a = await startNode('A', pa)
    a.type('private by default')
    await a.waitForLine('You: private by default')
    a.type('/quit')
    await a.exited
    expect(statSync(join(logs.path, `chat_history_${pa}.log`)).mode & 0o777).to.equal(0o600)

    const loose = join(logs.path, `chat_history_${pb}.log`)
    writeFileSync(loose, '')
    chmodSync(loose, 0o644)
    const b = await startNode('B', pb)
    await b.waitForLine(
      `The history file ${loose} was readable by other users (mode 0644); now only you can read it (0600).`,
      {stream: 'err'},
    )
    expect(statSync(loose).mode & 0o777).to.equal(0o600)

    const c = await startNode('C', pc, ['--no-log'], 'pt')
    c.type('nada em disco')
    c.type('/history')
    await c.waitForLine('O histórico está desligado (--no-log): nada é gravado em disco.')
    c.type('/quit')
    expect(await c.exited).to.deep.equal({code: 0, signal: null})
    expect(readdirSync(logs.path).filter((file) => file.includes(String(pc)))).to.deep.equal([])
  })

  it('shows /me as an action line on every node, logs it as one, and log tail prints it so', async () => {
    const [pa, pb] = await Promise.all([freePort(), freePort()])
    const a = await startNode('Ana', pa)
    const b = await startNode('Bia', pb, ['--join', `127.0.0.1:${pa}`])
    await a.waitForLine(`* Bia (127.0.0.1:${pb}) joined.`)
    b.type('/me waves')
    b.type('* Bia waves')
    await a.waitForLine(`[Bia (127.0.0.1:${pb}) said]: * Bia waves`)
    expect(a.lines).to.include('* Bia waves')
    expect(b.lines).to.include('* Bia waves')
    b.type('/quit')
    await b.exited
    a.type('/quit')
    await a.exited
    const received = historyOf(logs.path, pa).filter((e) => e.event === 'message_received')
    expect(received.map((e) => [e.text, e.kind])).to.deep.equal([
      ['waves', 'action'],
      ['* Bia waves', undefined],
    ])
    const tail = await runChat(['log', 'tail', '--port', String(pa), '--log-dir', logs.path])
    expect(tail.stdout).to.match(/ {2}\* Bia waves\n/)
    expect(tail.stdout).to.include(`  Bia (127.0.0.1:${pb}): * Bia waves`)
    const own = await runChat(['log', 'tail', '--port', String(pb), '--log-dir', logs.path])
    expect(own.stdout).to.match(/ {2}\* Bia waves\n/)
  })

  it('keeps its name beside its identity file, for chat send', async () => {
    const key = join(logs.path, 'julia.pem')
    const a = await startNode('Julia Souza', await freePort(), ['--identity', key])
    a.type('/peers')
    await a.waitForLine('No peers connected.')
    expect(readFileSync(join(logs.path, 'julia.name'), 'utf8')).to.equal('Julia Souza\n')
  })

  it('keeps running when stdin ends (a script that only listens)', async () => {
    const [pa, pb] = await Promise.all([freePort(), freePort()])
    const a = await startNode('A', pa)
    a.child.stdin.end()
    const b = await startNode('B', pb, ['--join', `127.0.0.1:${pa}`])
    b.type('still listening?')
    await a.waitForLine(`[B (127.0.0.1:${pb}) said]: still listening?`)
    expect(a.child.exitCode).to.equal(null)
  })

  it('prints NDJSON events with --json', async () => {
    const [pa, pb] = await Promise.all([freePort(), freePort()])
    const a = nodes.track(
      new ChatProcess(['start', '--port', String(pa), '--name', 'A', '--log-dir', logs.path, '--json']),
    )
    const ready = JSON.parse(await a.waitForLine(/"event":"ready"/)) as Record<string, unknown>
    expect(ready).to.include({event: 'ready', name: 'A', host: '127.0.0.1', port: pa})
    expect(ready.id).to.be.a('string')
    const b = await startNode('B', pb, ['--join', `127.0.0.1:${pa}`])
    const joined = JSON.parse(await a.waitForLine(/"event":"peer_joined"/)) as Record<string, unknown>
    expect(joined).to.include({name: 'B', port: pb})
    b.type('json please')
    const message = JSON.parse(await a.waitForLine(/"event":"message"/)) as Record<string, unknown>
    expect(message).to.include({event: 'message', text: 'json please'})
    expect(message.from).to.include({name: 'B', host: '127.0.0.1', port: pb})
    expect(message.id).to.match(/^[0-9a-f]{32}$/)
    expect(message.ts).to.be.a('number')
    for (const line of a.lines) expect(() => JSON.parse(line), line).to.not.throw()
  })

  it('neutralises bidi overrides and escape sequences from a peer on every output path', async () => {
    // A received text must not reorder or recolour what a terminal shows, whether it is printed by the REPL, by
    // --json, written to the history file, or printed by `log tail` (readable and --json). Scripts still get it exact.
    const text = 'evil\u202Etxt.exe \u2066x\u2069 \u001B[31mred\u001B[0m'
    const shown = 'evil\uFFFDtxt.exe \uFFFDx\uFFFD red'
    const unsafe = /[\u001B\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/
    const [pa, pj] = await Promise.all([freePort(), freePort()])
    const json = nodes.track(
      new ChatProcess(['start', '--port', String(pj), '--name', 'J', '--log-dir', logs.path, '--json']),
    )
    await json.waitForLine(/"event":"ready"/)
    const human = await startNode('A', pa, ['--join', `127.0.0.1:${pj}`])
    await json.waitForLine(/"event":"peer_joined"/)
    human.type(text)
    json.type(text)
    const event = await json.waitForLine(/"event":"message"/)
    expect(event).to.not.match(unsafe)
    expect(JSON.parse(event)).to.include({text})
    expect(await human.waitForLine(`[J (127.0.0.1:${pj}) said]: ${shown}`)).to.not.match(unsafe)
    human.type('/quit')
    json.child.stdin.end()
    await human.exited
    await json.kill()
    for (const port of [pa, pj]) {
      const file = readFileSync(join(logs.path, `chat_history_${port}.log`), 'utf8')
      expect(file, `history file of ${port}`).to.not.match(unsafe)
      expect(
        historyOf(logs.path, port)
          .filter((e) => e.event === 'message_received')
          .map((e) => e.text),
      ).to.deep.equal([text])
      const readable = await runChat(['log', 'tail', '--port', String(port), '--log-dir', logs.path])
      expect(readable.stdout, `log tail of ${port}`).to.not.match(unsafe)
      expect(readable.stdout).to.include(`: ${shown}`)
      const raw = await runChat(['log', 'tail', '--json', '--port', String(port), '--log-dir', logs.path])
      expect(raw.stdout, `log tail --json of ${port}`).to.not.match(unsafe)
      expect(
        raw.stdout
          .split('\n')
          .map((line) => JSON.parse(line) as HistoryLine)
          .filter((e) => e.event === 'message_received')
          .map((e) => e.text),
      ).to.deep.equal([text])
    }
  })

  it('disconnects a peer that sends garbage, with a logged reason, and keeps serving the others', async () => {
    const [pa, pb] = await Promise.all([freePort(), freePort()])
    const a = await startNode('A', pa)
    const b = await startNode('B', pb, ['--join', `127.0.0.1:${pa}`])
    const attacker = netConnect(pa, '127.0.0.1')
    attacker.on('error', () => {})
    attacker.resume()
    const huge = Buffer.alloc(4)
    huge.writeUInt32BE(0xff_ff_ff_ff)
    attacker.write(huge)
    await new Promise((resolve) => {
      attacker.on('close', resolve)
    })
    await a.waitForLine(/^warning: a connection from 127\.0\.0\.1:\d+ does not speak the chat protocol\.$/, {
      stream: 'err',
    })
    b.type('after the garbage')
    await a.waitForLine(`[B (127.0.0.1:${pb}) said]: after the garbage`)
  })
})

describe('chat start: bad input (integration)', function () {
  this.timeout(30_000)
  let blocker: Server | undefined

  afterEach(() => {
    blocker?.close()
    blocker = undefined
  })

  it('refuses a bad flag with a sentence on stderr, not a stack trace', async () => {
    // The other bad flags are checked in process (test/integration/commands.test.ts); this one checks the real output.
    const result = await runChat(['start', '--name', 'X', '--join', 'nohost'])
    expect(result.code).to.equal(2)
    expect(result.stderr).to.match(/expected HOST:PORT/)
    expect(result.stderr).to.not.match(/\n\s+at /)
  })

  for (const [what, name, message] of [
    ['an empty --name', '  ', /Parsing --name[\s\S]*a name must be 1 to 64 printable characters \(it is empty\)/],
    [
      'a --name too long',
      'x'.repeat(65),
      /Parsing --name[\s\S]*a name must be 1 to 64 printable characters \(it has 65\)/,
    ],
  ] as const) {
    it(`names the flag for ${what}, exit 2`, async () => {
      for (const args of [
        ['start', '--name', name],
        ['send', '--join', '127.0.0.1:1', '--name', name, 'hi'],
      ]) {
        const result = await runChat(args)
        expect(result.code, args[0]).to.equal(2)
        expect(result.stderr, args[0]).to.match(message)
      }
    })
  }

  it("refuses a --log-dir that is a file (or under one) at start, exit 2, in the reader's language", async () => {
    const dir = tempDir()
    try {
      const file = join(dir.path, 'not-a-dir')
      writeFileSync(file, 'x')
      for (const [logDir, message] of [
        [file, 'is a file, not a directory'],
        [join(file, 'sub'), 'is under a file, not a directory'],
      ]) {
        const result = await runChat(['start', '--name', 'X', '--port', String(await freePort()), '--log-dir', logDir])
        expect(result.code).to.equal(2)
        expect(result.stderr.replaceAll(/\s*\n\s*(›\s*)?/g, ' ')).to.include(`--log-dir ${logDir} ${message}`)
      }

      const pt = await runChat([
        'start',
        '--name',
        'X',
        '--port',
        String(await freePort()),
        '--log-dir',
        file,
        '--lang',
        'pt',
      ])
      expect(pt.code).to.equal(2)
      expect(pt.stderr.replaceAll(/\s*\n\s*(›\s*)?/g, ' ')).to.include(
        `--log-dir ${file} é um arquivo, não um diretório`,
      )
    } finally {
      dir.remove()
    }
  })

  it('says which port is already in use', async () => {
    blocker = createServer()
    const port = await freePort()
    await new Promise<void>((resolve) => {
      blocker!.listen(port, '127.0.0.1', resolve)
    })
    const result = await runChat(['start', '--name', 'X', '--port', String(port)])
    expect(result.code).to.equal(2)
    expect(result.stderr).to.include(`port ${port} on 127.0.0.1 is already in use`)
    const pt = await runChat(['start', '--name', 'X', '--port', String(port), '--lang', 'pt'])
    expect(pt.code).to.equal(2)
    expect(pt.stderr.replaceAll(/\s*›\s*/g, ' ')).to.include(
      `a porta ${port} em 127.0.0.1 já está em uso: escolha outra com --port`,
    )
  })
})
