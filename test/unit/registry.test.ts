import {expect} from 'chai'

import {PeerRegistry, preferredConnection, type RegistryEntry} from '../../src/p2p/registry.js'

function entry(peerId: string, initiatorId: string): RegistryEntry {
  return {peerId, initiatorId}
}

describe('registry', () => {
  it('keeps the connection opened by the smaller id, whichever arrives first', async () => {
    // Node "a" and node "b" dial each other at once: a sees (peer b, opened by a) and (peer b, opened by b).
    for (const order of [0, 1]) {
      const mine = entry('b', 'a')
      const theirs = entry('b', 'b')
      const registry = new PeerRegistry<RegistryEntry>()
      const [first, second] = order === 0 ? [mine, theirs] : [theirs, mine]
      await registry.add(first)
      await registry.add(second)
      expect(registry.get('b')).to.equal(mine)
      expect(registry.size).to.equal(1)
    }

    expect(preferredConnection(entry('a', 'b'), entry('a', 'a')).initiatorId).to.equal('a')
  })

  it('keeps the TCP connection when one node opened both a TCP and a swarm connection, whichever hello came first', async () => {
    for (const order of [0, 1]) {
      const tcp = {peerId: 'b', initiatorId: 'a', kind: 'tcp' as const}
      const swarm = {peerId: 'b', initiatorId: 'a', kind: 'swarm' as const}
      const registry = new PeerRegistry<RegistryEntry>()
      const [first, second] = order === 0 ? [tcp, swarm] : [swarm, tcp]
      await registry.add(first)
      await registry.add(second)
      expect(registry.get('b')).to.equal(tcp)
    }
  })

  it('settles concurrent adds of the same peer to exactly one entry', async () => {
    const registry = new PeerRegistry<RegistryEntry>()
    const conns = Array.from({length: 50}, (_, i) => entry('peer', i % 2 === 0 ? 'peer' : 'me'))
    const results = await Promise.all(conns.map((c) => registry.add(c)))
    expect(registry.size).to.equal(1)
    expect(registry.get('peer')?.initiatorId).to.equal('me')
    expect(results.filter((r) => r.status === 'added')).to.have.length(1)
  })

  it('removes an entry only if it is still the same connection', async () => {
    const registry = new PeerRegistry<RegistryEntry>()
    const old = entry('b', 'b')
    const winner = entry('b', 'a')
    await registry.add(old)
    expect((await registry.add(winner)).status).to.equal('replaced')
    expect(await registry.remove(old)).to.equal(false)
    expect(registry.get('b')).to.equal(winner)
    expect(await registry.remove(winner)).to.equal(true)
    expect(registry.size).to.equal(0)
  })

  it('never exceeds its cap under concurrent adds and removes', async () => {
    const registry = new PeerRegistry<RegistryEntry>(8)
    const conns = Array.from({length: 40}, (_, i) => entry(`p${i}`, 'me'))
    const ops: Array<Promise<unknown>> = []
    for (const [i, conn] of conns.entries()) {
      ops.push(registry.add(conn))
      if (i % 3 === 0) ops.push(registry.remove(conns[Math.max(0, i - 2)]))
      ops.push(
        Promise.resolve().then(() => {
          expect(registry.size).to.be.at.most(8)
        }),
      )
    }

    const results = await Promise.all(ops)
    expect(registry.size).to.be.at.most(8)
    expect(
      results.some((r) => typeof r === 'object' && r !== null && (r as {status: string}).status === 'full'),
    ).to.equal(true)
  })

  it('lets only one dial to an address be under way', async () => {
    const registry = new PeerRegistry<RegistryEntry>()
    const claims = await Promise.all([registry.beginDial('h:1'), registry.beginDial('h:1'), registry.beginDial('h:2')])
    expect(claims).to.deep.equal([true, false, true])
    await registry.endDial('h:1')
    expect(await registry.beginDial('h:1')).to.equal(true)
  })
})
