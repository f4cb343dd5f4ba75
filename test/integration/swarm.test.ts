// ChatNodes finding each other on Hyperswarm: a real hyperdht testnet on 127.0.0.1 (never the public bootstrap
// nodes), real swarm streams, the real room handshake over them.
import {expect} from 'chai'
import {createRequire} from 'node:module'

import type {ChatMessage, NodeWarning} from '../../src/p2p/types.js'

import {ChatNode, type ChatNodeOptions} from '../../src/p2p/node.js'
import {deriveRoomKey, newInviteCode, type RoomKey} from '../../src/p2p/room.js'
import {waitFor} from '../helpers/wait.js'

interface Testnet {
  bootstrap: Array<{host: string; port: number}>
  destroy(): Promise<void>
}

const require = createRequire(import.meta.url)
const createTestnet = require('hyperdht/testnet') as (size: number, options: {host: string}) => Promise<Testnet>

const WAIT_MS = 60_000

describe('chat over Hyperswarm (a local DHT testnet on 127.0.0.1)', function () {
  this.timeout(180_000)
  let testnet: Testnet
  let nodes: ChatNode[] = []

  before(async () => {
    testnet = await createTestnet(3, {host: '127.0.0.1'})
  })

  after(async () => {
    await testnet?.destroy()
  })

  afterEach(async () => {
    await Promise.all(nodes.map((node) => node.stop()))
    nodes = []
  })

  async function swarmNode(name: string, room: RoomKey, options: Partial<ChatNodeOptions> = {}): Promise<ChatNode> {
    const node = new ChatNode({
      name,
      host: '127.0.0.1',
      port: 0,
      room,
      swarm: {bootstrap: testnet.bootstrap},
      ...options,
    })
    nodes.push(node)
    await node.start()
    return node
  }

  function subscribeAll(list: ChatNode[]) {
    return (recheck: () => void) => {
      for (const node of list) {
        node.on('peer_joined', recheck)
        node.on('peer_left', recheck)
        node.on('message', recheck)
      }

      return () => {
        for (const node of list) {
          node.off('peer_joined', recheck)
          node.off('peer_left', recheck)
          node.off('message', recheck)
        }
      }
    }
  }

  /** Waits until every node can reach every other through links both ends have registered. */
  async function connected(list: ChatNode[]): Promise<void> {
    await waitFor(
      `${list.length} swarm nodes to form one connected network`,
      subscribeAll(list),
      () => {
        const byId = new Map(list.map((node) => [node.id, node]))
        const seen = new Set([list[0].id])
        const queue = [list[0]]
        while (queue.length > 0) {
          const node = queue.shift()!
          for (const peer of node.peers()) {
            // Both ends must have registered the link: a node that has no peer yet sends to an empty room.
            if (
              seen.has(peer.id) ||
              !byId
                .get(peer.id)
                ?.peers()
                .some((back) => back.id === node.id)
            )
              continue
            seen.add(peer.id)
            queue.push(byId.get(peer.id)!)
          }
        }

        return seen.size === list.length || undefined
      },
      WAIT_MS,
    )
  }

  /** Every node sends one message; resolves with what each received (exactly once each is checked by the caller). */
  async function chatAll(list: ChatNode[]): Promise<Map<ChatNode, ChatMessage[]>> {
    const got = new Map<ChatNode, ChatMessage[]>()
    for (const node of list) {
      const messages: ChatMessage[] = []
      got.set(node, messages)
      node.on('message', (message) => messages.push(message))
    }

    for (const node of list) node.send(`hello from ${node.name}`)
    await waitFor(
      'every message at every node',
      subscribeAll(list),
      () =>
        [...got.values()].every((messages) => new Set(messages.map((m) => m.id)).size >= list.length - 1) || undefined,
      WAIT_MS,
    )
    return got
  }

  function expectExactlyOnce(list: ChatNode[], got: Map<ChatNode, ChatMessage[]>): void {
    for (const node of list) {
      const texts = got
        .get(node)!
        .map((m) => m.text)
        .sort()
      const expected = list
        .filter((other) => other !== node)
        .map((other) => `hello from ${other.name}`)
        .sort()
      expect(texts, `${node.name} received each message exactly once`).to.deep.equal(expected)
    }
  }

  it('three nodes of one room find each other on the DHT and chat: every message once at every node, over swarm streams', async () => {
    const room = await deriveRoomKey(newInviteCode())
    const list = await Promise.all(['Ana', 'Bia', 'Caio'].map((name) => swarmNode(name, room)))
    await connected(list)
    for (const node of list) for (const peer of node.peers()) expect(peer.transport).to.equal('swarm')
    expectExactlyOnce(list, await chatAll(list))
  })

  it('a node with another secret finds nobody and gets nothing in', async () => {
    const room = await deriveRoomKey(newInviteCode())
    const list = await Promise.all(['Ana', 'Bia'].map((name) => swarmNode(name, room)))
    const stranger = await swarmNode('Eve', await deriveRoomKey(newInviteCode()))
    const strangerGot: ChatMessage[] = []
    stranger.on('message', (m) => strangerGot.push(m))
    await connected(list)
    expectExactlyOnce(list, await chatAll(list))
    expect(stranger.peers()).to.deep.equal([])
    expect(strangerGot).to.deep.equal([])
    for (const node of list) expect(node.peers().map((p) => p.id)).not.to.include(stranger.id)
  })

  it('a peer reachable over the swarm and over TCP ends with one connection, the same at both ends, with no spurious leave', async () => {
    const room = await deriveRoomKey(newInviteCode())
    const a = await swarmNode('Ana', room)
    const b = await swarmNode('Bia', room)
    await connected([a, b])
    expect(a.peers()[0].transport).to.equal('swarm')
    const left: string[] = []
    a.on('peer_left', (p) => left.push(p.reason))
    b.on('peer_left', (p) => left.push(p.reason))
    // Now the same pair over TCP too (by another spelling of the address, so the dial is not short-cut as "already
    // connected there"): both ends settle on one connection, and agree on which.
    const warnings: string[] = []
    a.on('warning', (w) => warnings.push(w.code))
    b.on('warning', (w) => warnings.push(w.code))
    const viaTcp = await b.connect('localhost', a.info.port, {persistent: false})
    expect(viaTcp.id).to.equal(a.id)
    // B opened the TCP one; whichever of the two is kept, both ends keep the same (registry.ts).
    expectExactlyOnce([a, b], await chatAll([a, b]))
    expect(await a.confirmDelivery()).to.have.length(1)
    expect(await b.confirmDelivery()).to.have.length(1)
    expect(a.peers().map((p) => p.id)).to.deep.equal([b.id])
    expect(b.peers().map((p) => p.id)).to.deep.equal([a.id])
    expect(a.peers()[0].transport).to.equal(b.peers()[0].transport)
    expect(left, 'no spurious leave').to.deep.equal([])
    expect(warnings, 'a connected peer is not reported unreachable').to.not.include('swarm_unreachable')
  })

  it('thirty nodes join one topic and chat: delivered 1.0, no duplicates, no node above its degree of dialled peers', async () => {
    const room = await deriveRoomKey(newInviteCode())
    const names = Array.from({length: 30}, (_, i) => `n${i}`)
    const list: ChatNode[] = []
    for (const name of names) list.push(await swarmNode(name, room, {degree: 4, maxPeers: 32}))
    await connected(list)
    expectExactlyOnce(list, await chatAll(list))
    // Hyperswarm stops dialling at maxPeers (the degree) connections of either direction, with up to 3 dials in
    // flight: a room of 30 is not a full mesh.
    for (const node of list) expect(node.peers().filter((p) => p.direction === 'outbound').length).to.be.at.most(4 + 3)
    const links = list.reduce((sum, node) => sum + node.peers().length, 0) / 2
    expect(links, 'links between 30 nodes').to.be.below((30 * 29) / 4)
  })

  it('says in one line when the DHT cannot be reached, and keeps running on TCP', async () => {
    const warnings: NodeWarning[] = []
    const lonely = new ChatNode({
      name: 'Solo',
      host: '127.0.0.1',
      port: 0,
      swarm: {bootstrap: [{host: '127.0.0.1', port: 9}]},
    })
    nodes.push(lonely)
    lonely.on('warning', (w) => warnings.push(w))
    await lonely.start()
    const friend = new ChatNode({name: 'Friend', host: '127.0.0.1', port: 0})
    nodes.push(friend)
    await friend.start()
    await friend.connect('127.0.0.1', lonely.info.port)
    await waitFor(
      'the dht_unreachable warning',
      (recheck) => {
        lonely.on('warning', recheck)
        return () => lonely.off('warning', recheck)
      },
      () => warnings.some((w) => w.code === 'dht_unreachable') || undefined,
      WAIT_MS,
    )
    expect(warnings.filter((w) => w.code === 'dht_unreachable')).to.have.length(1)
    expect(lonely.peers().map((p) => p.transport)).to.deep.equal(['tcp'])
  })
})
