// The room's roster over real sockets: a chain A – B – C (degree 0), where A hears of C only through B.
import {expect} from 'chai'

import type {RoomLeft, RosterEntry} from '../../src/p2p/types.js'

import {useNodes} from '../helpers/nodes.js'
import {nextEvent, poll} from '../helpers/wait.js'

describe('the room roster (/who)', function () {
  this.timeout(20_000)
  const nodes = useNodes({degree: 0})
  const node = (name: string) => nodes.start(name)

  it("lists nodes beyond the direct peers, announces their joins and leaves, and not the direct peers'", async () => {
    const a = await node('A')
    const b = await node('B')
    const joinedAtA: RosterEntry[] = []
    a.on('room_joined', (entry) => joinedAtA.push(entry))
    await b.connect('127.0.0.1', a.info.port, {persistent: false})
    const cJoined = nextEvent<[RosterEntry]>(a, 'room_joined', (entry) => entry.name === 'C')
    const c = await node('C')
    await c.connect('127.0.0.1', b.info.port, {persistent: false})
    expect((await cJoined)[0]).to.deep.include({id: c.id, name: 'C', direct: false})
    expect(
      joinedAtA.map((e) => e.name),
      'B is a direct peer: its connection says it joined',
    ).to.deep.equal(['C'])

    const roster = a.roster()
    expect(roster.map((e) => [e.name, e.direct]).sort()).to.deep.equal([
      ['B', true],
      ['C', false],
    ])
    for (const entry of roster) expect(entry.lastSeen).to.be.a('number').and.greaterThan(0)

    // C leaves: it tells the room as it stops, and B relays it to A.
    const cLeft = nextEvent<[RoomLeft]>(a, 'room_left')
    await c.stop()
    expect((await cLeft)[0]).to.deep.include({id: c.id, reason: 'quit'})
    await poll("C gone from A's roster", () => a.roster().every((e) => e.name !== 'C'))
    expect(a.roster().map((e) => e.name)).to.deep.equal(['B'])
    // C can no longer be written to: its key is forgotten.
    expect(a.directory().map((n) => n.name)).to.not.include('C')
  })
})
