// What a new or lost peer triggers, apart from the node (src/p2p/peer-events.ts): the TCP peer exchange tells only of
// TCP peers that stay, a swarm peer's `peers` frame is not looked at, and a lost peer is said left and redialled.

import {expect} from 'chai'

import type {PeerConnection} from '../../src/p2p/connection.js'

import {HeldMessages} from '../../src/p2p/held.js'
import {LeaveGrace} from '../../src/p2p/leave-grace.js'
import {PeerEvents, type PeerEventsHost} from '../../src/p2p/peer-events.js'
import {PeerRegistry} from '../../src/p2p/registry.js'

type Fake = PeerConnection & {sent: unknown[]}

function peer(id: string, kind: 'swarm' | 'tcp' = 'tcp', transient = false): Fake {
  const remote = {id, name: id, host: '127.0.0.1', port: 4000 + id.length}
  const sent: unknown[] = []
  const fake = {
    sent,
    kind,
    transient,
    remote,
    peerId: id,
    initiatorId: id,
    direction: 'inbound',
    summary: () => ({...remote, direction: 'inbound', since: 0, transport: kind}),
    sendFrame: (frame: unknown) => sent.push(frame),
  }
  return fake as unknown as Fake
}

async function setUp(
  ...conns: Fake[]
): Promise<{events: PeerEvents; log: string[]; registry: PeerRegistry<PeerConnection>}> {
  const log: string[] = []
  const registry = new PeerRegistry<PeerConnection>()
  for (const conn of conns) await registry.add(conn)
  const host: PeerEventsHost = {
    registry,
    mesh: {
      learn: (peers) => log.push(`learn ${[...peers].map((p) => p.id).join(',')}`),
      maintain: () => log.push('maintain'),
      scheduleRedial: (_h, port) => log.push(`redial ${port}`),
    },
    roster: {
      seen: (ids) => log.push(`seen ${[...ids].join(',')}`),
      directUp: () => log.push('directUp'),
      directDown: () => log.push('directDown'),
    },
    held: new HeldMessages(),
    direct: {onPeerUp: () => log.push('direct')},
    history: {onPeerUp: () => log.push('history'), onPeerDown: () => log.push('history down')},
    sync: {initiate: async () => undefined},
    swaps: new LeaveGrace(),
    lazy: {up() {}, down() {}},
    isRunning: () => true,
    relayLate: () => log.push('late'),
    emit: ((event: string) => log.push(event)) as PeerEventsHost['emit'],
  }
  return {events: new PeerEvents(host), log, registry}
}

describe('PeerEvents', () => {
  it('tells a TCP peer of the other TCP peers that stay, and a swarm peer of none', async () => {
    const a = peer('a')
    const b = peer('bb')
    const sender = peer('ccc', 'tcp', true)
    const swarm = peer('dddd', 'swarm')
    const {events} = await setUp(a, b, sender, swarm)
    events.sendPeers(a)
    events.sendPeers(swarm)
    expect(a.sent).to.deep.equal([{type: 'peers', peers: [{id: 'bb', host: '127.0.0.1', port: 4002}]}])
    expect(swarm.sent).to.deep.equal([])
  })

  it("learns from a TCP peer's peers frame and ignores a swarm peer's", async () => {
    const {events, log} = await setUp()
    events.onPeers(peer('s', 'swarm'), {type: 'peers', peers: [{id: 'x', host: '10.0.0.1', port: 1}]})
    events.onPeers(peer('t'), {type: 'peers', peers: [{id: 'x', host: '10.0.0.1', port: 1}]})
    expect(log).to.deep.equal(['seen x', 'learn x', 'maintain'])
  })

  it('says a new peer joined after each helper did its part, and a lost one left and redials it', async () => {
    const a = peer('a')
    const {events, log} = await setUp(a)
    events.up(a)
    expect(log).to.deep.equal(['learn a', 'directUp', 'direct', 'history', 'peer_joined'])
    log.length = 0
    events.down(a, 'connection closed', true, 'closed')
    expect(log).to.deep.equal(['history down', 'directDown', 'peer_left', 'redial 4001', 'maintain'])
  })
})
