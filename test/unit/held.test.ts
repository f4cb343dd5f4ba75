// Messages written while no peer is connected: kept, bounded in count and age, and accounted for when released.
import {expect} from 'chai'

import {HeldMessages} from '../../src/p2p/held.js'

describe('HeldMessages', () => {
  it('gives back what it holds, oldest first, once', () => {
    const held = new HeldMessages<string>()
    held.hold('a', 1000)
    held.hold('b', 2000)
    expect(held.size).to.equal(2)
    expect(held.release(3000)).to.deep.equal({send: ['a', 'b'], dropped: 0})
    expect(held.release(3000)).to.deep.equal({send: [], dropped: 0})
  })

  it('counts as dropped what waited longer than peers accept, and what overflowed the limit', () => {
    const held = new HeldMessages<string>({max: 2, maxAgeMs: 60_000})
    held.hold('old', 0)
    held.hold('young', 50_000)
    held.hold('newest', 58_000) // pushes out 'old'
    expect(held.size).to.equal(2)
    // At 60 s 'young' is 10 s old, within 60 s less the 5 s margin; 'newest' too.
    expect(held.release(60_000)).to.deep.equal({send: ['young', 'newest'], dropped: 1})
    held.hold('stale', 0)
    expect(held.release(56_000)).to.deep.equal({send: [], dropped: 1})
  })
})
