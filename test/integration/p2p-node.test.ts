// The engine as a library: real ChatNodes in this process over real loopback sockets.
import {expect} from 'chai'
import {connect as netConnect, type Socket} from 'node:net'

import type {ChatMessage} from '../../src/p2p/types.js'

import {ChatNode, ChatNodeError} from '../../src/p2p/node.js'
import {MAX_TEXT_CHARS} from '../../src/p2p/protocol.js'
import {rejection} from '../helpers/errors.js'
import {useNodes} from '../helpers/nodes.js'
import {nextEvent, untilEvent} from '../helpers/wait.js'

describe('ChatNode over loopback', function () {
  this.timeout(20_000)
  const sockets: Socket[] = []

  afterEach(() => {
    for (const s of sockets) s.destroy()
  })
  // Declared after the sockets' hook: raw sockets go first, then the nodes stop.
  const nodes = useNodes()
  const startNode = nodes.start

  function received(node: ChatNode): ChatMessage[] {
    const got: ChatMessage[] = []
    node.on('message', (m) => got.push(m))
    return got
  }

  const until = (node: ChatNode, what: string, check: () => boolean): Promise<void> =>
    untilEvent(node, ['message', 'peer_joined', 'peer_left'], what, check)

  it('floods a message along a chain, once per node, with the author and its listening address', async () => {
    // Degree 0: nobody dials on their own, so the chain stays a chain and Pedro must relay.
    const julia = await startNode('Julia', {degree: 0})
    const pedro = await startNode('Pedro', {degree: 0})
    const ana = await startNode('Ana', {degree: 0})
    await pedro.connect('127.0.0.1', julia.info.port)
    await ana.connect('127.0.0.1', pedro.info.port)
    const atJulia = received(julia)
    const atPedro = received(pedro)
    ana.send('oi')
    await until(julia, "Ana's message at Julia", () => atJulia.length === 1)
    expect(atJulia[0].text).to.equal('oi')
    expect(atJulia[0].from).to.deep.equal({id: ana.id, name: 'Ana', host: '127.0.0.1', port: ana.info.port})
    expect(atPedro).to.have.length(1)
  })

  it('asks for history when it dials out to join, not when it dials out while it already has a peer', async () => {
    const carla = await startNode('Carla', {degree: 0})
    const dora = await startNode('Dora', {degree: 0})
    await dora.connect('127.0.0.1', carla.info.port)
    const atCarla = received(carla)
    dora.send('before')
    await until(carla, "Dora's message at Carla", () => atCarla.length === 1)

    // Julia is already in a network (Pedro dialled her): her live copies would race a history reply.
    const julia = await startNode('Julia', {degree: 0})
    const pedro = await startNode('Pedro', {degree: 0})
    await pedro.connect('127.0.0.1', julia.info.port)
    const atJulia = received(julia)
    await julia.connect('127.0.0.1', carla.info.port)
    // A pong from Carla comes after her answer to anything Julia sent before the ping, a history request included.
    expect((await julia.confirmDelivery()).map((p) => p.name)).to.include('Carla')

    // A newcomer whose first peer is Carla does get the history: the check above can see one.
    const zed = await startNode('Zed', {degree: 0})
    const atZed = received(zed)
    await zed.connect('127.0.0.1', carla.info.port)
    expect((await zed.confirmDelivery()).map((p) => p.name)).to.deep.equal(['Carla'])
    expect(atZed.map((m) => [m.text, m.history])).to.deep.equal([['before', true]])
    // Not as history: Dora's message reaches Julia once, by reconciliation, marked late (said minutes ago at most).
    expect(atJulia.map((m) => [m.text, m.history, m.late])).to.deep.equal([['before', undefined, true]])
  })

  it('shows every message exactly once in a cycle A–B–C–A', async () => {
    const [a, b, c] = await Promise.all([
      startNode('A', {degree: 0}),
      startNode('B', {degree: 0}),
      startNode('C', {degree: 0}),
    ])
    await b.connect('127.0.0.1', a.info.port)
    await c.connect('127.0.0.1', b.info.port)
    await a.connect('127.0.0.1', c.info.port)
    const got = new Map([a, b, c].map((n) => [n, received(n)]))
    const texts = ['one', 'two', 'three']
    a.send(texts[0])
    b.send(texts[1])
    c.send(texts[2])
    // A fence: a last message from each node proves the earlier ones had every chance to arrive twice.
    for (const n of [a, b, c]) n.send(`fence-${n.name}`)
    for (const n of [a, b, c]) {
      await until(n, `fences at ${n.name}`, () => got.get(n)!.filter((m) => m.text.startsWith('fence')).length === 2)
    }

    for (const n of [a, b, c]) {
      const mine = got.get(n)!
      const ids = mine.map((m) => m.id)
      expect(new Set(ids).size, `duplicates at ${n.name}`).to.equal(ids.length)
      expect(mine.filter((m) => !m.text.startsWith('fence'))).to.have.length(2)
    }
  })

  it('collapses a simultaneous dial to one connection on both ends', async () => {
    const a = await startNode('A')
    const b = await startNode('B')
    await Promise.all([a.connect('127.0.0.1', b.info.port), b.connect('127.0.0.1', a.info.port)])
    await until(a, 'one peer at A', () => a.peers().length === 1)
    // Give the losing socket's close a chance to be (wrongly) counted: wait for a message round trip.
    const atB = received(b)
    a.send('after-dial')
    await until(b, 'message at B', () => atB.length === 1)
    expect(a.peers()).to.have.length(1)
    expect(b.peers()).to.have.length(1)
    expect(a.peers()[0].direction).to.not.equal(b.peers()[0].direction)
  })

  it('tells peers when a node leaves with bye, reason "quit"', async () => {
    const a = await startNode('A')
    const b = await startNode('B')
    await b.connect('127.0.0.1', a.info.port)
    await until(a, 'B at A', () => a.peers().length === 1)
    const left = nextEvent(a, 'peer_left')
    await b.stop()
    const [peer] = (await left) as [{name: string; reason: string; reasonCode: string; port: number}]
    expect(peer.name).to.equal('B')
    expect(peer.reason).to.equal('quit')
    expect(peer.reasonCode).to.equal('quit')
    expect(peer.port).to.equal(b.info.port)
    expect(a.peers()).to.have.length(0)
  })

  it('lists peers by their listening address, not the socket port', async () => {
    const a = await startNode('A')
    const b = await startNode('B')
    await b.connect('127.0.0.1', a.info.port)
    await until(a, 'B at A', () => a.peers().length === 1)
    expect(a.peers()[0]).to.include({name: 'B', host: '127.0.0.1', port: b.info.port, direction: 'inbound'})
  })

  it('rejects an unreachable address with a clear error and keeps running', async () => {
    const a = await startNode('A')
    const spare = await startNode('spare')
    const {port} = spare.info
    await spare.stop()
    expect((await rejection(a.connect('127.0.0.1', port))).message).to.equal(
      `could not reach 127.0.0.1:${port}: connection refused`,
    )

    expect(a.running).to.equal(true)
  })

  it('refuses to connect to itself', async () => {
    const a = await startNode('A')
    expect((await rejection(a.connect('127.0.0.1', a.info.port))).message).to.match(/own address/)
  })

  it('refuses a dialler before the handshake when it is full, so the dialler knows it did not get in', async () => {
    const full = await startNode('Full', {maxPeers: 1, degree: 0})
    const diallers = await Promise.all(['D1', 'D2', 'D3'].map((name) => startNode(name, {degree: 0})))
    // All at once: handshakes under way count toward the cap, so only one dialler may believe it got in.
    const results = await Promise.allSettled(
      diallers.map((d) => d.connect('127.0.0.1', full.info.port, {persistent: false})),
    )
    expect(results.filter((r) => r.status === 'fulfilled')).to.have.length(1)
    for (const r of results)
      if (r.status === 'rejected') expect((r.reason as Error).message).to.match(/^could not reach 127\.0\.0\.1:\d+: /)
    await until(full, 'the one dialler registered at Full', () => full.peers().length === 1)
  })

  it('says which port is in use', async () => {
    const a = await startNode('A')
    const b = nodes.track(new ChatNode({name: 'B', host: '127.0.0.1', port: a.info.port}))
    expect((await rejection(b.start())).message).to.equal(
      `port ${a.info.port} on 127.0.0.1 is already in use: choose another with --port`,
    )
  })

  it('reports a refused call as a ChatNodeError whose snake_case code carries the facts, not only English', async () => {
    const a = await startNode('A')
    const spare = await startNode('spare')
    const {port} = spare.info
    await spare.stop()
    const detailOf = async (call: () => unknown): Promise<unknown> => {
      try {
        await call()
      } catch (error) {
        expect(error).to.be.instanceOf(ChatNodeError)
        return (error as ChatNodeError).detail
      }

      return expect.fail('the call should have failed')
    }

    expect(await detailOf(() => a.send('x'.repeat(MAX_TEXT_CHARS + 1)))).to.deep.equal({
      code: 'too_long',
      length: MAX_TEXT_CHARS + 1,
      limit: MAX_TEXT_CHARS,
    })
    expect(await detailOf(() => a.send('  '))).to.deep.equal({code: 'empty'})
    expect(await detailOf(() => a.sendDirect('nobody', 'hi'))).to.deep.equal({code: 'unknown_recipient', to: 'nobody'})
    expect(await detailOf(() => a.connect('127.0.0.1', port, {persistent: false}))).to.deep.equal({
      code: 'unreachable',
      host: '127.0.0.1',
      port,
      failure: {code: 'refused', direction: 'outbound', host: '127.0.0.1', port, errno: 'ECONNREFUSED'},
    })
    expect(await detailOf(() => new ChatNode({name: 'B', host: '127.0.0.1', port: a.info.port}).start())).to.deep.equal(
      {
        code: 'address_in_use',
        host: '127.0.0.1',
        port: a.info.port,
      },
    )
    await a.stop()
    expect(await detailOf(() => a.send('hi'))).to.deep.equal({code: 'not_running'})
  })

  it('disconnects a peer that sends garbage and keeps serving the others', async () => {
    const a = await startNode('A')
    const b = await startNode('B')
    await b.connect('127.0.0.1', a.info.port)
    const warned = nextEvent(a, 'warning')
    const bad = netConnect(a.info.port, '127.0.0.1')
    sockets.push(bad)
    bad.on('error', () => {})
    bad.resume()
    const closed = new Promise((resolve) => {
      bad.on('close', resolve)
    })
    // A handshake message far over the 1 KiB cap.
    bad.write(Buffer.from([0xff, 0xff, 0x7b, 0x7b, 0x7b]))
    await closed
    const [warning] = (await warned) as [{code: string; message: string}]
    expect(warning.code).to.equal('not_chat_protocol')
    expect(warning.message).to.match(/^a connection from 127\.0\.0\.1:\d+ does not speak the chat protocol$/)
    const atA = received(a)
    b.send('still here')
    await until(a, 'message after the attack', () => atA.length === 1)
  })

  it('closes a socket that never says hello within the deadline', async () => {
    const a = await startNode('A', {connection: {handshakeTimeoutMs: 200}})
    const silent = netConnect(a.info.port, '127.0.0.1')
    sockets.push(silent)
    silent.on('error', () => {})
    silent.on('data', () => {})
    const warned = nextEvent(a, 'warning')
    await new Promise((resolve) => {
      silent.on('close', resolve)
    })
    const [warning] = (await warned) as [{message: string}]
    expect(warning.message).to.match(/did not finish the handshake within 200 ms/)
  })

  it('drops a peer whose heartbeat stops', async () => {
    const limits = {heartbeatIntervalMs: 50, deadAfterMs: 300}
    const a = await startNode('A', {connection: limits})
    const b = await startNode('B', {connection: limits})
    await b.connect('127.0.0.1', a.info.port)
    await until(a, 'B at A', () => a.peers().length === 1)
    const left = nextEvent(b, 'peer_left')
    // Freeze B's socket to A: it stays open, but B hears nothing more from A, whose pings pile up unread.
    const frozen = socketsTo(a.info.port)
    expect(frozen).to.have.length(1)
    for (const s of frozen) s.pause()
    const [peer] = (await left) as [{reason: string; reasonCode: string}]
    expect(peer.reason).to.match(/heartbeat timeout/)
    expect(peer.reasonCode).to.equal('heartbeat')
  })
})

/** The engine keeps its sockets private; the heartbeat test finds B's socket to A among the process's handles. */
function socketsTo(port: number): Socket[] {
  const handles = (process as unknown as {_getActiveHandles(): unknown[]})._getActiveHandles()
  return handles.filter((h): h is Socket => typeof h === 'object' && h !== null && (h as Socket).remotePort === port)
}
