// Discovery's behaviour over an in-memory multicast bus (every packet DNS-encoded and decoded, delivered to every
// socket including the sender's, as multicast loopback does). The real socket is tested in a network namespace by
// test/integration/discovery.test.ts.
import {expect} from 'chai'
import dnsPacket from 'dns-packet'
import {EventEmitter} from 'node:events'

import type {PeerSummary} from '../../src/p2p/types.js'

import {discoverPeers, type DiscoveryProblem} from '../../src/discovery/index.js'
import {type DiscoveredNode, Discovery, type MdnsSocket} from '../../src/discovery/mdns.js'
import {announcement} from '../../src/discovery/records.js'
import {discoveryProblemText} from '../../src/repl/i18n-cli.js'
import {catalogs} from '../../src/repl/i18n.js'
import {rejection} from '../helpers/errors.js'
import {poll} from '../helpers/wait.js'

const ROOM_A = 'a'.repeat(64)
const ROOM_B = 'b'.repeat(64)

class Bus {
  readonly sockets = new Set<FakeSocket>()
  readonly packets: Array<{from: string; type: string}> = []

  socket(address: string, bindError?: Error): FakeSocket {
    const socket = new FakeSocket(this, address, bindError)
    this.sockets.add(socket)
    return socket
  }

  deliver(from: FakeSocket, packet: dnsPacket.Packet): void {
    const wire = dnsPacket.encode(packet)
    this.packets.push({from: from.address, type: packet.type ?? '?'})
    for (const socket of this.sockets) {
      const decoded = dnsPacket.decode(wire)
      setImmediate(() => socket.emit(decoded.type === 'query' ? 'query' : 'response', decoded, {address: from.address}))
    }
  }
}

class FakeSocket extends EventEmitter implements MdnsSocket {
  destroyed = false

  constructor(
    readonly bus: Bus,
    readonly address: string,
    bindError?: Error,
  ) {
    super()
    setImmediate(() => (bindError ? this.emit('error', bindError) : this.emit('ready')))
  }

  query(query: {questions: Array<{name: string; type: 'PTR'}>}): void {
    if (!this.destroyed) this.bus.deliver(this, {type: 'query', questions: query.questions})
  }

  respond(response: {answers: dnsPacket.Answer[]}, callback?: (error: Error | null) => void): void {
    if (!this.destroyed)
      this.bus.deliver(this, {type: 'response', flags: dnsPacket.AUTHORITATIVE_ANSWER, answers: response.answers})
    setImmediate(() => callback?.(null))
  }

  destroy(callback?: () => void): void {
    this.destroyed = true
    this.bus.sockets.delete(this)
    setImmediate(() => callback?.())
  }
}

const until = (what: string, check: () => boolean, timeoutMs = 3000): Promise<boolean> =>
  poll(what, check, {intervalMs: 2, timeoutMs})

describe('discovery: mDNS announcer and browser', () => {
  const running: Discovery[] = []
  let bus: Bus

  beforeEach(() => {
    bus = new Bus()
  })

  afterEach(async () => {
    await Promise.all(running.splice(0).map((d) => d.stop()))
  })

  async function start(
    id: string,
    address: string,
    roomId: string,
    options: {queryIntervalMs?: number; refoundMs?: number; now?: () => number; maxKnownNodes?: number} = {},
  ) {
    const found: DiscoveredNode[] = []
    const problems: string[] = []
    const discovery = await Discovery.start({
      self: {id, host: address, port: 5000},
      roomId,
      onFound: (node) => found.push(node),
      onProblem: (message) => problems.push(message),
      mdns: () => bus.socket(address),
      ...options,
    })
    running.push(discovery)
    return {discovery, found, problems}
  }

  it('finds the nodes of its room, in both directions, and never itself or another room', async () => {
    const a = await start('node-a', '10.0.0.1', ROOM_A)
    const b = await start('node-b', '10.0.0.2', ROOM_A)
    const c = await start('node-c', '10.0.0.3', ROOM_B)
    await until('a and b find each other', () => a.found.length > 0 && b.found.length > 0, 500)
    await new Promise((resolve) => {
      setTimeout(resolve, 50)
    })
    expect(a.found).to.deep.equal([{id: 'node-b', host: '10.0.0.2', port: 5000}])
    expect(b.found).to.deep.equal([{id: 'node-a', host: '10.0.0.1', port: 5000}])
    expect(c.found).to.deep.equal([])
    expect(a.discovery.nodes.map((n) => n.id)).to.deep.equal(['node-b'])
    expect([...a.problems, ...b.problems, ...c.problems]).to.deep.equal([])
  })

  it('reports a node once, again when its address changes or after refoundMs, and forgets it on goodbye', async () => {
    let now = 1_000_000
    const a = await start('node-a', '10.0.0.1', ROOM_A, {now: () => now, refoundMs: 30_000})
    const b = bus.socket('10.0.0.2')
    const say = (host: string, port: number, ttl = 120): void =>
      b.respond({answers: announcement({id: 'node-b', host, port, roomId: ROOM_A}, ttl)})
    say('10.0.0.2', 6000)
    say('10.0.0.2', 6000)
    say('10.0.0.2', 6000)
    await until('one report', () => a.found.length === 1)
    await new Promise((resolve) => {
      setTimeout(resolve, 20)
    })
    expect(a.found).to.have.length(1)
    say('10.0.0.2', 6001)
    await until('the new port', () => a.found.length === 2)
    now += 30_000
    say('10.0.0.2', 6001)
    await until('reported again after refoundMs', () => a.found.length === 3)
    expect(a.found.map((n) => n.port)).to.deep.equal([6000, 6001, 6001])
    say('10.0.0.2', 6001, 0)
    await until('forgotten', () => a.discovery.nodes.length === 0)
    say('10.0.0.2', 6001)
    await until('found anew at once', () => a.found.length === 4)
  })

  it('keeps at most maxKnownNodes, forgetting the one seen longest ago, and lets entries expire with their TTL', async () => {
    let now = 0
    const a = await start('node-a', '10.0.0.1', ROOM_A, {now: () => now, maxKnownNodes: 3})
    const other = bus.socket('10.0.0.9')
    for (let i = 0; i < 5; i++)
      other.respond({answers: announcement({id: `n${i}`, host: `10.0.1.${i}`, port: 5000, roomId: ROOM_A}, 10)})
    await until('five reports', () => a.found.length === 5)
    expect(a.discovery.nodes.map((n) => n.id)).to.deep.equal(['n2', 'n3', 'n4'])
    now += 10_000
    expect(a.discovery.nodes).to.deep.equal([])
  })

  it('answers a burst of queries with few responses, queries on its interval, and says goodbye when stopped', async () => {
    const a = await start('node-a', '10.0.0.1', ROOM_A, {queryIntervalMs: 100})
    const asker = bus.socket('10.0.0.7')
    const seen: string[] = []
    asker.on('response', (packet: dnsPacket.DecodedPacket) => {
      for (const r of packet.answers ?? []) if (r.type === 'SRV') seen.push(String(r.ttl))
    })
    for (let i = 0; i < 20; i++) asker.query({questions: [{name: '_chat._tcp.local', type: 'PTR'}]})
    await new Promise((resolve) => {
      setTimeout(resolve, 1300)
    })
    const queries = bus.packets.filter((p) => p.from === '10.0.0.1' && p.type === 'query').length
    expect(queries, 'its own queries in 1.3 s at a 100 ms interval (and one at start)').to.be.within(10, 15)
    // One answer at once, then at most one per second (its own queries ask too).
    expect(seen).to.deep.equal(['120', '120'])
    await a.discovery.stop()
    await until('the goodbye', () => seen.includes('0'))
  })

  it('rejects with a clear message when the socket cannot be bound', async () => {
    const failing = (): MdnsSocket => bus.socket('10.0.0.1', new Error('bind EADDRINUSE 0.0.0.0:5353'))

    expect(
      (
        await rejection(
          Discovery.start({
            self: {id: 'x', host: '10.0.0.1', port: 1},
            roomId: ROOM_A,
            onFound() {},
            mdns: failing,
          }),
        )
      ).message,
    ).to.equal('mDNS discovery cannot start: bind EADDRINUSE 0.0.0.0:5353')
  })

  describe('discoverPeers', () => {
    it('connects to nodes it finds that are not peers yet, and reports instead of throwing', async () => {
      const peers: PeerSummary[] = [
        {id: 'node-c', name: 'C', host: '10.0.0.3', port: 5000, direction: 'outbound', since: 0, transport: 'tcp'},
      ]
      const connects: string[] = []
      const reports: string[] = []
      const connect = async (host: string, port: number, options: {persistent: boolean}): Promise<PeerSummary> => {
        connects.push(`${host}:${port} persistent=${options.persistent}`)
        if (host === '10.0.0.4')
          throw Object.assign(new Error('could not reach 10.0.0.4:5000: connection refused'), {code: 'unreachable'})
        if (host === '10.0.0.5')
          throw Object.assign(new Error('already connecting to 10.0.0.5:5000'), {code: 'dial_in_progress'})
        return {id: 'x', name: 'X', host, port, direction: 'outbound', since: 0, transport: 'tcp'}
      }

      const stop = await discoverPeers(
        {info: {id: 'node-a', name: 'A', host: '10.0.0.1', port: 5000}, peers: () => peers, connect},
        ROOM_A,
        (message) => reports.push(message),
        {mdns: () => bus.socket('10.0.0.1')},
      )
      const other = bus.socket('10.0.0.9')
      for (const [id, host] of [
        ['node-b', '10.0.0.2'],
        ['node-c', '10.0.0.3'],
        ['node-d', '10.0.0.4'],
        ['node-e', '10.0.0.5'],
      ]) {
        other.respond({answers: announcement({id, host, port: 5000, roomId: ROOM_A})})
      }

      await until('three connects', () => connects.length === 3)
      await new Promise((resolve) => {
        setTimeout(resolve, 20)
      })
      expect(connects).to.deep.equal([
        '10.0.0.2:5000 persistent=false',
        '10.0.0.4:5000 persistent=false',
        '10.0.0.5:5000 persistent=false',
      ])
      expect(reports).to.deep.equal([
        'discovery: found 10.0.0.4:5000 but could not reach 10.0.0.4:5000: connection refused',
      ])
      await stop()
    })

    it('warns about a loopback listener, and runs without discovery when mDNS cannot start', async () => {
      const reports: string[] = []
      const problems: DiscoveryProblem[] = []
      const stop = await discoverPeers(
        {
          info: {id: 'node-a', name: 'A', host: '127.0.0.1', port: 5000},
          peers: () => [],
          connect: () => Promise.reject(new Error('unused')),
        },
        ROOM_A,
        (message, problem) => {
          reports.push(message)
          problems.push(problem)
        },
        {mdns: () => bus.socket('127.0.0.1', new Error('bind EACCES'))},
      )
      expect(reports).to.deep.equal([
        '--discover with --host 127.0.0.1: only nodes on this machine can connect; listen on 0.0.0.0 or a LAN address to be found by others',
        'mDNS discovery cannot start: bind EACCES: discovery is off',
      ])
      // The parts, which chat start words in the reader's language.
      expect(problems).to.deep.equal([
        {kind: 'loopback', host: '127.0.0.1'},
        {kind: 'off', reason: 'bind EACCES'},
      ])
      expect(problems.map((p) => discoveryProblemText(catalogs.pt.cli, catalogs.pt.engine, p))).to.deep.equal([
        '--discover com --host 127.0.0.1: só nós desta máquina conseguem se conectar; escute em 0.0.0.0 ou num endereço da rede local para ser encontrado',
        'a descoberta mDNS não pôde começar (bind EACCES): descoberta desligada',
      ])
      await stop()
    })
  })
})
