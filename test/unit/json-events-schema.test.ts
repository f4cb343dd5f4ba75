import {Ajv2020} from 'ajv/dist/2020.js'
// docs/json-events.schema.json is a promise to bot authors: every line `chat start --json` prints validates against
// it. Checked with a real validator (Ajv, JSON Schema 2020-12, strict: a typo in the schema fails too) on events
// emitted for real: a Repl in JSON mode over two in-process nodes, and every method of the JSON sink.
import {expect} from 'chai'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {PassThrough} from 'node:stream'

import type {DirectMessage, NodeInfo, PeerSummary} from '../../src/p2p/types.js'
import type {OutputSink} from '../../src/repl/output.js'

import {ChatNode} from '../../src/p2p/node.js'
import {catalogs} from '../../src/repl/i18n.js'
import {JsonSink} from '../../src/repl/json-sink.js'
import {Repl} from '../../src/repl/repl.js'
import {PROJECT_ROOT} from '../helpers/cli.js'
import {useNodes} from '../helpers/nodes.js'
import {waitFor} from '../helpers/wait.js'

const schema = JSON.parse(readFileSync(join(PROJECT_ROOT, 'docs', 'json-events.schema.json'), 'utf8')) as Record<
  string,
  unknown
>
const ajv = new Ajv2020({allErrors: true, strict: true})
const validate = ajv.compile(schema)

function check(line: string): Record<string, unknown> {
  const event = JSON.parse(line) as Record<string, unknown>
  if (!validate(event as unknown)) {
    // oneOf reports every branch; the definition named by `event` says what is wrong, when there is one.
    const branch = ajv.getSchema(`${String(schema.$id)}#/$defs/${String(event.event)}`)
    const errors = branch && !branch(event) ? branch.errors : validate.errors
    expect.fail(`${line}\ndoes not match the schema: ${ajv.errorsText(errors)}`)
  }

  return event
}

/** Collects the lines written to a stream. */
class Lines {
  readonly stream = new PassThrough()
  readonly lines: string[] = []
  #buffer = ''
  readonly #waiters = new Set<() => void>()

  constructor() {
    this.stream.setEncoding('utf8')
    this.stream.on('data', (chunk: string) => {
      this.#buffer += chunk
      const parts = this.#buffer.split('\n')
      this.#buffer = parts.pop() ?? ''
      this.lines.push(...parts.filter((line) => line.length > 0))
      for (const wake of this.#waiters) wake()
    })
  }

  events(): Array<Record<string, unknown>> {
    return this.lines.map((line) => JSON.parse(line) as Record<string, unknown>)
  }

  waitFor(what: string, predicate: (event: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
    return waitFor(
      what,
      (recheck) => {
        this.#waiters.add(recheck)
        return () => this.#waiters.delete(recheck)
      },
      () => this.events().find((event) => predicate(event)),
    )
  }
}

describe('docs/json-events.schema.json', function () {
  this.timeout(20_000)
  const repls: Repl[] = []

  afterEach(() => {
    for (const repl of repls.splice(0)) repl.close()
  })
  // Declared after the REPLs' hook: they close first, then the nodes stop.
  const nodes = useNodes()

  it('is a valid JSON Schema (2020-12, strict) with one definition per event', () => {
    const defs = Object.keys(schema.$defs as object)
    for (const event of [
      'ready',
      'message',
      'sent',
      'direct',
      'direct_sent',
      'peer_joined',
      'peer_left',
      'held_released',
      'room_joined',
      'room_left',
      'room_churn',
      'who',
      'connected',
      'peers',
      'help',
      'history',
      'notice',
      'error',
      'delivered',
    ]) {
      expect(defs, event).to.include(event)
    }
  })

  it('accepts every event a real --json session prints', async () => {
    const julia = nodes.track(new ChatNode({name: 'Julia', host: '127.0.0.1', port: 0}))
    const pedro = nodes.track(new ChatNode({name: 'Pedro', host: '127.0.0.1', port: 0}))
    const input = new PassThrough()
    const out = new Lines()
    const err = new Lines()
    const repl = new Repl({
      node: julia,
      lang: 'en',
      json: true,
      input,
      output: out.stream,
      errorOutput: err.stream,
      readHistory: async () => [
        {
          ts: '2026-11-25T17:20:01.000Z',
          sentTs: 1_764_091_200_900,
          from: 'Pedro',
          fromId: pedro.id,
          text: 'ola',
          own: false,
        },
        {
          ts: '2026-11-25T17:20:01.500Z',
          sentTs: 1_764_091_201_400,
          from: 'Pedro',
          fromId: pedro.id,
          text: 'waves',
          own: false,
          action: true,
        },
        {ts: '2026-11-25T17:20:02.000Z', text: 'oi', own: true},
        {ts: '2026-11-25T17:20:03.000Z', from: 'Julia', text: 'waves back', own: true, action: true},
      ],
    })
    repls.push(repl)
    await julia.start()
    await pedro.start()
    repl.start()

    await out.waitFor('ready', (e) => e.event === 'ready')
    input.write('typed while alone\n')
    await out.waitFor('a held message', (e) => e.event === 'sent' && e.held === true)
    expect(await repl.connect('127.0.0.1', pedro.info.port)).to.equal(true)
    await out.waitFor('connected', (e) => e.event === 'connected')
    await out.waitFor('held_released', (e) => e.event === 'held_released' && e.sent === 1)
    await out.waitFor('peer_joined', (e) => e.event === 'peer_joined')
    pedro.send('hello @Julia, with "quotes", a tab\t and é')
    pedro.send('plain')
    pedro.send('waves', {action: true})
    const action = await out.waitFor('an action', (e) => e.event === 'message' && e.text === 'waves')
    expect(action.kind).to.equal('action')
    input.write('hi from a bot\n/me nods\n/peers\n/who\n/help\n/help connect\n/history 5\n/nope\n/connect\n')
    await out.waitFor('the usage error', (e) => e.event === 'error' && e.code === 'usage')
    expect(await repl.connect('127.0.0.1', 1)).to.equal(false)
    await out.waitFor(
      'a classified connect failure',
      (e) => e.event === 'error' && e.code === 'connect_failed' && e.reason === 'refused',
    )
    repl.notice('a notice')
    repl.error('plugin', 'warning: a plugin failed')
    await pedro.stop()
    const left = await out.waitFor('peer_left', (e) => e.event === 'peer_left')
    expect(left).to.include({reason: 'quit', code: 'quit'})

    expect(err.lines, 'nothing on stderr in --json mode').to.deep.equal([])
    const seen = new Set(out.lines.map((line) => String(check(line).event)))
    expect([...seen].sort()).to.deep.equal([
      'connected',
      'error',
      'held_released',
      'help',
      'history',
      'message',
      'notice',
      'peer_joined',
      'peer_left',
      'peers',
      'ready',
      'sent',
      'who',
    ])
    expect(
      out.events().some((e) => e.event === 'message' && e.mention === true),
      'a mention',
    ).to.equal(true)
    expect(out.events().find((e) => e.event === 'sent' && e.text === 'nods')).to.include({kind: 'action'})
    expect(out.events().find((e) => e.event === 'sent' && e.text === 'hi from a bot')).not.to.have.property('kind')
  })

  it('accepts the output of every JsonSink method, and rejects what breaks the contract', () => {
    const lines: string[] = []
    const sink = new JsonSink(catalogs.pt, {out: (line) => lines.push(line), err: (line) => lines.push(line)})
    const info: NodeInfo = {id: 'aWQ', name: 'Ana', host: '::1', port: 65_535}
    const peer: PeerSummary = {...info, direction: 'inbound', since: 0, transport: 'swarm', route: 'relayed'}
    const dm: DirectMessage = {id: 'd1', from: info, to: {...info, id: 'b3Q', name: 'Bo'}, text: 'psst', ts: 5}
    const calls: {[K in keyof OutputSink]: () => void} = {
      ready: () => sink.ready(info),
      message() {
        sink.message({id: 'm1', from: info, text: '\u0000\u001B[31m', ts: 1}, false)
        sink.message({id: 'm2', from: info, text: '@Ana', ts: 2}, true)
        sink.message({id: 'm4', from: info, text: 'old', ts: 4, history: true}, true)
        sink.message({id: 'm5', from: info, text: 'said while away', ts: 5, late: true}, false)
      },
      sent() {
        sink.sent({id: 'm3', from: info, text: '', ts: 3})
        sink.sent({id: 'm5', from: info, text: 'waves', ts: 5, action: true})
        sink.sent({id: 'm5', from: info, text: 'alone', ts: 5, held: true})
      },
      direct() {
        sink.direct(dm)
        sink.direct({...dm, late: true})
      },
      directSent() {
        sink.directSent(dm)
        sink.directSent({...dm, held: true})
      },
      heldReleased: () => sink.heldReleased({sent: 2, dropped: 1, to: info}),
      who() {
        sink.who([])
        sink.who([
          {...info, direct: true, present: true, lastSeen: 7},
          {...info, id: 'b3Q', direct: false, present: true, lastSeen: 8},
        ])
      },
      roomJoined: () => sink.roomJoined({...info, direct: false, present: true, lastSeen: 9}),
      roomLeft: () => sink.roomLeft({...info, direct: false, present: false, lastSeen: 9, reason: 'timeout'}),
      roomChurn: () => sink.roomChurn({joined: 12, left: 3}),
      peerJoined: () => sink.peerJoined(peer),
      peerLeft: () => sink.peerLeft({...info, reason: 'quit'}),
      peers() {
        sink.peers([])
        sink.peers([peer, {...peer, direction: 'outbound', score: -2.5}], [])
        sink.peers(
          [peer],
          [
            {
              target: '127.0.0.1:22',
              code: 'not_chat_protocol',
              addresses: ['127.0.0.1:22'],
              ids: [],
              ips: [],
              until: 9,
              strikes: 2,
            },
          ],
        )
      },
      ignoreList() {
        sink.ignoreList([], 0)
        sink.ignoreList([{id: 'aWQ', name: 'Eve'}], 3)
      },
      peerPenalised() {
        sink.peerPenalised({code: 'flooding', target: 'Eve (127.0.0.1:5009)', peer: info, score: -50.2, until: 7})
        sink.peerPenalised({code: 'room_mismatch', target: '10.0.0.1:40000', score: 0, until: 7})
      },
      help() {
        sink.help()
        sink.help('connect')
      },
      history() {
        sink.history([])
        sink.history([
          {ts: '2026-11-25T17:20:01.000Z', sentTs: 1, from: 'Ana', text: 'waves', own: false, action: true},
        ])
      },
      connected: () => sink.connected(peer),
      notice: () => sink.notice('n'),
      error() {
        sink.error('usage', 'u')
        sink.error('connect_failed', 'c', 'not_chat_protocol')
      },
      clockSkew() {
        sink.clockSkew({peer, offsetMs: 600_000})
        sink.clockSkew({peer, offsetMs: -45_000})
      },
      problem: () => sink.problem('internal', 'p'),
      warning: () => sink.warning({code: 'room_mismatch', message: 'w'}),
    }
    // A method added to the sink without a case here fails: its events must be in the schema too.
    const methods = Object.getOwnPropertyNames(JsonSink.prototype).filter((name) => name !== 'constructor')
    expect(methods.sort()).to.deep.equal(Object.keys(calls).sort())
    for (const call of Object.values(calls)) call()
    for (const line of lines) check(line)

    const bad = [
      {event: 'ready', id: 'x', name: 'A', host: 'h', port: 0},
      {event: 'message', id: 'x', from: {id: 'x', name: 'A', host: 'h'}, text: 't', ts: 1},
      {event: 'message', id: 'x', from: {id: 'x', name: 'A', host: 'h', port: 1}, text: 't', ts: 1, mention: false},
      {event: 'peer_joined', id: 'x', name: 'A', host: 'h', port: 1, direction: 'sideways'},
      {event: 'sent', id: 'x', text: 't', ts: 1, extra: true},
      {event: 'sent', id: 'x', text: 't', ts: 1, kind: 'message'},
      {event: 'sent', id: 'x', text: 't', ts: 1, held: false},
      {event: 'room_left', id: 'x', name: 'A', host: 'h', port: 1, reason: 'crashed'},
      {event: 'error', code: 'connect_failed', message: 'm', reason: 'no_such_reason'},
      {event: 'held_released', sent: 1, dropped: -1, to: {id: 'x', name: 'A', host: 'h', port: 1}},
      {event: 'message', id: 'x', from: {id: 'x', name: 'A', host: 'h', port: 1}, text: 't', ts: 1, history: false},
      {event: 'direct_sent', id: 'x', from: {id: 'x', name: 'A', host: 'h', port: 1}, text: 't', ts: 1},
      {event: 'ignored', count: 0, authors: []},
      {event: 'peer_penalised', code: 'flooding', target: 't', score: 0},
      {event: 'nonsense'},
    ]
    for (const event of bad) expect(validate(event), JSON.stringify(event)).to.equal(false)
  })

  it('accepts the line chat send --json prints', () => {
    check(
      JSON.stringify({
        event: 'delivered',
        id: 'm',
        text: 'build passed',
        ts: 5,
        peers: [{id: 'i', name: 'Bot', host: '127.0.0.1', port: 5000}],
      }),
    )
  })
})
