import {expect} from 'chai'

import {rng as mulberry32} from '../../bench/stats.js'
import {randomKeys, reconcileSets} from '../helpers/reconcile.js'

describe('range-based set reconciliation', () => {
  it('finds nothing to do between equal sets, in one round trip', () => {
    const keys = randomKeys(mulberry32(1), 5000)
    const result = reconcileSets(keys, keys)
    expect(result.have.size).to.equal(0)
    expect(result.need.size).to.equal(0)
    expect(result.rounds).to.equal(2)
  })

  it('handles empty sets on either side', () => {
    const keys = randomKeys(mulberry32(2), 300)
    const one = reconcileSets([], keys)
    expect(one.need.size).to.equal(300)
    const other = reconcileSets(keys, [])
    expect(other.have.size).to.equal(300)
    expect(reconcileSets([], []).rounds).to.equal(2)
  })

  for (const [shared, onlyA, onlyB] of [
    [0, 5, 7],
    [40, 1, 0],
    [10_000, 3, 4],
    [2000, 1500, 1500],
    [500, 0, 5000],
  ]) {
    it(`finds exactly the difference: ${shared} shared, ${onlyA} only on the initiator, ${onlyB} only on the responder`, () => {
      const random = mulberry32(shared + onlyA * 7 + onlyB * 13)
      const common = randomKeys(random, shared)
      const a = randomKeys(random, onlyA)
      const b = randomKeys(random, onlyB)
      const result = reconcileSets([...common, ...a], [...common, ...b])
      expect([...result.have].sort()).to.deep.equal(a.map((k) => k.id).sort())
      expect([...result.need].sort()).to.deep.equal(b.map((k) => k.id).sort())
    })
  }

  it('splits equal author times by id prefix', () => {
    const random = mulberry32(9)
    const keys = randomKeys(random, 2000).map((k) => ({...k, ts: 5}))
    const extra = randomKeys(random, 3).map((k) => ({...k, ts: 5}))
    const result = reconcileSets(keys, [...keys, ...extra])
    expect([...result.need].sort()).to.deep.equal(extra.map((k) => k.id).sort())
  })
})
