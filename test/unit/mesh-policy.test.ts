import {expect} from 'chai'

import {Backoff, backoffDelay} from '../../src/p2p/backoff.js'
import {chooseDials, type KnownPeer} from '../../src/p2p/dial-policy.js'
import {KeyedRateLimiter, TokenBucket} from '../../src/p2p/rate-limit.js'

function peer(id: string, port: number, retryAt = 0): KnownPeer {
  return {id, host: '127.0.0.1', port, retryAt}
}

const known = [peer('self', 1), peer('a', 2), peer('b', 3), peer('c', 4), peer('d', 5), peer('e', 6, 5000)]

describe('dial policy', () => {
  const base = {
    selfId: 'self',
    connectedIds: new Set<string>(),
    dialing: new Set<string>(),
    current: 0,
    target: 4,
    now: 1000,
  }

  it('dials up to the target, never itself, never a peer in backoff', () => {
    const chosen = chooseDials(known, base)
    expect(chosen.map((p) => p.id).sort()).to.deep.equal(['a', 'b', 'c', 'd'])
  })

  it('stops at the target and never dials connected peers or addresses being dialled', () => {
    expect(chooseDials(known, {...base, current: 4})).to.deep.equal([])
    expect(chooseDials(known, {...base, current: 5})).to.deep.equal([])
    const chosen = chooseDials(known, {
      ...base,
      connectedIds: new Set(['a']),
      dialing: new Set(['127.0.0.1:3']),
      current: 2,
    })
    expect(chosen.map((p) => p.id).sort()).to.deep.equal(['c', 'd'])
  })

  it('chooses at random among the candidates', () => {
    const seen = new Set<string>()
    let x = 0
    const random = (): number => {
      x = (x + 0.37) % 1
      return x
    }

    for (let i = 0; i < 20; i++) seen.add(chooseDials(known, {...base, target: 1, random})[0].id)
    expect(seen.size).to.be.greaterThan(1)
  })

  it('dials a peer whose backoff has expired', () => {
    expect(
      chooseDials(known, {...base, now: 6000, connectedIds: new Set(['a', 'b', 'c', 'd']), current: 0}).map(
        (p) => p.id,
      ),
    ).to.deep.equal(['e'])
  })
})

describe('backoff', () => {
  it('doubles from 0.5 s to 30 s with ±20 % jitter, and resets', () => {
    const low = new Backoff({random: () => 0})
    const high = new Backoff({random: () => 1})
    const mid = new Backoff({random: () => 0.5})
    expect(Array.from({length: 9}, () => mid.next())).to.deep.equal([
      500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000,
    ])
    expect(low.next()).to.equal(400)
    expect(high.next()).to.equal(600)
    mid.reset()
    expect(mid.next()).to.equal(500)
  })

  it("is one scheme: without jitter it is the mesh's retry of a known peer (4 s after one failure, doubling to 64 s)", () => {
    const mesh = {initialMs: 2000, maxMs: 64_000}
    expect([1, 2, 3, 4, 5, 6].map((failures) => backoffDelay(failures, mesh))).to.deep.equal([
      4000, 8000, 16_000, 32_000, 64_000, 64_000,
    ])
    expect(backoffDelay(0, {initialMs: 500, maxMs: 30_000, jitter: 0.2, random: () => 1})).to.equal(600)
  })
})

describe('rate limits', () => {
  it('lets a burst through, then the steady rate', () => {
    let now = 0
    const bucket = new TokenBucket(100, 500, () => now)
    let passed = 0
    for (let i = 0; i < 1000; i++) if (bucket.take()) passed++
    expect(passed).to.equal(500)
    now += 1000
    passed = 0
    for (let i = 0; i < 1000; i++) if (bucket.take()) passed++
    expect(passed).to.equal(100)
  })

  it('passes a legitimate 100 messages/s burst from one author', () => {
    let now = 0
    const limiter = new KeyedRateLimiter(100, 500, 10, () => now)
    for (let second = 0; second < 10; second++) {
      for (let i = 0; i < 100; i++) expect(limiter.take('bot'), `second ${second}, message ${i}`).to.equal(true)
      now += 1000
    }
  })

  it('keeps one bucket per key and forgets the least recently used beyond its bound', () => {
    let now = 0
    const limiter = new KeyedRateLimiter(1, 1, 2, () => now)
    expect(limiter.take('a')).to.equal(true)
    expect(limiter.take('a')).to.equal(false)
    expect(limiter.take('b')).to.equal(true)
    expect(limiter.take('c')).to.equal(true) // evicts a
    expect(limiter.size).to.equal(2)
    expect(limiter.take('a')).to.equal(true) // a fresh bucket
    now += 1
  })
})
