import {expect} from 'chai'
import {EventEmitter} from 'node:events'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {PassThrough} from 'node:stream'

import type {HistoryMessage} from '../../src/history/reader.js'
import type {
  ChatMessage,
  ChatNodeEvents,
  DirectMessage,
  NodeInfo,
  PeerSummary,
  RosterEntry,
} from '../../src/p2p/types.js'
import type {ReplNode} from '../../src/repl/types.js'

import {ChatNodeError} from '../../src/p2p/errors.js'
import {fingerprint, generateIdentity} from '../../src/p2p/identity.js'
import {formatClock} from '../../src/repl/format.js'
import {catalogs, helpLines, type Lang} from '../../src/repl/i18n.js'
import {Repl, type ReplOptions} from '../../src/repl/repl.js'
import {ansiStyle} from '../../src/repl/style.js'
import {displayWidth} from '../../src/repl/width.js'

const CLEAR_LINE = '\u001B[2K\u001B[1G'
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/

const JULIA: NodeInfo = {id: 'julia-id', name: 'Julia', host: '127.0.0.1', port: 5000}
const PEDRO: NodeInfo = {id: 'pedro-id', name: 'Pedro', host: '127.0.0.1', port: 5001}
const ANA: NodeInfo = {id: 'ana-id', name: 'Ana', host: '127.0.0.1', port: 5002}

const summary = (info: NodeInfo, direction: 'inbound' | 'outbound' = 'outbound'): PeerSummary => ({
  ...info,
  direction,
  since: 1_764_000_000_000,
  transport: 'tcp',
})

function codedError(code: string, message: string): Error {
  return Object.assign(new Error(message), {code})
}

/** A node that records what the REPL asks of it; events are emitted by the test. */
class FakeNode extends EventEmitter<ChatNodeEvents> implements ReplNode {
  readonly info = JULIA
  readonly sent: string[] = []
  readonly connects: Array<{host: string; port: number}> = []
  peerList: PeerSummary[] = []
  connectImpl: (host: string, port: number) => Promise<PeerSummary> = async () => summary(PEDRO)
  /** Messages come back flagged as held, as the real node does with no peer connected. */
  alone = false
  #n = 0
  readonly actions: string[] = []

  send(text: string, options: {action?: boolean} = {}): ChatMessage {
    if (text.length > 4000) {
      throw new ChatNodeError({code: 'too_long', length: text.length, limit: 4000})
    }

    if (options.action) this.actions.push(text)
    else this.sent.push(text)
    this.#n += 1
    return {
      id: `m${this.#n}`,
      from: this.info,
      text,
      ts: 1_764_000_000_000 + this.#n,
      ...(options.action ? {action: true} : {}),
      ...(this.alone ? {held: true as const} : {}),
    }
  }

  connect(host: string, port: number): Promise<PeerSummary> {
    this.connects.push({host, port})
    return this.connectImpl(host, port)
  }

  peers(): PeerSummary[] {
    return this.peerList
  }

  rosterList: RosterEntry[] = []

  roster(): RosterEntry[] {
    return this.rosterList
  }

  known: NodeInfo[] = []
  readonly directs: Array<{text: string; to: string}> = []

  directory(): NodeInfo[] {
    return this.known
  }

  sendDirect(to: string, text: string): DirectMessage {
    this.directs.push({to, text})
    const recipient = this.known.find((n) => n.id === to)!
    return {id: `d${this.directs.length}`, from: this.info, to: recipient, text, ts: 1_764_000_000_000}
  }

  subscriptions(): number {
    return (['ready', 'message', 'peer_joined', 'peer_left', 'warning', 'direct'] as const).reduce(
      (sum, event) => sum + this.listenerCount(event),
      0,
    )
  }
}

/** A PassThrough whose text can be awaited line by line. */
class Capture {
  readonly stream = new PassThrough()
  text = ''
  readonly #waiters = new Set<() => void>()

  constructor() {
    this.stream.setEncoding('utf8')
    this.stream.on('data', (chunk: string) => {
      this.text += chunk
      for (const check of this.#waiters) check()
    })
  }

  /** Complete lines written so far. */
  get lines(): string[] {
    return this.text.split('\n').slice(0, -1)
  }

  until(predicate: (capture: Capture) => boolean): Promise<void> {
    return new Promise((resolve) => {
      const check = (): void => {
        if (!predicate(this)) return
        this.#waiters.delete(check)
        resolve()
      }

      this.#waiters.add(check)
      check()
    })
  }

  line(expected: string): Promise<void> {
    return this.until((capture) => capture.lines.includes(expected))
  }

  /** Resolves with the first line matching `pattern`. */
  async matching(pattern: RegExp): Promise<string> {
    await this.until((capture) => capture.lines.some((l) => pattern.test(l)))
    return this.lines.find((l) => pattern.test(l))!
  }

  /** Lines as a terminal would leave them: whatever came before the last "erase line" on each is gone. */
  get screen(): string[] {
    return this.lines.map((line) => line.split(CLEAR_LINE).at(-1) ?? '')
  }

  /** Resolves when a line, as the terminal shows it, equals `expected`. */
  shown(expected: string): Promise<void> {
    return this.until((capture) => capture.screen.includes(expected))
  }
}

/** Resolves true if the promise settled by the time the event loop has gone round once more. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false
  void promise.then(() => {
    done = true
  })
  await new Promise((resolve) => {
    setImmediate(resolve)
  })
  return done
}

function deferred<T>(): {promise: Promise<T>; resolve(value: T): void; reject(error: unknown): void} {
  let resolve!: (value: T) => void
  let reject!: (error: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return {promise, resolve, reject}
}

interface Harness {
  node: FakeNode
  repl: Repl
  input: PassThrough
  out: Capture
  err: Capture
  type(...lines: string[]): void
}

const open: Repl[] = []

/** Extra Repl options a test may set. */
type Extra = Partial<
  Pick<ReplOptions, 'color' | 'timestamps' | 'quiet' | 'historyDir' | 'readHistory' | 'now' | 'lang'>
>

function harness(options: {lang?: Lang; json?: boolean; start?: boolean} & Extra = {}): Harness {
  const node = new FakeNode()
  const input = new PassThrough()
  const out = new Capture()
  const err = new Capture()
  const repl = new Repl({
    node,
    lang: options.lang ?? 'en',
    json: options.json ?? false,
    name: 'Julia',
    input,
    output: out.stream,
    errorOutput: err.stream,
    color: options.color,
    timestamps: options.timestamps,
    quiet: options.quiet,
    readHistory: options.readHistory,
    now: options.now,
  })
  open.push(repl)
  if (options.start ?? true) repl.start()
  return {node, repl, input, out, err, type: (...lines) => input.write(lines.map((line) => `${line}\n`).join(''))}
}

// eslint-disable-next-line mocha/no-top-level-hooks -- closes what this file's harness opened, whichever suite ran
afterEach(() => {
  for (const repl of open.splice(0)) repl.close()
})

describe('Repl over piped input (not a TTY)', function () {
  this.timeout(2000)

  it('does not use the prompt', () => {
    const {repl} = harness()
    expect(repl.interactive).to.equal(false)
  })

  it('shows the ready hint when the node is ready, even before start()', async () => {
    const {node, out} = harness({lang: 'pt', start: false})
    node.emit('ready', JULIA)
    await out.line('Interface pronta. Digite /help para ver os comandos disponíveis.')
  })

  it('sends a typed line and shows it as your own', async () => {
    const {node, out, type} = harness()
    type('hi there')
    await out.line('You: hi there')
    expect(node.sent).to.deep.equal(['hi there'])
  })

  for (const [lang, notice, released] of [
    [
      'en',
      '  (nobody is connected: it will be sent when a peer connects)',
      '* 1 held message was sent (through Pedro (127.0.0.1:5001)).',
    ],
    [
      'pt',
      '  (ninguém está conectado: será enviada quando um peer conectar)',
      '* 1 mensagem guardada foi enviada (via Pedro (127.0.0.1:5001)).',
    ],
  ] as const) {
    it(`says (${lang}) that a message typed while nobody is connected is kept, and when it is sent`, async () => {
      const {node, out, type} = harness({lang})
      node.alone = true
      type('anyone?')
      await out.line(notice)
      node.emit('held_released', {sent: 1, dropped: 0, to: PEDRO})
      await out.line(released)
    })
  }

  it('says how many held messages could not be delivered', async () => {
    const {node, out} = harness()
    node.emit('held_released', {sent: 0, dropped: 3, to: PEDRO})
    await out.line(
      '* 3 held messages were not delivered: they waited more than 5 minutes (or were more than 256), and peers refuse messages that old.',
    )
  })

  it('shows own lines in Portuguese', async () => {
    const {node, out, type} = harness({lang: 'pt'})
    type('ola')
    await out.line('Você: ola')
    expect(node.sent).to.deep.equal(['ola'])
  })

  it('keeps CRLF input clean', async () => {
    const {node, out, input} = harness()
    input.write('hi\r\n/peers\r\n')
    await out.line('No peers connected.')
    expect(node.sent).to.deep.equal(['hi'])
  })

  it('shows a received message exactly', async () => {
    const {node, out} = harness()
    node.emit('message', {id: 'x1', from: PEDRO, text: 'hi', ts: 1})
    await out.line('[Pedro (127.0.0.1:5001) said]: hi')
    expect(out.lines).to.deep.equal(['[Pedro (127.0.0.1:5001) said]: hi'])
  })

  it('shows a received message in Portuguese', async () => {
    const {node, out} = harness({lang: 'pt'})
    node.emit('message', {id: 'x1', from: PEDRO, text: 'ola', ts: 1})
    await out.line('[Pedro (127.0.0.1:5001) disse]: ola')
  })

  it('does not show its own message twice if the node reports it', async () => {
    const {node, out} = harness()
    node.emit('message', {id: 'own', from: JULIA, text: 'echo', ts: 1})
    node.emit('message', {id: 'x2', from: ANA, text: 'next', ts: 2})
    await out.line('[Ana (127.0.0.1:5002) said]: next')
    expect(out.text).not.to.include('echo')
  })

  it('says a peer lost to the network was lost and is being retried, not that it left', async () => {
    for (const [lang, line] of [
      ['en', '* Lost Ana (127.0.0.1:5002): heartbeat timeout (silent for more than 15 s); retrying.'],
      [
        'pt',
        '* Conexão com Ana (127.0.0.1:5002) perdida: sem resposta (em silêncio por mais de 15 s); tentando de novo.',
      ],
    ] as const) {
      const {node, out} = harness({lang})
      node.emit('peer_left', {...ANA, reason: 'heartbeat timeout (silent for more than 15 s)', reasonCode: 'heartbeat'})
      await out.line(line)
      node.emit('peer_left', {...PEDRO, reason: 'quit', reasonCode: 'quit'})
      await out.until((capture) => capture.lines.length === 2)
      expect(out.lines[1]).to.not.match(/retrying|tentando/)
    }
  })

  it('shows peers joining and leaving', async () => {
    const {node, out} = harness({lang: 'pt'})
    node.emit('peer_joined', summary(PEDRO, 'inbound'))
    node.emit('peer_left', {...PEDRO, reason: 'quit'})
    node.emit('peer_left', {...ANA, reason: 'connection refused'})
    await out.line('* Ana (127.0.0.1:5002) saiu (conexão recusada).')
    expect(out.lines).to.deep.equal([
      '* Pedro (127.0.0.1:5001) entrou.',
      '* Pedro (127.0.0.1:5001) saiu (encerrou a sessão).',
      '* Ana (127.0.0.1:5002) saiu (conexão recusada).',
    ])
  })

  it('lists peers by their listening addresses', async () => {
    const {node, out, type} = harness()
    node.peerList = [summary(PEDRO, 'inbound'), summary(ANA)]
    type('/peers')
    await out.line('  Ana (127.0.0.1:5002) ?')
    // The fake ids are not keys, so their fingerprints show as "?".
    expect(out.lines).to.deep.equal(['Connected peers (2):', '  Pedro (127.0.0.1:5001) ?', '  Ana (127.0.0.1:5002) ?'])
  })

  it('lists the room with /who and /names: direct or via peers, and when last heard of', async () => {
    const {node, out, type} = harness({now: () => new Date(2026, 10, 25, 18, 0).getTime()})
    type('/who')
    await out.line('Nobody else in the room, as far as this node knows.')
    const lastSeen = new Date(2026, 10, 25, 17, 42).getTime()
    node.rosterList = [
      {...ANA, direct: false, present: true, lastSeen},
      {...PEDRO, direct: true, present: true, lastSeen},
    ]
    type('/names')
    await out.line('In the room besides you (2):')
    await out.line('  Pedro (127.0.0.1:5001) ? direct, last seen 17:42')
    expect(out.lines.slice(-3)).to.deep.equal([
      'In the room besides you (2):',
      '  Ana (127.0.0.1:5002) ? via peers, last seen 17:42',
      '  Pedro (127.0.0.1:5001) ? direct, last seen 17:42',
    ])
  })

  for (const [lang, lines] of [
    [
      'en',
      [
        '* Ana joined the room.',
        '* Ana left the room.',
        '* Ana left the room (not heard of for 25 minutes).',
        '* The room in the last 10 s: 12 joined, 3 left (see /who).',
      ],
    ],
    [
      'pt',
      [
        '* Ana entrou na sala.',
        '* Ana saiu da sala.',
        '* Ana saiu da sala (sem notícias há 25 minutos).',
        '* Movimento na sala nos últimos 10 s: 12 entraram, 3 saíram (veja /who).',
      ],
    ],
  ] as const) {
    it(`shows (${lang}) joins and leaves of the room, and the churn summed up`, async () => {
      const {node, out} = harness({lang})
      const ana = {...ANA, direct: false, present: true, lastSeen: 1}
      node.emit('room_joined', ana)
      node.emit('room_left', {...ana, present: false, reason: 'quit'})
      node.emit('room_left', {...ana, present: false, reason: 'timeout'})
      node.emit('room_churn', {joined: 12, left: 3})
      await out.line(lines[3])
      expect(out.lines).to.deep.equal(lines)
    })
  }

  it('sends /msg to the one node of that name, and explains unknown and ambiguous names', async () => {
    const {node, out, type} = harness()
    const pedro = {...PEDRO, id: generateIdentity().id}
    const otherPedro = {...PEDRO, port: 5009, id: generateIdentity().id}
    type('/msg Pedro hi')
    await out.matching(/^Nobody called Pedro is known yet/)
    node.known = [pedro, ANA]
    type('/msg pedro  hello   there ')
    await out.line('[you → Pedro]: hello   there')
    expect(node.directs).to.deep.equal([{to: pedro.id, text: 'hello   there'}])
    node.known = [pedro, otherPedro, ANA]
    type('/msg Pedro again')
    const ambiguous = await out.matching(/^"Pedro" could mean more than one node: /)
    expect(ambiguous).to.include(fingerprint(pedro.id)).and.to.include(fingerprint(otherPedro.id))
    expect(ambiguous).to.include('Nothing was sent')
    type(`/msg ${fingerprint(otherPedro.id)} by key`)
    await out.line('[you → Pedro]: by key')
    expect(node.directs.at(-1)).to.deep.equal({to: otherPedro.id, text: 'by key'})
    type('/msg Pedro')
    await out.matching(/^Usage: \/msg NAME TEXT/)
    node.emit('direct', {id: 'x', from: pedro, to: JULIA, text: 'psst', ts: Date.now()})
    await out.line('[Pedro → you]: psst')
    expect(node.sent).to.deep.equal([])
  })

  it('never sends /msg Ana Maria to Ana: refuses, lists both with fingerprints, takes the quoted name', async () => {
    const {node, out, type} = harness()
    const ana = {...ANA, id: generateIdentity().id}
    const anaMaria = {...ANA, name: 'Ana Maria', port: 5003, id: generateIdentity().id}
    node.known = [ana, anaMaria]
    type('/msg Ana Maria hello')
    const refused = await out.matching(/could mean more than one node/)
    expect(refused).to.equal(
      `"Ana" could mean more than one node: Ana (127.0.0.1:5002) ${fingerprint(ana.id)}, Ana Maria (127.0.0.1:5003) ${fingerprint(anaMaria.id)}. ` +
        'Nothing was sent: put the name in quotes (/msg "Ana Maria" TEXT) or use the fingerprint (/msg ab12:cd34 TEXT).',
    )
    expect(node.directs).to.deep.equal([])
    type('/msg "Ana Maria" hello')
    await out.line('[you → Ana Maria]: hello')
    type('/msg "Ana" Maria hello')
    await out.line('[you → Ana]: Maria hello')
    expect(node.directs).to.deep.equal([
      {to: anaMaria.id, text: 'hello'},
      {to: ana.id, text: 'Maria hello'},
    ])
  })

  it('says so in Portuguese and in --json when a /msg is ambiguous', async () => {
    const pt = harness({lang: 'pt'})
    pt.node.known = [
      {...ANA, id: generateIdentity().id},
      {...ANA, name: 'Ana Maria', port: 5003, id: generateIdentity().id},
    ]
    pt.type('/msg Ana Maria oi')
    await pt.out.matching(/^"Ana" pode ser mais de um nó: .*Nada foi enviado/)
    const json = harness({json: true})
    json.node.known = pt.node.known
    json.type('/msg Ana Maria oi')
    const line = await json.out.matching(/ambiguous_recipient/)
    expect(JSON.parse(line)).to.include({event: 'error', code: 'ambiguous_recipient'})
    expect([...pt.node.directs, ...json.node.directs]).to.deep.equal([])
  })

  it('flags a name used by a second identity key, once, and marks history messages', async () => {
    const {node, out} = harness()
    const real = generateIdentity()
    const impostor = generateIdentity()
    node.emit('message', {id: '1', from: {...PEDRO, id: real.id}, text: 'hi', ts: Date.now()})
    node.emit('message', {id: '2', from: {...PEDRO, id: impostor.id}, text: 'hi again', ts: Date.now()})
    node.emit('message', {id: '3', from: {...PEDRO, id: impostor.id}, text: 'and again', ts: Date.now()})
    await out.line('[Pedro (127.0.0.1:5001) said]: and again')
    const clashes = out.lines.filter((l) => l.startsWith('! The name "Pedro"'))
    expect(clashes).to.deep.equal([
      `! The name "Pedro" is used by different keys (${fingerprint(real.id)}, ${fingerprint(impostor.id)}): check with /peers who is who.`,
    ])
    node.emit('message', {id: '4', from: ANA, text: 'earlier', ts: new Date(2020, 0, 2, 9, 5).getTime(), history: true})
    await out.line('(history 2020-01-02 09:05) [Ana (127.0.0.1:5002) said]: earlier')
  })

  it("shows a message learned late once, with its author's time, in both languages", async () => {
    for (const [lang, line] of [
      ['en', '(2020-01-02 14:02, late) [Ana (127.0.0.1:5002) said]: while you were away'],
      ['pt', '(2020-01-02 14:02, atrasada) [Ana (127.0.0.1:5002) disse]: while you were away'],
    ] as const) {
      const {node, out} = harness({lang})
      node.emit('message', {
        id: '5',
        from: ANA,
        text: 'while you were away',
        ts: new Date(2020, 0, 2, 14, 2).getTime(),
        late: true,
      })
      await out.line(line)
    }
  })

  it('says when no peer is connected', async () => {
    const {out, type} = harness({lang: 'pt'})
    type('/PEERS')
    await out.line('Nenhum peer conectado.')
  })

  it('prints /help, one line per command, then how to ask about one', async () => {
    const {out, type} = harness()
    type('/help')
    await out.until((capture) => capture.lines.length === 12)
    expect(out.lines.map((line) => line.split(/\s{2,}/)[0])).to.deep.equal([
      '/help [COMMAND]',
      '/connect HOST PORT',
      '/peers',
      '/who',
      '/msg NAME TEXT',
      '/me ACTION',
      '/history [N]',
      '/ignore [NAME]',
      '/unignore NAME',
      '/retry [HOST:PORT]',
      '/quit [TEXT]',
      'Type /help COMMAND for the details of one command.',
    ])
  })

  it('reports an unknown command and never sends it', async () => {
    const {node, out, err, type} = harness()
    type('/foo bar', 'after')
    await out.line('You: after')
    expect(out.lines).to.deep.equal(['Unknown command: /foo. Type /help to see the available commands.', 'You: after'])
    expect(err.text).to.equal('')
    expect(node.sent).to.deep.equal(['after'])
  })

  it('reports an unknown command in Portuguese', async () => {
    const {node, out, type} = harness({lang: 'pt'})
    type('/foo')
    await out.line('Comando desconhecido: /foo. Digite /help para ver os comandos disponíveis.')
    expect(node.sent).to.deep.equal([])
  })

  it('connects with /connect and says so', async () => {
    const {node, out, type} = harness()
    type('/connect 127.0.0.1:5001')
    await out.line('Connected to Pedro (127.0.0.1:5001).')
    expect(node.connects).to.deep.equal([{host: '127.0.0.1', port: 5001}])
  })

  it("reports a failed /connect in the reader's language, by the engine's code", async () => {
    const {node, out, type} = harness({lang: 'pt'})
    node.connectImpl = async (host, port) => {
      if (port === 5009)
        throw new ChatNodeError({
          code: 'unreachable',
          host,
          port,
          failure: {code: 'refused', direction: 'outbound', host, port},
        })
      if (port === 5000) throw new ChatNodeError({code: 'self', host, port})
      throw new Error('something the catalogue does not know')
    }

    type('/connect 127.0.0.1 5009', '/connect 127.0.0.1:5000', '/connect 127.0.0.1:5010')
    await out.line('Não foi possível conectar: something the catalogue does not know')
    expect(out.lines).to.deep.equal([
      'Não foi possível conectar: 127.0.0.1:5009 recusou a conexão: há um nó do chat rodando ali?',
      'Não foi possível conectar: 127.0.0.1:5000 é o endereço deste próprio nó',
      'Não foi possível conectar: something the catalogue does not know',
    ])
  })

  it('answers bad /connect arguments with the usage and does not connect', async () => {
    const {node, out, type} = harness()
    type('/connect 127.0.0.1 70000', '/connect 127.0.0.1 abc', '/connect a b c', 'done')
    await out.line('You: done')
    expect(out.lines).to.deep.equal([
      ...Array.from({length: 3}, () => 'Usage: /connect HOST PORT (port 1-65535)'),
      'You: done',
    ])
    expect(node.connects).to.deep.equal([])
  })

  it('handles lines in order: a message waits for the /connect before it', async () => {
    const {node, out, type} = harness()
    const pending = deferred<PeerSummary>()
    node.connectImpl = () => pending.promise
    type('/connect 127.0.0.1 5001', 'hi')
    await new Promise<void>((resolve) => {
      const poll = (): void => {
        if (node.connects.length > 0) resolve()
        else setImmediate(poll)
      }

      poll()
    })
    expect(await settled(out.line('You: hi'))).to.equal(false)
    expect(node.sent).to.deep.equal([])
    pending.resolve(summary(PEDRO))
    await out.line('You: hi')
    expect(out.lines).to.deep.equal(['Connected to Pedro (127.0.0.1:5001).', 'You: hi'])
  })

  it('translates a refused send', async () => {
    const {node, out, type} = harness({lang: 'pt'})
    type('x'.repeat(4500))
    await out.line('Mensagem longa demais: 4.500 caracteres (o limite é 4.000).')
    expect(node.sent).to.deep.equal([])
  })

  it('prints engine warnings on stderr', async () => {
    const {node, out, err} = harness()
    node.emit('warning', {code: 'protocol_error', message: 'peer 127.0.0.1:5003 sent a bad frame; disconnected'})
    await err.line('warning: peer 127.0.0.1:5003 sent a bad frame; disconnected')
    expect(out.text).to.equal('')
  })

  it('words engine warnings in Portuguese by their code', async () => {
    const {node, err} = harness({lang: 'pt'})
    node.emit('warning', {
      code: 'bad_length',
      message: 'disconnected 127.0.0.1:40022: frame length 21331 is outside 1..1024 (bad_length)',
    })
    await err.line(
      'aviso: desconectado de 127.0.0.1:40022: não fala o protocolo do chat (tamanho de quadro inválido) (bad_length)',
    )
    node.emit('warning', {code: 'send_queue_full', message: 'outgoing queue is full: a message was dropped'})
    await err.line('aviso: a fila de saída está cheia: uma mensagem foi descartada')
  })

  it('resolves done on /quit and handles nothing after it', async () => {
    const {node, repl, type} = harness()
    type('/quit', 'too late')
    await repl.done
    expect(await settled(Promise.resolve())).to.equal(true)
    expect(node.sent).to.deep.equal([])
  })

  it('/quit TEXT sends TEXT as the last message, then leaves', async () => {
    const {node, repl, out, type} = harness()
    type('/quit see you  tomorrow', 'too late')
    await repl.done
    expect(node.sent).to.deep.equal(['see you  tomorrow'])
    expect(out.lines).to.deep.equal(['You: see you  tomorrow'])
  })

  it('does not resolve done at the end of input, and keeps showing the node', async () => {
    const {node, repl, input, out, type} = harness()
    const ended = new Promise((resolve) => {
      input.once('end', resolve)
    })
    type('bye')
    input.end()
    await ended
    await out.line('You: bye')
    expect(await settled(repl.done)).to.equal(false)
    node.emit('message', {id: 'x3', from: PEDRO, text: 'still here', ts: 3})
    await out.line('[Pedro (127.0.0.1:5001) said]: still here')
    expect(await settled(repl.done)).to.equal(false)
  })

  it('neutralises control characters and escape sequences from peers', async () => {
    const {node, out} = harness()
    const evil: NodeInfo = {...PEDRO, name: '\u001B[2J\u001B]0;owned\u0007Ev\u0000il\nX'}
    node.emit('message', {id: 'x4', from: evil, text: 'a\u001B[31mb\rc\u009Bd', ts: 4})
    node.emit('peer_left', {...evil, reason: 'bye\u001B[1A'})
    await out.until((capture) => capture.lines.length === 2)
    for (const line of out.lines) expect(line).not.to.match(CONTROL)
    // `\u009Bd` is a whole (8-bit CSI) sequence, so it goes entirely
    expect(out.lines[0]).to.equal('[Ev\uFFFDil\uFFFDX (127.0.0.1:5001) said]: ab\uFFFDc')
    expect(out.lines[1]).to.equal('* Ev\uFFFDil\uFFFDX (127.0.0.1:5001) left (bye).')
  })

  it('connect() reports success and failure and resolves to a boolean', async () => {
    const {node, repl, out} = harness()
    expect(await repl.connect('127.0.0.1', 5001)).to.equal(true)
    node.connectImpl = async () => {
      throw new Error('could not reach 127.0.0.1:5009: connection refused')
    }

    expect(await repl.connect('127.0.0.1', 5009)).to.equal(false)
    await out.line('Connected to Pedro (127.0.0.1:5001).')
    await out.line('Could not connect: could not reach 127.0.0.1:5009: connection refused')
  })

  it('prints notices (stdout) and problems (stderr) for the command', async () => {
    const {repl, out, err} = harness()
    repl.notice('history at /tmp/x.log')
    repl.error('history', 'history writer restarted')
    await out.line('history at /tmp/x.log')
    await err.line('history writer restarted')
    expect(out.lines).to.deep.equal(['history at /tmp/x.log'])
  })

  it('turns a failing node call into a printed error', async () => {
    const {node, err, out, type} = harness()
    node.peers = () => {
      throw new Error('registry exploded')
    }

    type('/peers', 'still alive')
    await out.line('You: still alive')
    expect(err.lines).to.deep.equal(['registry exploded'])
  })

  it('survives EPIPE on its output', async () => {
    const {node, out, err} = harness()
    expect(() => out.stream.emit('error', codedError('EPIPE', 'write EPIPE'))).not.to.throw()
    node.emit('message', {id: 'x5', from: PEDRO, text: 'into the void', ts: 5})
    node.emit('warning', {code: 'w', message: 'still reported'})
    await err.line('warning: still reported')
    expect(out.text).to.equal('')
  })

  it('close() stops listening, stops reading, resolves done, and can be called twice', async () => {
    const {node, repl, out, type} = harness()
    expect(node.subscriptions()).to.equal(6)
    repl.close()
    repl.close()
    await repl.done
    expect(node.subscriptions()).to.equal(0)
    type('ignored')
    node.emit('message', {id: 'x6', from: PEDRO, text: 'unseen', ts: 6})
    expect(await settled(Promise.resolve())).to.equal(true)
    expect(node.sent).to.deep.equal([])
    expect(out.text).to.equal('')
  })
})

describe('Repl --json', function () {
  this.timeout(2000)

  it('writes only NDJSON events with the documented fields', async () => {
    const {node, out, err, type} = harness({json: true})
    node.peerList = [summary(PEDRO, 'inbound')]
    node.emit('ready', JULIA)
    node.emit('message', {id: 'x1', from: PEDRO, text: 'ola\u001B[31m', ts: 42})
    node.emit('peer_joined', summary(ANA, 'outbound'))
    node.emit('peer_left', {...ANA, reason: 'quit'})
    node.emit('warning', {code: 'protocol_error', message: 'bad frame'})
    type('hi', '/peers', '/help', '/foo', '/connect x', 'last')
    await out.until((capture) => capture.lines.some((line) => line.includes('"text":"last"')))
    expect(err.text).to.equal('')

    const events = out.lines.map((line) => JSON.parse(line) as Record<string, unknown>)
    expect(events.map((event) => event.event)).to.deep.equal([
      'ready',
      'message',
      'peer_joined',
      'peer_left',
      'error',
      'sent',
      'peers',
      'help',
      'error',
      'error',
      'sent',
    ])
    expect(events[0]).to.deep.equal({event: 'ready', ...JULIA})
    expect(events[1]).to.deep.equal({event: 'message', id: 'x1', from: PEDRO, text: 'ola\u001B[31m', ts: 42})
    expect(events[2]).to.deep.equal({event: 'peer_joined', ...ANA, direction: 'outbound', transport: 'tcp'})
    expect(events[3]).to.deep.equal({event: 'peer_left', ...ANA, reason: 'quit'})
    expect(events[4]).to.deep.equal({event: 'error', code: 'protocol_error', message: 'bad frame'})
    expect(events[5]).to.deep.equal({event: 'sent', id: 'm1', text: 'hi', ts: 1_764_000_000_001})
    expect(events[6]).to.deep.equal({event: 'peers', peers: [summary(PEDRO, 'inbound')]})
    expect(events[7].commands).to.have.length(11)
    expect(events[8]).to.deep.equal({
      event: 'error',
      code: 'unknown_command',
      message: 'Unknown command: /foo. Type /help to see the available commands.',
    })
    expect(events[9]).to.include({event: 'error', code: 'usage'})
    // control characters stay data, escaped: nothing raw reaches a terminal
    expect(out.text).not.to.match(CONTROL)
  })

  it('reports /connect outcomes as events', async () => {
    const {node, out, type} = harness({json: true})
    type('/connect 127.0.0.1 5001')
    await out.until((capture) => capture.lines.length === 1)
    node.connectImpl = async () => {
      throw new Error('could not reach 127.0.0.1:5009: connection refused')
    }

    type('/connect 127.0.0.1 5009')
    await out.until((capture) => capture.lines.length === 2)
    expect(out.lines.map((line) => JSON.parse(line) as unknown)).to.deep.equal([
      {event: 'connected', ...PEDRO, direction: 'outbound', transport: 'tcp'},
      {
        event: 'error',
        code: 'connect_failed',
        message: 'Could not connect: could not reach 127.0.0.1:5009: connection refused',
      },
    ])
  })

  it('never shows a prompt, even on a terminal', () => {
    const node = new FakeNode()
    const input = Object.assign(new PassThrough(), {isTTY: true, setRawMode: () => input})
    const output = Object.assign(new PassThrough(), {isTTY: true, columns: 80})
    const repl = new Repl({node, lang: 'en', json: true, input, output, errorOutput: new PassThrough()})
    open.push(repl)
    expect(repl.interactive).to.equal(false)
  })
})

describe('Repl: /me, /help COMMAND, /history, mentions, timestamps', function () {
  this.timeout(2000)

  it('/me sends an action, shown as "* Julia waves", not as a message that says so', async () => {
    const {node, out, type} = harness()
    type('/me waves  hello', '/me')
    await out.line('Usage: /me ACTION (for example: /me waves)')
    expect(node.actions).to.deep.equal(['waves  hello'])
    expect(node.sent).to.deep.equal([])
    expect(out.lines[0]).to.equal('* Julia waves  hello')
  })

  it('shows an action from a peer as its own kind of line, unlike a message typed to look like one', async () => {
    const {node, out} = harness({lang: 'pt'})
    node.emit('message', {id: 'a1', from: PEDRO, text: 'acena', ts: 1, action: true})
    node.emit('message', {id: 'a2', from: PEDRO, text: '* Pedro acena', ts: 2})
    node.emit('message', {id: 'a3', from: PEDRO, text: 'acenou antes', ts: Date.now(), action: true, history: true})
    await out.matching(/acenou antes$/)
    expect(out.lines[0]).to.equal('* Pedro acena')
    expect(out.lines[1]).to.equal('[Pedro (127.0.0.1:5001) disse]: * Pedro acena')
    expect(out.lines[2]).to.match(/^\(histórico \d\d:\d\d\) \* Pedro acenou antes$/)
  })

  it('styles an action apart (italic) when colour is on', async () => {
    const {node, out} = harness({color: true})
    node.emit('message', {id: 'a1', from: PEDRO, text: 'waves', ts: 1, action: true})
    const style = ansiStyle(16)
    await out.line(style.action(`* ${style.name(PEDRO.id, 'Pedro')} waves`))
  })

  it('/help COMMAND explains one command; an unknown one is reported', async () => {
    const {out, type} = harness({lang: 'pt'})
    type('/help connect', '/help nope')
    await out.line('Comando desconhecido: /nope. Digite /help para ver os comandos disponíveis.')
    expect(out.lines[0]).to.equal('/connect HOST PORTA  conecta a outro nó (também aceita HOST:PORT)')
    expect(out.lines[1]).to.match(/^ {2}Conecta ao endereço em que outro nó escuta/)
    expect(out.lines).to.have.length(3)
  })

  it('/history says when no history is available', async () => {
    const {out, type} = harness()
    type('/history')
    await out.line('The history is not available here.')
  })

  it('/history prints the last N messages with their times, sanitised', async () => {
    const asked: number[] = []
    const now = new Date(2026, 10, 25, 18, 0).getTime()
    const entries: HistoryMessage[] = [
      {ts: new Date(2026, 10, 24, 9, 5).toISOString(), from: 'Pedro', fromId: 'pedro-id', text: 'ontem', own: false},
      {ts: new Date(2026, 10, 25, 17, 1).toISOString(), text: 'oi', own: true},
      {ts: new Date(2026, 10, 25, 17, 2).toISOString(), from: 'Ev\u001B[2Jil', text: 'a\nb', own: false},
      // logged at 17:09 (a held message, or replayed history), written by its author at 17:03
      {
        ts: new Date(2026, 10, 25, 17, 9).toISOString(),
        sentTs: new Date(2026, 10, 25, 17, 3).getTime(),
        from: 'Ana',
        text: 'antes',
        own: false,
      },
      {
        ts: new Date(2026, 10, 25, 17, 10).toISOString(),
        sentTs: new Date(2026, 10, 25, 17, 10).getTime(),
        from: 'Ana',
        text: 'acena',
        own: false,
        action: true,
      },
      {ts: new Date(2026, 10, 25, 17, 11).toISOString(), from: 'Julia', text: 'acena também', own: true, action: true},
    ]
    const readHistory = async (count: number): Promise<HistoryMessage[]> => {
      asked.push(count)
      return entries
    }

    const {out, type} = harness({lang: 'pt', readHistory, now: () => now})
    type('/history 6', '/history')
    await out.until((capture) => capture.lines.length === 14)
    expect(asked).to.deep.equal([6, 20])
    expect(out.lines.slice(0, 7)).to.deep.equal([
      'Últimas 6 mensagens:',
      '2026-11-24 09:05 [Pedro disse]: ontem',
      '17:01 Você: oi',
      '17:02 [Evil disse]: a\uFFFDb',
      '17:03 [Ana disse]: antes',
      '17:10 * Ana acena',
      '17:11 * Julia acena também',
    ])
  })

  it('/history reports an empty log, a failed read and a bad N', async () => {
    let fail = false
    const readHistory = async (): Promise<HistoryMessage[]> => {
      if (fail) throw new Error('ENOENT: no such file')
      return []
    }

    const {out, type} = harness({readHistory})
    type('/history', '/history 0')
    await out.line('Usage: /history [N] (N from 1 to 1000)')
    fail = true
    type('/history 2')
    await out.line('Could not read the history: ENOENT: no such file')
    expect(out.lines[0]).to.equal('No messages in the history.')
  })

  it('keeps a mention plain and silent when output is not a terminal', async () => {
    const {node, out} = harness()
    node.emit('message', {id: 'm', from: PEDRO, text: 'hi @Julia', ts: 1})
    await out.line('[Pedro (127.0.0.1:5001) said]: hi @Julia')
    expect(out.text).to.equal('[Pedro (127.0.0.1:5001) said]: hi @Julia\n')
  })

  it("prefixes messages, own lines, joins and leaves with HH:MM when asked: a message by its author's time", async () => {
    const now = new Date(2026, 10, 25, 7, 5).getTime()
    const sent = new Date(2026, 10, 25, 7, 3).getTime()
    const {node, out, type} = harness({timestamps: true, now: () => now})
    node.emit('message', {id: 't1', from: PEDRO, text: 'hi', ts: sent})
    node.emit('direct', {id: 't2', from: PEDRO, to: JULIA, text: 'psst', ts: sent})
    node.emit('peer_joined', summary(ANA))
    node.emit('peer_left', {...ANA, reason: 'quit'})
    type('yo', '/peers')
    await out.line('No peers connected.')
    expect(out.lines).to.deep.equal([
      '07:03 [Pedro (127.0.0.1:5001) said]: hi',
      '07:03 [Pedro → you]: psst',
      '07:05 * Ana (127.0.0.1:5002) joined.',
      '07:05 * Ana (127.0.0.1:5002) left (quit).',
      // the fake node stamps its own messages 1_764_000_000_000 + n
      `${formatClock(1_764_000_000_001)} You: yo`,
      'No peers connected.',
    ])
  })

  it('colours only when asked, even on a pipe (FORCE_COLOR)', async () => {
    const {node, out} = harness({color: true})
    node.emit('message', {id: 'k', from: PEDRO, text: 'hi', ts: 1})
    await out.until((capture) => capture.lines.length === 1)
    expect(out.lines[0]).to.equal(`[${ansiStyle(16).name(PEDRO.id, 'Pedro')} (127.0.0.1:5001) said]: hi`)
  })

  it('marks mentions in JSON, and only there', async () => {
    const readHistory = async (): Promise<HistoryMessage[]> => [
      {ts: '2026-11-25T17:00:00.000Z', from: 'Pedro', text: 'x', own: false},
    ]
    const {node, out, type} = harness({json: true, readHistory})
    node.emit('message', {id: 'j1', from: PEDRO, text: 'hi @JULIA', ts: 1})
    node.emit('message', {id: 'j2', from: PEDRO, text: 'hi @Juliana', ts: 2})
    type('/help me', '/history 1', '/me waves')
    await out.until((capture) => capture.lines.length === 5)
    const events = out.lines.map((line) => JSON.parse(line) as Record<string, unknown>)
    expect(events[0]).to.deep.equal({event: 'message', id: 'j1', from: PEDRO, text: 'hi @JULIA', ts: 1, mention: true})
    expect(events[1]).not.to.have.property('mention')
    expect(events[2]).to.deep.equal({event: 'help', commands: [catalogs.en.help.find((e) => e.command === 'me')]})
    expect(events[3]).to.deep.equal({
      event: 'history',
      messages: [{ts: '2026-11-25T17:00:00.000Z', from: 'Pedro', text: 'x', own: false}],
    })
    expect(events[4]).to.include({event: 'sent', text: 'waves', kind: 'action'})
  })
})

/** A fake terminal: enquirer only needs isTTY and setRawMode on stdin, and columns on stdout. */
function fakeTty(): {
  input: PassThrough & {isTTY: true; isRaw: boolean; setRawMode(mode: boolean): unknown}
  out: Capture
} {
  const input = Object.assign(new PassThrough(), {
    isTTY: true as const,
    isRaw: false,
    setRawMode(mode: boolean) {
      input.isRaw = mode
      return input
    },
  })
  const out = new Capture()
  Object.assign(out.stream, {isTTY: true, columns: 80})
  return {input, out}
}

describe('Repl on a terminal (enquirer prompt)', function () {
  this.timeout(3000)

  function tty(extra: Extra = {}): Harness & {input: ReturnType<typeof fakeTty>['input']} {
    const node = new FakeNode()
    const {input, out} = fakeTty()
    const err = new Capture()
    const repl = new Repl({
      node,
      lang: 'en',
      name: 'Julia',
      input,
      output: out.stream,
      errorOutput: err.stream,
      color: false,
      ...extra,
    })
    open.push(repl)
    repl.start()
    return {node, repl, input, out, err, type: (...lines) => input.write(lines.map((line) => `${line}\r`).join(''))}
  }

  it('shows `Julia> ` in raw mode and sends what is typed', async () => {
    const {node, repl, input, out, type} = tty()
    expect(repl.interactive).to.equal(true)
    await out.until((capture) => capture.text.endsWith('Julia> '))
    expect(input.isRaw).to.equal(true)
    type('hi')
    await out.shown('You: hi')
    expect(node.sent).to.deep.equal(['hi'])
    // the message shows once: `You: hi` takes the place of the typed line, then a fresh prompt
    expect(out.screen).not.to.include('Julia> hi')
    await out.until((capture) => capture.text.endsWith('Julia> '))
    // a command stays in the scrollback above what it printed
    type('/peers')
    await out.shown('No peers connected.')
    expect(out.screen.slice(-2)).to.deep.equal(['Julia> /peers', 'No peers connected.'])
  })

  it('shows /me and /msg once too, in place of the typed line', async () => {
    const {node, out, type} = tty()
    node.known = [PEDRO]
    type('/me waves', '/msg Pedro psst')
    await out.shown('[you → Pedro]: psst')
    expect(out.screen.filter((line) => line !== '' && !line.startsWith('Julia>'))).to.deep.equal([
      '* Julia waves',
      '[you → Pedro]: psst',
    ])
    expect(out.screen.some((line) => line.startsWith('Julia> /'))).to.equal(false)
  })

  it('wraps a long message between words, under the start of its text', async () => {
    const {node, out} = tty()
    const words = Array.from({length: 30}, (_, i) => `word${i + 1}`).join(' ')
    node.emit('message', {id: 'w', from: PEDRO, text: words, ts: 1})
    await out.until((capture) => capture.text.includes('word30'))
    const rows = out.screen.filter((line) => line.includes('word'))
    const indent = '[Pedro (127.0.0.1:5001) said]: '.length
    expect(rows.length).to.be.greaterThan(1)
    expect(rows[0].startsWith('[Pedro (127.0.0.1:5001) said]: word1 ')).to.equal(true)
    for (const row of rows) expect(row.length).to.be.at.most(80)
    for (const row of rows.slice(1)) expect(row).to.match(new RegExp(`^ {${indent}}word\\d`))
    expect(rows.map((row) => row.trim()).join(' ')).to.equal(`[Pedro (127.0.0.1:5001) said]: ${words}`)
  })

  it('moves by word with Alt+B/F, Ctrl+←/→ and Alt+←/→', async () => {
    const {node, input, out, type} = tty()
    input.write('oi Ana tudo')
    await out.until((capture) => capture.text.endsWith('Julia> oi Ana tudo'))
    // Alt+B twice: before "Ana"; typing there inserts
    input.write('\u001Bb\u001Bb')
    input.write('X')
    // Ctrl+→ to the end of "XAna", Alt+F to the end of the line, Ctrl+← to "tudo", Alt+← to "XAna", Alt+→ back
    input.write('\u001B[1;5C!')
    input.write('\u001Bf?')
    input.write('\u001B[1;5D\u001B[1;3D\u001B[1;3C-')
    type('')
    await out.shown('You: oi XAna!- tudo?')
    expect(node.sent).to.deep.equal(['oi XAna!- tudo?'])
  })

  it('asks before sending a pasted block of lines, and sends each as a message on Enter', async () => {
    const {node, input, out} = tty()
    await out.until((capture) => capture.text.endsWith('Julia> '))
    expect(out.text).to.include('\u001B[?2004h') // bracketed paste turned on
    input.write('\u001B[200~first line\r/quit not a command\r\rthird\u001B[201~')
    await out.shown('Pasted 3 lines: Enter sends 3 messages, Esc cancels.')
    expect(node.sent).to.deep.equal([])
    input.write('\r')
    await out.shown('You: third')
    expect(node.sent).to.deep.equal(['first line', '/quit not a command', 'third'])
  })

  it('drops a pasted block on Esc, and puts a one-line paste into the line to edit', async () => {
    const {node, input, out, type} = tty()
    await out.until((capture) => capture.text.endsWith('Julia> '))
    input.write('\u001B[200~one\rtwo\u001B[201~')
    await out.shown('Pasted 2 lines: Enter sends 2 messages, Esc cancels.')
    input.write('\u001B')
    await out.shown('Paste cancelled: nothing was sent.')
    input.write('say: \u001B[200~hello there\r\u001B[201~')
    await out.until((capture) => capture.text.endsWith('Julia> say: hello there'))
    expect(node.sent).to.deep.equal([])
    type('!')
    await out.shown('You: say: hello there!')
    expect(node.sent).to.deep.equal(['say: hello there!'])
  })

  it('prints incoming lines above the prompt and redraws what was being typed', async () => {
    const {node, input, out, type} = tty()
    input.write('hel')
    await out.until((capture) => capture.text.endsWith('Julia> hel'))
    const before = out.text.length
    node.emit('message', {id: 'x1', from: PEDRO, text: 'hi', ts: 1})
    await out.until((capture) => capture.text.endsWith('Julia> hel') && capture.text.length > before)
    const drawn = out.text.slice(before)
    // erase the prompt line, write the message on its own line, draw the prompt again with the typed text
    expect(drawn.startsWith(`${CLEAR_LINE}[Pedro (127.0.0.1:5001) said]: hi\n`)).to.equal(true, JSON.stringify(drawn))
    expect(drawn.endsWith('Julia> hel')).to.equal(true)
    type('lo')
    await out.shown('You: hello')
    expect(node.sent).to.deep.equal(['hello'])
  })

  it('treats Ctrl+C as /quit and gives the terminal back', async () => {
    const {repl, input, out} = tty()
    await out.until((capture) => capture.text.endsWith('Julia> '))
    input.write('\u0003')
    await repl.done
    expect(input.isRaw).to.equal(false)
  })

  it('treats Ctrl+D on an empty line as /quit', async () => {
    const {repl, out, input} = tty()
    await out.until((capture) => capture.text.endsWith('Julia> '))
    input.write('\u0004')
    await repl.done
  })

  it('resolves done on /quit and erases the empty prompt', async () => {
    const {repl, input, out, type} = tty()
    await out.until((capture) => capture.text.endsWith('Julia> '))
    type('/quit')
    await repl.done
    expect(input.isRaw).to.equal(false)
    // nothing is drawn after the prompt is gone
    expect(await settled(Promise.resolve())).to.equal(true)
    expect(out.text.endsWith('Julia> ')).to.equal(false)
  })

  it('clears a half-typed line on Ctrl+C without leaving, and leaves on Ctrl+C at an empty line', async () => {
    const {node, repl, input, out} = tty()
    input.write('oops')
    await out.until((capture) => capture.text.endsWith('Julia> oops'))
    input.write('\u0003')
    await out.until((capture) => capture.text.endsWith(`${CLEAR_LINE}Julia> `))
    expect(await settled(repl.done)).to.equal(false)
    input.write('\u0003')
    await repl.done
    expect(node.sent).to.deep.equal([])
    expect(input.isRaw).to.equal(false)
  })

  it('recalls earlier lines with Up and Down, keeping the line being typed', async () => {
    const {input, out, type} = tty()
    type('one', 'two', '/quit-not', 'two')
    await out.shown('You: two')
    input.write('dra')
    await out.until((capture) => capture.text.endsWith('Julia> dra'))
    const up = '\u001B[A'
    const down = '\u001B[B'
    input.write(up)
    await out.until((capture) => capture.text.endsWith('Julia> two'))
    input.write(up)
    // "two" was typed twice: it is remembered once, as the newest
    await out.until((capture) => capture.text.endsWith('Julia> /quit-not'))
    input.write(up)
    await out.until((capture) => capture.text.endsWith('Julia> one'))
    input.write(down + down + down)
    await out.until((capture) => capture.text.endsWith('Julia> dra'))
  })

  it('keeps typed lines for the next session in historyDir, without /quit', async () => {
    const historyDir = mkdtempSync(join(tmpdir(), 'chat-repl-history-'))
    try {
      const first = tty({historyDir})
      first.type('remember me', '/quit')
      await first.repl.done
      const second = tty({historyDir})
      await second.out.until((capture) => capture.text.endsWith('Julia> '))
      second.input.write('\u001B[A')
      await second.out.until((capture) => capture.text.endsWith('Julia> remember me'))
    } finally {
      rmSync(historyDir, {recursive: true, force: true})
    }
  })

  it('completes with Tab, and lists the choices when it cannot decide', async () => {
    const {node, input, out} = tty()
    node.peerList = [summary(PEDRO), summary(ANA)]
    input.write('/pe\t')
    await out.until((capture) => capture.text.endsWith('Julia> /peers '))
    input.write('\u0015@\t')
    await out.until((capture) => capture.screen.includes('@Pedro  @Ana'))
    input.write('a\t')
    await out.until((capture) => capture.text.endsWith('Julia> @Ana '))
  })

  it('completes the 256 most recent authors, most recent first, and forgets older ones', async () => {
    const {node, input, out} = tty()
    const author = (i: number): NodeInfo => ({
      id: `u${i}-id`,
      name: `u${String(i).padStart(3, '0')}`,
      host: '127.0.0.1',
      port: 6000 + i,
    })
    for (let i = 0; i <= 256; i++) node.emit('message', {id: `n${i}`, from: author(i), text: 'hi', ts: i})
    // u001 speaks again: it becomes the most recent, u002 is now the oldest kept.
    node.emit('message', {id: 'n1-again', from: author(1), text: 'hi again', ts: 300})
    input.write('@u00\t')
    await out.until((capture) => capture.screen.some((line) => line.startsWith('@u001  @u009  @u008')))
    expect(out.text).to.not.include('@u000')
  })

  it('keeps the typed line whole under a burst of 50 messages, one write per message', async () => {
    const {node, input, out} = tty()
    input.write('half typ')
    await out.until((capture) => capture.text.endsWith('Julia> half typ'))
    const writes: string[] = []
    out.stream.on('data', (chunk: string) => writes.push(chunk))
    for (let i = 1; i <= 50; i++) node.emit('message', {id: `b${i}`, from: PEDRO, text: `burst ${i}`, ts: i})
    input.write('ed')
    await out.until((capture) => capture.text.endsWith('Julia> half typed'))
    const burst = writes.filter((chunk) => chunk.includes('burst'))
    expect(burst).to.have.length(50)
    for (const [i, chunk] of burst.entries()) {
      expect(chunk).to.equal(`${CLEAR_LINE}[Pedro (127.0.0.1:5001) said]: burst ${i + 1}\n${CLEAR_LINE}Julia> half typ`)
    }
  })

  it('scrolls a line longer than the terminal sideways instead of wrapping it', async () => {
    const {input, out} = tty()
    input.write('x'.repeat(100))
    await out.until((capture) => capture.text.endsWith(`Julia> …${'x'.repeat(70)}`))
  })

  it('rings the bell for a mention, unless quiet', async () => {
    const loud = tty()
    loud.node.emit('message', {id: 'm1', from: PEDRO, text: 'hey @julia!', ts: 1})
    await loud.out.shown('[Pedro (127.0.0.1:5001) said]: hey @julia!\u0007')
    const quiet = tty({quiet: true})
    quiet.node.emit('message', {id: 'm2', from: PEDRO, text: 'hey @julia!', ts: 1})
    await quiet.out.shown('[Pedro (127.0.0.1:5001) said]: hey @julia!')
  })

  it('shows /peers as an aligned table on a terminal', async () => {
    const {node, out, type} = tty()
    const id = 'A'.repeat(43)
    const since = new Date(2026, 10, 25, 9, 7).getTime()
    node.peerList = [
      {...PEDRO, id, direction: 'inbound', since, transport: 'tcp'},
      {...ANA, name: 'Ana Maria', direction: 'outbound', since, transport: 'swarm', route: 'direct'},
    ]
    type('/peers')
    await out.shown('Connected peers (2):')
    await out.until((capture) => capture.screen.some((line) => line.startsWith('  Ana Maria')))
    const table = out.screen.slice(-3)
    expect(table).to.deep.equal([
      '  name       address         fingerprint  since  direction  via',
      `  Pedro      127.0.0.1:5001  ${fingerprint(id)}    09:07  in         tcp`,
      '  Ana Maria  127.0.0.1:5002  ?            09:07  out        swarm, direct',
    ])
  })

  it('fits /peers and /help into a 50-column terminal, in both languages', async () => {
    for (const lang of ['en', 'pt'] as const) {
      const {node, out, type} = tty({lang})
      Object.assign(out.stream, {columns: 50})
      const id = 'A'.repeat(43)
      const since = new Date(2026, 10, 25, 9, 7).getTime()
      node.peerList = [
        {...PEDRO, id, direction: 'inbound', since, transport: 'tcp'},
        {...ANA, name: 'Ana Maria', host: '192.168.100.200', direction: 'outbound', since, transport: 'tcp'},
      ]
      type('/peers', '/help', '/help connect')
      await out.until((capture) => capture.screen.some((line) => /^ {2}\S.*\/connect 127\.0\.0\.1:5001/.test(line)))
      const printed = out.screen.filter((line) => !line.startsWith('Julia>'))
      for (const line of printed) expect(displayWidth(line), `${lang}: ${JSON.stringify(line)}`).to.be.at.most(50)
      // name, address and fingerprint stay (a narrower table, or the plain list); every word of the help is there
      expect(
        printed.some((line) => /^ {2}Ana Maria\W+192\.168\.100\.200:5002\W+\?$/.test(line)),
        printed.join('\n'),
      ).to.equal(true)
      const words = (lines: string[]): string => lines.join(' ').split(/\s+/).filter(Boolean).join(' ')
      expect(words(printed)).to.include(words(helpLines(catalogs[lang])))
    }
  })

  it('shows /who as an aligned table on a terminal', async () => {
    const seen = new Date(2026, 10, 25, 9, 7).getTime()
    const {node, out, type} = tty({now: () => seen})
    const id = 'A'.repeat(43)
    node.rosterList = [
      {...PEDRO, id, direct: true, present: true, lastSeen: seen},
      {...ANA, name: 'Ana Maria', direct: false, present: true, lastSeen: seen},
    ]
    type('/who')
    await out.shown('In the room besides you (2):')
    await out.until((capture) => capture.screen.some((line) => line.startsWith('  Ana Maria')))
    expect(out.screen.slice(-3)).to.deep.equal([
      '  name       address         fingerprint  reach      last seen',
      `  Pedro      127.0.0.1:5001  ${fingerprint(id)}    direct     09:07`,
      '  Ana Maria  127.0.0.1:5002  ?            via peers  09:07',
    ])
  })

  it('colours names by node id, own lines and notices, when colour is on', async () => {
    const {node, out, type} = tty({color: true})
    node.emit('message', {id: 'c1', from: PEDRO, text: 'hi @Julia', ts: 1})
    node.emit('peer_joined', summary(ANA))
    type('yo')
    const style = ansiStyle(16)
    await out.shown(style.own('You: yo'))
    expect(out.screen).to.include(
      `[${style.name(PEDRO.id, 'Pedro')} (127.0.0.1:5001) said]: ${style.mention(`hi ${style.mentionMark('@Julia')}`)}\u0007`,
    )
    expect(out.screen).to.include(style.system('* Ana (127.0.0.1:5002) joined.'))
    expect(out.text).to.include(`${style.own('Julia>')} `)
  })
})
