// The cost of reconciliation, in-process: two stores sharing 10,000 messages and differing by 10, 100 and 1,000.
// Bytes and round trips are printed; the assertions are on the order of growth, never on time.
import {expect} from 'chai'

import {rng} from '../../bench/stats.js'
import {MESSAGE_ID_CHARS} from '../../src/p2p/protocol.js'
import {SYNC_BUCKETS, SYNC_FRAME_BUDGET_BYTES} from '../../src/p2p/sync/reconcile.js'
import {randomKeys, reconcileSets} from '../helpers/reconcile.js'

const SHARED = 10_000
/** What sending every id would cost: the naive exchange reconciliation replaces. */
const ALL_IDS_BYTES = SHARED * (MESSAGE_ID_CHARS + 3)

describe('reconciliation cost (10,000 shared messages)', () => {
  const costs = new Map<number, {bytes: number; rounds: number}>()

  for (const differences of [10, 100, 1000]) {
    it(`${differences} differences, half on each side: found exactly, bytes grow with the differences, not the set`, () => {
      const random = rng(differences)
      const common = randomKeys(random, SHARED)
      const a = randomKeys(random, differences / 2)
      const b = randomKeys(random, differences / 2)
      const result = reconcileSets([...common, ...a], [...common, ...b])
      expect(result.have.size + result.need.size).to.equal(differences)
      costs.set(differences, {bytes: result.bytes, rounds: result.rounds})
      console.log(
        `      ${differences} differences: ${result.bytes.toLocaleString('en')} bytes in ${result.rounds} frames (${(result.bytes / differences).toFixed(0)} bytes per difference)`,
      )
      // O(d · log n) ranges: a constant number of fingerprints per difference and level of the tree of ranges.
      expect(result.bytes / differences).to.be.below(2000)
      // O(log n) frames: one per level of splitting (log8 of 10,000 ≈ 4.4) and the id lists, plus the frames a large
      // difference needs because a round is cut at the frame size.
      const levels = Math.ceil(Math.log(SHARED) / Math.log(SYNC_BUCKETS))
      expect(result.rounds).to.be.at.most(levels + 3 + 2 * Math.ceil(result.bytes / SYNC_FRAME_BUDGET_BYTES))
    })
  }

  it('10 differences cost a few kilobytes, a small fraction of exchanging every id', () => {
    expect(costs.get(10)!.bytes).to.be.below(ALL_IDS_BYTES / 10)
    // Growth is sub-linear in d until the differences cover most ranges: 100x the differences, < 100x the bytes.
    expect(costs.get(1000)!.bytes).to.be.below(100 * costs.get(10)!.bytes)
  })
})
