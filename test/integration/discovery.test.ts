// `chat start --discover` for real: multicast DNS between two network namespaces joined by a veth pair, made by this
// test (so no packet reaches a real network). Needs root and iproute2; the suite says why when it skips.
import {expect} from 'chai'
import {randomBytes} from 'node:crypto'

import {tempDir} from '../helpers/cli.js'
import {cannotUseNamespaces, deleteNamespaces, ip, NamespacedChat} from '../helpers/netns.js'

describe('chat start --discover (mDNS between two network namespaces)', function () {
  this.timeout(60_000)
  const suffix = `${process.pid}-${randomBytes(3).toString('hex')}`
  const nsA = `chat-a-${suffix}`
  const nsB = `chat-b-${suffix}`
  const procs: NamespacedChat[] = []
  const dirs: Array<{remove(): void}> = []
  let made = false

  before(function () {
    const why = cannotUseNamespaces()
    if (why) {
      console.log(`      skipped: ${why}`)
      this.skip()
    }

    try {
      ip('netns', 'add', nsA)
      ip('netns', 'add', nsB)
      made = true
      // A two-machine LAN: one cable (a veth pair), an address on each end, multicast routed onto it.
      ip('-n', nsA, 'link', 'add', 'veth0', 'type', 'veth', 'peer', 'name', 'veth1', 'netns', nsB)
      ip('-n', nsA, 'addr', 'add', '10.231.0.1/24', 'dev', 'veth0')
      ip('-n', nsB, 'addr', 'add', '10.231.0.2/24', 'dev', 'veth1')
      for (const [ns, dev] of [
        [nsA, 'veth0'],
        [nsB, 'veth1'],
      ]) {
        ip('-n', ns, 'link', 'set', 'lo', 'up')
        ip('-n', ns, 'link', 'set', dev, 'up', 'multicast', 'on')
        ip('-n', ns, 'route', 'add', '224.0.0.0/4', 'dev', dev)
      }
    } catch (error) {
      console.log(`      skipped: could not set up network namespaces: ${(error as Error).message.split('\n')[0]}`)
      this.skip()
    }
  })

  after(() => {
    if (made) deleteNamespaces([nsA, nsB])
  })

  afterEach(async () => {
    await Promise.all(procs.splice(0).map((p) => p.quit()))
    for (const dir of dirs.splice(0)) dir.remove()
  })

  function start(ns: string, name: string, host: string, port: number, secret?: string): NamespacedChat {
    // Own config dir per node: the identity key is per port, and two nodes with one key would ignore each other.
    const config = tempDir('chat-disc-config-')
    const logs = tempDir('chat-disc-logs-')
    dirs.push(config, logs)
    const env: NodeJS.ProcessEnv = {
      CHAT_CONFIG_DIR: config.path,
      CHAT_DATA_DIR: config.path,
      CHAT_CACHE_DIR: config.path,
      CHAT_SECRET: secret,
    }
    if (secret === undefined) delete env.CHAT_SECRET
    const proc = new NamespacedChat(
      ns,
      ['--discover', '--host', host, '--port', String(port), '--name', name, '--log-dir', logs.path, '--degree', '0'],
      env,
    )
    procs.push(proc)
    return proc
  }

  it('finds and joins the nodes of its room on the LAN, and never those of another room', async () => {
    const secret = `chat-discovery-test-${randomBytes(8).toString('hex')}`
    const a = start(nsA, 'Julia', '10.231.0.1', 5000, secret)
    await a.waitFor('ready', (e) => e.event === 'ready')
    const stranger = start(nsB, 'Stranger', '10.231.0.2', 5001) // the public room
    await stranger.waitFor('ready', (e) => e.event === 'ready')
    const b = start(nsB, 'Pedro', '10.231.0.2', 5000, secret)

    const bSeesA = await b.waitFor('Julia joins Pedro', (e) => e.event === 'peer_joined' && e.name === 'Julia')
    expect(bSeesA).to.include({host: '10.231.0.1', port: 5000})
    const aSeesB = await a.waitFor('Pedro joins Julia', (e) => e.event === 'peer_joined' && e.name === 'Pedro')
    expect(aSeesB).to.include({host: '10.231.0.2', port: 5000})

    a.type('found you over mDNS')
    await b.waitFor('the message', (e) => e.event === 'message' && e.text === 'found you over mDNS')

    // The stranger heard both announcements (same LAN, before and after it started) and dialled neither; nobody
    // dialled it or was refused by it.
    await new Promise((resolve) => {
      setTimeout(resolve, 1000)
    })
    for (const proc of [a, b, stranger]) {
      expect(
        proc.events.filter((e) => e.event === 'error'),
        proc.dump(),
      ).to.deep.equal([])
    }

    expect(stranger.events.filter((e) => e.event === 'peer_joined')).to.deep.equal([])
    expect(a.events.filter((e) => e.event === 'peer_joined')).to.have.length(1)
    expect(b.events.filter((e) => e.event === 'peer_joined')).to.have.length(1)

    expect(await b.quit()).to.equal(0)
    await a.waitFor('Pedro leaves', (e) => e.event === 'peer_left' && e.name === 'Pedro')
  })

  it('finds a node that started later, and one that comes back', async () => {
    const a = start(nsA, 'Julia', '10.231.0.1', 5010)
    await a.waitFor('ready', (e) => e.event === 'ready')
    let b = start(nsB, 'Pedro', '10.231.0.2', 5010)
    await a.waitFor('Pedro joins', (e) => e.event === 'peer_joined' && e.name === 'Pedro')
    expect(await b.quit()).to.equal(0)
    procs.splice(procs.indexOf(b), 1)
    await a.waitFor('Pedro leaves', (e) => e.event === 'peer_left' && e.name === 'Pedro')
    const joinsBefore = a.events.filter((e) => e.event === 'peer_joined').length
    b = start(nsB, 'Pedro', '10.231.0.2', 5010)
    await a.waitFor(
      'Pedro joins again',
      () => a.events.filter((e) => e.event === 'peer_joined').length === joinsBefore + 1,
    )
  })
})
