import {expect} from 'chai'

import type {ProtocolError} from '../../src/p2p/protocol.js'
import type {NodeInfo, PeerPenalised} from '../../src/p2p/types.js'

import {Cooldown, COOLDOWN_INITIAL_MS, COOLDOWN_MAX_MS} from '../../src/p2p/cooldown.js'
import {chooseDials, type KnownPeer} from '../../src/p2p/dial-policy.js'
import {SeenCache} from '../../src/p2p/flood.js'
import {LinkBudget, RecentSet} from '../../src/p2p/link-budget.js'
import {type HealthLink, PeerHealth} from '../../src/p2p/peer-health.js'
import {DISCONNECT_SCORE, MAX_POSITIVE_SCORE, PeerScores, SCORE_HALF_LIFE_MS} from '../../src/p2p/peer-score.js'

describe('cool-down list', () => {
  it('grows the period with each offence after the last one ended: 1 min, 2, 4 … capped at 1 h', () => {
    let now = 0
    const list = new Cooldown({now: () => now})
    const periods: number[] = []
    for (let i = 0; i < 9; i++) {
      const {entry, fresh} = list.add(['addr:127.0.0.1:22'], 'not_chat_protocol', '127.0.0.1:22')
      expect(fresh).to.equal(true)
      periods.push(entry.until - now)
      now = entry.until
    }

    expect(periods.slice(0, 4)).to.deep.equal([1, 2, 4, 8].map((m) => m * COOLDOWN_INITIAL_MS))
    expect(periods.at(-1)).to.equal(COOLDOWN_MAX_MS)
  })

  it('says an offender again within its period is not fresh (one line per offender), under any of its keys', () => {
    let now = 0
    const list = new Cooldown({now: () => now})
    expect(list.add(['id:X', 'addr:h:1'], 'bad_signature', 'X').fresh).to.equal(true)
    now += 1000
    const again = list.add(['ip:10.0.0.9', 'id:X'], 'bad_signature', 'X')
    expect(again.fresh).to.equal(false)
    expect(list.active('ip:10.0.0.9')).to.equal(again.entry)
    expect(list.active('addr:h:1')).to.equal(again.entry)
    expect(list.list()).to.have.length(1)
  })

  it('ends, and clears by key or all at once', () => {
    let now = 0
    const list = new Cooldown({now: () => now})
    list.add(['addr:a:1'], 'room_mismatch', 'a')
    list.add(['addr:b:2'], 'room_mismatch', 'b')
    expect(list.clear('addr:a:1')).to.equal(1)
    expect(list.active('addr:a:1')).to.equal(undefined)
    expect(list.active('addr:b:2')).to.not.equal(undefined)
    now += COOLDOWN_INITIAL_MS
    expect(list.active('addr:b:2')).to.equal(undefined)
    expect(list.list()).to.deep.equal([])
    expect(list.clear()).to.equal(1)
  })

  it('is bounded: the least recently hit offender is forgotten', () => {
    const list = new Cooldown({maxEntries: 100})
    for (let i = 0; i < 5000; i++) list.add([`ip:10.0.${i >> 8}.${i & 255}`], 'bad_length', 'x')
    expect(list.list().length).to.be.at.most(100)
    expect(list.active('ip:10.0.19.135')).to.not.equal(undefined)
  })
})

describe('peer scores', () => {
  it('crosses the disconnect threshold after one forgery, 50 repeats or 500 messages over budget', () => {
    // A frozen clock: scores decay with time, and on a loaded machine the loops below took long enough to decay.
    const scores = new PeerScores({now: () => 0})
    expect(scores.penalise('forger', 'bad_signature')).to.equal(true)
    let cut = 0
    for (let i = 0; i < 50; i++) if (scores.penalise('repeater', 'duplicate')) cut++
    expect(cut).to.equal(1)
    let drops = 0
    while (!scores.penalise('flooder', 'over_budget')) drops++
    expect(drops + 1).to.be.within(499, 501)
  })

  it('rewards first deliveries up to a cap and decays toward 0', () => {
    let now = 0
    const scores = new PeerScores({now: () => now})
    for (let i = 0; i < 10_000; i++) scores.reward('relay')
    expect(scores.score('relay')).to.equal(MAX_POSITIVE_SCORE)
    scores.penalise('bad', 'duplicate', 40)
    now += SCORE_HALF_LIFE_MS
    expect(scores.score('bad')).to.be.closeTo(-20, 0.001)
    expect(scores.score('relay')).to.be.closeTo(MAX_POSITIVE_SCORE / 2, 0.001)
    expect(DISCONNECT_SCORE).to.be.below(0)
  })
})

describe('link budget for never-seen authors', () => {
  it('passes the burst, then the rate, and counts what it drops', () => {
    let now = 0
    const budget = new LinkBudget({perSecond: 300, burst: 600}, () => now)
    const outcomes: string[] = []
    for (let i = 0; i < 1000; i++) outcomes.push(budget.takeNewAuthor())
    expect(outcomes.filter((o) => o === 'ok')).to.have.length(300)
    expect(
      outcomes.filter((o) => o === 'sustained'),
      'past half the burst',
    ).to.have.length(300)
    now += 1000
    for (let i = 0; i < 1000; i++) outcomes.push(budget.takeNewAuthor())
    expect(outcomes.filter((o) => o !== 'drop')).to.have.length(900)
    expect(budget.dropped).to.equal(1100)
  })

  it('spots the same id twice on one link; a bounded set', () => {
    const budget = new LinkBudget({perSecond: 1, burst: 1})
    expect(budget.firstOnLink('m1')).to.equal(true)
    expect(budget.firstOnLink('m1')).to.equal(false)
    const set = new RecentSet(10)
    for (let i = 0; i < 100; i++) set.touch(String(i))
    expect(set.size).to.equal(10)
  })
})

function link(overrides: Partial<HealthLink> = {}): HealthLink & {rejected: ProtocolError[]} {
  const rejected: ProtocolError[] = []
  const remote: NodeInfo = {id: 'peer-id', name: 'Eve', host: '127.0.0.1', port: 6000}
  return {
    peerId: remote.id,
    remote,
    label: 'Eve (127.0.0.1:6000)',
    direction: 'inbound',
    errorCode: undefined,
    refusedHandshake: false,
    remoteIp: '127.0.0.1',
    isOpen: true,
    rejected,
    reject: (error) => rejected.push(error),
    ...overrides,
  }
}

describe('peer health', () => {
  it('cuts a link that floods never-seen authors, sparing authors it knows', () => {
    const events: PeerPenalised[] = []
    const health = new PeerHealth((e) => events.push(e), {newAuthorRate: {perSecond: 300, burst: 600}, now: () => 0})
    const flooder = link()
    let admitted = 0
    for (let i = 0; i < 2000 && flooder.rejected.length === 0; i++) if (health.admit(flooder, `fresh-${i}`)) admitted++
    expect(admitted).to.equal(600)
    expect(flooder.rejected[0]?.code).to.equal('flooding')

    const relay = link({peerId: 'relay', remote: {id: 'relay', name: 'Bob', host: '127.0.0.1', port: 6001}})
    health.knowAuthor('ana')
    for (let i = 0; i < 5000; i++) expect(health.admit(relay, 'ana')).to.equal(true)
    expect(relay.rejected).to.deep.equal([])
  })

  it('cuts a steady stream of new authors even on a node too slow to see it go over the rate', () => {
    let now = 0
    const health = new PeerHealth(() => {}, {newAuthorRate: {perSecond: 300, burst: 600}, now: () => now})
    const flooder = link()
    // The node gets to 600 messages a second (a busy machine), all from fresh identities.
    let handled = 0
    while (flooder.rejected.length === 0 && handled < 10_000) {
      health.admit(flooder, `fresh-${handled++}`)
      now += 1000 / 600
    }

    expect(flooder.rejected[0]?.code).to.equal('flooding')
    expect(now, 'simulated ms before the cut').to.be.below(5000)
  })

  it('cuts a link that repeats messages, not one whose copies come by other paths', () => {
    const health = new PeerHealth(() => {})
    const a = link()
    const b = link({peerId: 'b'})
    health.accepted(a, 'ana', 'm1')
    for (let i = 0; i < 10; i++) health.duplicate(b, `m${i}`) // first copies on b: other paths, not penalised
    expect(b.rejected).to.deep.equal([])
    for (let i = 0; i < 60 && a.rejected.length === 0; i++) health.duplicate(a, 'm1')
    expect(a.rejected[0]?.code).to.equal('duplicate_flood')
  })

  it('cools down a protocol error by id and IP, once per period; forgives a handshake timeout', () => {
    const events: PeerPenalised[] = []
    const health = new PeerHealth((e) => events.push(e))
    const forger = link({errorCode: 'bad_signature', remoteIp: '203.0.113.7'})
    expect(health.closed(forger, true)?.fresh).to.equal(true)
    expect(health.closed(link({errorCode: 'bad_signature'}), true)?.fresh).to.equal(false)
    expect(events.map((e) => e.code)).to.deep.equal(['bad_signature'])
    expect(health.refuseInbound('203.0.113.7')).to.equal(true)
    expect(health.refuseInbound('127.0.0.1'), 'loopback is shared by every local node').to.equal(false)
    expect(health.refuseAfterHello({id: 'peer-id', name: 'x', host: '10.1.1.1', port: 1})).to.not.equal(undefined)
    expect(health.blocked('127.0.0.1', 6000, 'peer-id'), 'by its id').to.not.equal(undefined)
    expect(health.blocked('127.0.0.1', 6000), 'the address it claimed is not taken on its word').to.equal(undefined)
    expect(health.closed(link({peerId: 'slow', remote: undefined, errorCode: 'handshake_timeout'}), true)).to.equal(
      undefined,
    )
  })

  it('cools down a dialled address that closes the handshake twice in a row (a room mismatch)', () => {
    const health = new PeerHealth(() => {})
    const attempt = (): HealthLink => {
      const l = link({peerId: '', remote: undefined, direction: 'outbound', refusedHandshake: true})
      health.dialled(l, '127.0.0.1', 7000)
      return l
    }

    expect(health.closed(attempt(), false)).to.equal(undefined)
    expect(health.closed(attempt(), false)?.entry.code).to.equal('handshake_refused')
    expect(health.blocked('127.0.0.1', 7000)).to.not.equal(undefined)
  })
})

describe('seen-cache: the acceptance window, by time', () => {
  it('never makes room by forgetting an id younger than the age window', () => {
    let now = 1_000_000
    const cache = new SeenCache({maxEntries: 1000, now: () => now})
    cache.add('honest')
    now += 60_000 // a minute later, 105,000 more ids try to get in
    let refused = 0
    for (let i = 0; i < 105_000; i++) {
      if (cache.hasRoom()) cache.add(`spam-${i}`)
      else refused++
    }

    expect(cache.has('honest'), 'a one-minute-old id is still remembered').to.equal(true)
    expect(refused).to.equal(105_000 - 999)
    now += cache.protectMs // the honest id is now outside the protected window: room again
    expect(cache.hasRoom()).to.equal(true)
  })
})

describe('dial policy with peer health', () => {
  const peers: KnownPeer[] = ['a', 'b', 'c', 'd'].map((id, i) => ({id, host: '127.0.0.1', port: 10 + i, retryAt: 0}))
  const base = {selfId: 's', connectedIds: new Set<string>(), dialing: new Set<string>(), current: 0, target: 2, now: 0}

  it('never dials a peer on the cool-down list, and prefers well-scored peers', () => {
    const chosen = chooseDials(peers, {...base, target: 4, blocked: (p) => p.id === 'b'})
    expect(chosen.map((p) => p.id).sort()).to.deep.equal(['a', 'c', 'd'])
    const scores: Record<string, number> = {a: -20, b: 0, c: 5, d: 9}
    for (let i = 0; i < 20; i++) {
      expect(chooseDials(peers, {...base, score: (id) => scores[id]}).map((p) => p.id)).to.deep.equal(['d', 'c'])
    }
  })
})
