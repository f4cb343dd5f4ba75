// Reconciliation between real in-process nodes over loopback: what was said while a node was away or cut off
// reaches it once, marked late, whichever side dials; what it had is never shown again; late messages travel on.
import {expect} from 'chai'

import type {ChatMessage, StoredFrameInfo, SyncSummary} from '../../src/p2p/types.js'

import {generateIdentity} from '../../src/p2p/identity.js'
import {ChatNode, type ChatNodeOptions} from '../../src/p2p/node.js'
import {nextEvent, untilEvent} from '../helpers/wait.js'

describe('message store and reconciliation (in-process nodes)', function () {
  this.timeout(30_000)
  let nodes: ChatNode[] = []

  async function startNode(name: string, options: Partial<ChatNodeOptions> = {}): Promise<ChatNode> {
    const node = new ChatNode({name, host: '127.0.0.1', port: 0, degree: 0, history: 0, ...options})
    nodes.push(node)
    await node.start()
    return node
  }

  /** Everything a node shows, and every frame it asks its caller to persist. */
  function watch(node: ChatNode): {messages: ChatMessage[]; stored: StoredFrameInfo[]} {
    const seen = {messages: [] as ChatMessage[], stored: [] as StoredFrameInfo[]}
    node.on('message', (m) => seen.messages.push(m))
    node.on('stored', (f) => seen.stored.push(f))
    return seen
  }

  const until = (node: ChatNode, what: string, check: () => boolean): Promise<void> =>
    untilEvent(node, ['message', 'synced'], what, check, 20_000)

  const texts = (messages: ChatMessage[]): string[] => messages.map((m) => m.text).sort()

  afterEach(async () => {
    await Promise.all(nodes.map((n) => n.stop()))
    nodes = []
  })

  for (const dialler of ['the returning node', 'the node that stayed'] as const) {
    it(`a node that was away gets what it missed once, marked late, when ${dialler} dials`, async () => {
      const identity = generateIdentity()
      const julia = await startNode('Julia')
      const pedro = await startNode('Pedro', {identity})
      const atPedro = watch(pedro)
      await pedro.connect('127.0.0.1', julia.info.port)
      julia.send('before 1')
      julia.send('before 2')
      await until(pedro, 'the first messages at Pedro', () => atPedro.messages.length === 2)
      const {port} = pedro.info
      await pedro.stop()

      for (let i = 0; i < 5; i++) julia.send(`while away ${i}`)

      // Pedro comes back with the same identity and port and what his caller persisted.
      const memberSince = Date.now() - 60_000
      const again = await startNode('Pedro', {identity, port, storedFrames: atPedro.stored, memberSince})
      const atAgain = watch(again)
      const synced = nextEvent<[SyncSummary]>(dialler === 'the returning node' ? again : julia, 'synced')
      await (dialler === 'the returning node'
        ? again.connect('127.0.0.1', julia.info.port)
        : julia.connect('127.0.0.1', port))
      await until(again, 'the missed messages', () => atAgain.messages.length >= 5)
      const [report] = await synced
      expect(report.rounds).to.be.at.least(1)
      // A ping round trip on the link: nothing more is on its way.
      await again.confirmDelivery()
      await julia.confirmDelivery()
      expect(texts(atAgain.messages)).to.deep.equal([0, 1, 2, 3, 4].map((i) => `while away ${i}`))
      expect(atAgain.messages.every((m) => m.late === true)).to.equal(true)
    })
  }

  it('heals a partition through one link: late messages travel on to the whole other half', async () => {
    // Two chains, a1–a2 and b1–b2, each chatting alone; then a2 dials b1.
    const [a1, a2, b1, b2] = await Promise.all(['A1', 'A2', 'B1', 'B2'].map((name) => startNode(name)))
    await a2.connect('127.0.0.1', a1.info.port)
    await b2.connect('127.0.0.1', b1.info.port)
    const seen = new Map([a1, a2, b1, b2].map((n) => [n, watch(n)]))
    for (let i = 0; i < 10; i++) {
      a1.send(`a ${i}`)
      b2.send(`b ${i}`)
    }

    await a2.connect('127.0.0.1', b1.info.port)
    // Everyone shows all 20 other messages minus its own 10, once.
    for (const node of [a1, a2, b1, b2]) {
      const view = seen.get(node)!
      await until(
        node,
        `all messages at ${node.name}`,
        () => view.messages.length >= 10 + (node === a1 || node === b2 ? 0 : 0),
      )
    }

    for (const node of [a1, a2, b1, b2]) await node.confirmDelivery()
    for (const node of [a1, a2, b1, b2]) await node.confirmDelivery()
    const expectOther = (node: ChatNode, side: 'a' | 'b', ownTen: boolean): void => {
      const got = seen.get(node)!.messages
      const other = side === 'a' ? 'b' : 'a'
      const want = [
        ...(ownTen ? [] : Array.from({length: 10}, (_, i) => `${side} ${i}`)),
        ...Array.from({length: 10}, (_, i) => `${other} ${i}`),
      ].sort()
      expect(texts(got), node.name).to.deep.equal(want)
    }

    expectOther(a1, 'a', true)
    expectOther(a2, 'a', false)
    expectOther(b1, 'b', false)
    expectOther(b2, 'b', true)
    // Only what crossed the partition is late.
    expect(
      seen
        .get(a1)!
        .messages.filter((m) => m.late)
        .map((m) => m.text[0]),
    ).to.deep.equal(Array.from({length: 10}, () => 'b'))
  })

  it('a reconnection with nothing new shows nothing again', async () => {
    const julia = await startNode('Julia')
    const pedro = await startNode('Pedro')
    const atPedro = watch(pedro)
    await pedro.connect('127.0.0.1', julia.info.port, {persistent: false})
    for (let i = 0; i < 20; i++) julia.send(`m ${i}`)
    await until(pedro, 'the messages', () => atPedro.messages.length === 20)
    const left = nextEvent(julia, 'peer_left')
    await pedro.stop()
    await left
    const again = await startNode('Pedro', {storedFrames: atPedro.stored, memberSince: 0})
    const atAgain = watch(again)
    const synced = nextEvent<[SyncSummary]>(again, 'synced')
    await again.connect('127.0.0.1', julia.info.port)
    const [report] = await synced
    await again.confirmDelivery()
    expect(report.pulled).to.equal(0)
    expect(atAgain.messages).to.deep.equal([])
  })
})
