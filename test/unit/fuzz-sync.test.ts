// Property-based fuzzing of the reconciliation frames (`sync`, `sync_want`, `sync_items`) and of the reconciler fed
// whatever the decoder lets through: only ProtocolError with a known code escapes the decoder, what it returns is
// bounded and ordered, and a reconciler answers any decoded round without throwing and within the frame limits.
import {expect} from 'chai'
import * as fc from 'fast-check'

import {rng} from '../../bench/stats.js'
import {
  compareBounds,
  decodeFrame,
  encodeBody,
  MAX_SYNC_IDS,
  MAX_SYNC_ITEMS,
  MAX_SYNC_RANGES,
  MAX_SYNC_WANT,
  ProtocolError,
  type SyncRange,
} from '../../src/p2p/protocol.js'
import {Reconciler} from '../../src/p2p/sync/reconcile.js'
import {compareKeys} from '../../src/p2p/sync/store.js'
import {randomKeys} from '../helpers/reconcile.js'

const SEED = 0x5e_ed_5e_c7
const RUNS = 1500
const CODES = new Set(['bad_utf8', 'bad_json', 'bad_frame', 'bad_field'])

const hex = (n: number): fc.Arbitrary<string> => fc.stringMatching(new RegExp(`^[0-9a-f]{${n}}$`))
const nearId = fc.oneof(hex(32), hex(31), fc.string({maxLength: 40}), fc.integer(), fc.constant(null))
const nearTs = fc.oneof(
  fc.constant(null),
  fc.nat(),
  fc.integer(),
  fc.double(),
  fc.constant('1'),
  fc.constant(Number.MAX_SAFE_INTEGER),
)
const nearRange = fc.oneof(
  fc.tuple(nearTs, fc.oneof(hex(2), fc.constant(''), fc.string({maxLength: 3}))),
  fc.tuple(nearTs, hex(1), fc.oneof(fc.stringMatching(/^[A-Za-z0-9_-]{22}$/), fc.string({maxLength: 30}))),
  fc.tuple(nearTs, fc.constant(''), fc.array(nearId, {maxLength: 5})),
  fc.anything(),
)
const nearFrame = fc.oneof(
  fc.record({type: fc.constant('sync'), ranges: fc.oneof(fc.array(nearRange, {maxLength: 12}), fc.anything())}),
  fc.record({type: fc.constant('sync_want'), ids: fc.oneof(fc.array(nearId, {maxLength: 6}), fc.anything())}),
  fc.record({
    type: fc.constant('sync_items'),
    items: fc.array(
      fc.record({
        kind: fc.oneof(fc.constant('chat'), fc.constant('dm'), fc.constant('announce'), fc.string()),
        payload: fc.string(),
        sig: fc.stringMatching(/^[A-Za-z0-9_-]{86}$/),
      }),
      {maxLength: 4},
    ),
  }),
)

function decodeTyped(bytes: Uint8Array): ReturnType<typeof decodeFrame> | undefined {
  try {
    return decodeFrame(bytes)
  } catch (error) {
    if (!(error instanceof ProtocolError))
      throw new Error(`a non-ProtocolError escaped: ${String(error)}`, {cause: error})
    if (!CODES.has(error.code)) throw new Error(`unknown code ${error.code}`)
    return undefined
  }
}

function expectValidRanges(ranges: SyncRange[]): void {
  expect(ranges.length).to.be.at.most(MAX_SYNC_RANGES)
  let ids = 0
  for (const [i, range] of ranges.entries()) {
    if (i > 0) expect(compareBounds([ranges[i - 1][0], ranges[i - 1][1]], [range[0], range[1]])).to.equal(-1)
    if (Array.isArray(range[2])) ids += range[2].length
  }

  expect(ids).to.be.at.most(MAX_SYNC_IDS)
}

describe('fuzz: reconciliation frames', () => {
  const keys = randomKeys(rng(5), 3000, 1000).sort(compareKeys)
  const initiator = new Reconciler(keys, 'initiator')
  const responder = new Reconciler(keys, 'responder')

  it('near-valid sync frames: only a known ProtocolError, or bounded ordered output a reconciler answers', () => {
    fc.assert(
      fc.property(nearFrame, (obj) => {
        const frame = decodeTyped(Buffer.from(JSON.stringify(obj) ?? 'null', 'utf8'))
        if (!frame) return
        switch (frame.type) {
          case 'sync': {
            expectValidRanges(frame.ranges)
            for (const side of [initiator, responder]) {
              const step = side.reconcile(frame.ranges)
              expectValidRanges(step.ranges)
              // What a side answers always fits in a frame.
              encodeBody({type: 'sync', ranges: step.ranges})
            }

            return
          }

          case 'sync_want': {
            expect(frame.ids.length).to.be.at.most(MAX_SYNC_WANT)
            for (const id of frame.ids) expect(id).to.match(/^[0-9a-f]{32}$/)
            return
          }

          case 'sync_items': {
            expect(frame.items.length).to.be.at.most(MAX_SYNC_ITEMS)
            for (const item of frame.items) expect(['announce', 'chat', 'dm']).to.include(item.kind)
            return
          }

          default: {
            expect.fail(`decoded as ${frame.type}`)
          }
        }
      }),
      {seed: SEED, numRuns: RUNS},
    )
  })

  it('arbitrary bytes: only a known ProtocolError', () => {
    fc.assert(
      fc.property(fc.uint8Array({maxLength: 200}), (bytes) => {
        decodeTyped(Buffer.concat([Buffer.from('{"type":"sync","ranges":'), bytes]))
      }),
      {seed: SEED + 1, numRuns: RUNS},
    )
  })

  it('what a reconciler sends decodes back to the same ranges', () => {
    fc.assert(
      fc.property(fc.integer({min: 0, max: 2000}), fc.integer({min: 0, max: 100}), (n, seed) => {
        const own = randomKeys(rng(seed), n, 500).sort(compareKeys)
        const ranges = new Reconciler(own, 'initiator').initiate()
        const decoded = decodeFrame(encodeBody({type: 'sync', ranges}))
        expect(decoded).to.deep.equal({type: 'sync', ranges})
      }),
      {seed: SEED + 2, numRuns: 100},
    )
  })
})
