import {expect} from 'chai'

import {relayTargets, SeenCache} from '../../src/p2p/flood.js'

describe('flood: seen-cache', () => {
  it('reports a repeated id as a duplicate', () => {
    const cache = new SeenCache()
    expect(cache.add('a')).to.equal(true)
    expect(cache.add('a')).to.equal(false)
    expect(cache.has('a')).to.equal(true)
  })

  it('is bounded by count, evicting the oldest first', () => {
    const cache = new SeenCache({maxEntries: 3})
    for (const id of ['a', 'b', 'c', 'd']) cache.add(id)
    expect(cache.size).to.equal(3)
    expect(cache.has('a')).to.equal(false)
    expect(cache.has('d')).to.equal(true)
  })

  it('forgets ids older than its age limit', () => {
    let now = 1000
    const cache = new SeenCache({ttlMs: 100, now: () => now})
    cache.add('old')
    now += 50
    cache.add('young')
    now += 60
    expect(cache.has('old')).to.equal(false)
    expect(cache.has('young')).to.equal(true)
    expect(cache.size).to.equal(1)
  })

  it('never grows past its bound under a long stream of ids', () => {
    const cache = new SeenCache({maxEntries: 1000})
    for (let i = 0; i < 50_000; i++) cache.add(`id-${i}`)
    expect(cache.size).to.equal(1000)
  })
})

describe('flood: relay targets', () => {
  it('forwards to every peer except the one the message came from', () => {
    expect(relayTargets(['a', 'b', 'c'], 'b')).to.deep.equal(['a', 'c'])
    expect(relayTargets(['a', 'b'], undefined)).to.deep.equal(['a', 'b'])
  })
})
