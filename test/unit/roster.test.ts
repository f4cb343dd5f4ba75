// The room's roster: who is in the room beyond the direct peers, and its joins and leaves at a bounded rate.
import {expect} from 'chai'
import {EventEmitter} from 'node:events'

import type {NodeInfo, RoomChurn, RoomLeft, RosterEntry} from '../../src/p2p/types.js'

import {ROOM_NOTICE_BURST, Roster, ROSTER_EXPIRY_MS} from '../../src/p2p/roster.js'
import {nextEvent} from '../helpers/wait.js'

const node = (n: number): NodeInfo => ({id: `id${n}`, name: `N${n}`, host: '127.0.0.1', port: 5000 + n})

/** Lets the join grace (10 ms here) run out. */
const graceOver = (): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, 30)
  })

function makeRoster(options: {maxEntries?: number; churnIntervalMs?: number} = {}) {
  let now = 1_000_000
  const direct = new Set<string>()
  const events = new EventEmitter()
  const joined: RosterEntry[] = []
  const left: RoomLeft[] = []
  const roster = new Roster(
    {
      isDirect: (id) => direct.has(id),
      joined: (entry) => joined.push(entry),
      left: (entry) => left.push(entry),
      churn: (churn) => events.emit('churn', churn),
    },
    {now: () => now, joinGraceMs: 10, ...options},
  )
  return {
    roster,
    direct,
    joined,
    left,
    events,
    advance(ms: number) {
      now += ms
    },
    now: () => now,
  }
}

describe('Roster', () => {
  it('announces a node that joins the room through others, and its leave', async () => {
    const {joined, left, now, roster} = makeRoster()
    roster.announced(node(1), {leaving: false, live: true, ts: now()})
    expect(joined, 'not before the grace is over').to.deep.equal([])
    await graceOver()
    expect(joined.map((e) => e.name)).to.deep.equal(['N1'])
    expect(roster.list()).to.deep.equal([{...node(1), direct: false, present: true, lastSeen: now()}])
    roster.announced(node(1), {leaving: false, live: true, ts: now() + 1}) // its 10-minute re-announcement
    await graceOver()
    expect(joined).to.have.length(1)
    roster.announced(node(1), {leaving: true, live: true, ts: now() + 2})
    expect(left.map((e) => [e.name, e.reason])).to.deep.equal([['N1', 'quit']])
    expect(roster.list()).to.deep.equal([])
  })

  it('says nothing of direct peers (their connection does), but lists them as direct', () => {
    const {direct, joined, left, now, roster} = makeRoster()
    direct.add('id2')
    roster.directUp(node(2))
    roster.announced(node(2), {leaving: false, live: true, ts: now()})
    expect(roster.list().map((e) => [e.name, e.direct])).to.deep.equal([['N2', true]])
    roster.announced(node(2), {leaving: true, live: true, ts: now() + 1})
    roster.directDown(node(2), 'quit')
    expect(joined).to.deep.equal([])
    expect(left).to.deep.equal([])
    expect(roster.list()).to.deep.equal([])
  })

  it('takes the room handed over on joining (keys) quietly, and skips announcements too old to be news', () => {
    const {joined, now, roster} = makeRoster()
    roster.announced(node(3), {leaving: false, live: false, ts: now() - 60_000})
    roster.announced(node(4), {leaving: false, live: false, ts: now() - ROSTER_EXPIRY_MS - 1})
    expect(joined).to.deep.equal([])
    expect(roster.list().map((e) => [e.name, e.lastSeen])).to.deep.equal([['N3', now() - 60_000]])
  })

  it('lists a message author quietly, and forgets it quietly when it goes silent (a chat send)', () => {
    const {advance, joined, left, roster} = makeRoster()
    roster.heard(node(5))
    expect(roster.list().map((e) => e.name)).to.deep.equal(['N5'])
    advance(ROSTER_EXPIRY_MS + 1)
    roster.sweep()
    expect(roster.list()).to.deep.equal([])
    expect(joined).to.deep.equal([])
    expect(left).to.deep.equal([])
  })

  it('takes an announced node not heard of for 25 minutes as gone, unless a peer says it is connected to it', async () => {
    const {advance, left, now, roster} = makeRoster()
    roster.announced(node(6), {leaving: false, live: true, ts: now()})
    roster.announced(node(7), {leaving: false, live: true, ts: now()})
    await graceOver()
    advance(ROSTER_EXPIRY_MS - 1000)
    roster.seen(['id7', 'unknown'])
    advance(2000)
    roster.sweep()
    expect(left.map((e) => [e.name, e.reason])).to.deep.equal([['N6', 'timeout']])
    expect(roster.list().map((e) => e.name)).to.deep.equal(['N7'])
  })

  it('tells no join for a node that connects to us within the grace (its connection says it), nor one that left', async () => {
    const {direct, joined, left, now, roster} = makeRoster()
    roster.announced(node(9), {leaving: false, live: true, ts: now()})
    direct.add('id9')
    roster.directUp(node(9))
    roster.announced(node(10), {leaving: false, live: true, ts: now()})
    roster.announced(node(10), {leaving: true, live: true, ts: now() + 1})
    await graceOver()
    expect(joined).to.deep.equal([])
    expect(left, 'its join was never told, so neither is its leave').to.deep.equal([])
  })

  it('ignores a late, older announcement after a leave', async () => {
    const {joined, now, roster} = makeRoster()
    roster.announced(node(8), {leaving: false, live: true, ts: now()})
    await graceOver()
    roster.announced(node(8), {leaving: true, live: true, ts: now() + 10})
    roster.announced(node(8), {leaving: false, live: true, ts: now() + 5})
    await graceOver()
    expect(joined).to.have.length(1)
    expect(roster.list()).to.deep.equal([])
  })

  it('is bounded: the node heard of least recently is forgotten', () => {
    const {roster} = makeRoster({maxEntries: 3})
    for (let n = 1; n <= 5; n++) roster.heard(node(n))
    roster.heard(node(3))
    expect(roster.list().map((e) => e.name)).to.deep.equal(['N3', 'N5', 'N4'])
  })

  it('announces a burst of joins one by one, then sums the rest up', async () => {
    const {events, joined, now, roster} = makeRoster({churnIntervalMs: 50})
    const churn = nextEvent<[RoomChurn]>(events, 'churn')
    for (let n = 1; n <= 20; n++) roster.announced(node(n), {leaving: false, live: true, ts: now()})
    await graceOver()
    expect(joined).to.have.length(ROOM_NOTICE_BURST)
    expect((await churn)[0]).to.deep.equal({joined: 20 - ROOM_NOTICE_BURST, left: 0})
  })
})
