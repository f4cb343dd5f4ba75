// Two in-memory reconcilers talking through the real encoder and decoder: what each side lacks and what it cost
// (the bench's reconciliation section and test/unit/sync-cost.test.ts).
import {decodeFrame, encodeBody, type SyncRange} from '../src/p2p/protocol.js'
import {Reconciler} from '../src/p2p/sync/reconcile.js'
import {compareKeys, type StoreKey} from '../src/p2p/sync/store.js'

/** Runs a whole reconciliation through the real encoder and decoder: what each side lacks, and what it cost. */
export function reconcileSets(
  a: StoreKey[],
  b: StoreKey[],
): {bytes: number; have: Set<string>; need: Set<string>; rounds: number} {
  const initiator = new Reconciler([...a].sort(compareKeys), 'initiator')
  const responder = new Reconciler([...b].sort(compareKeys), 'responder')
  const have = new Set<string>()
  const need = new Set<string>()
  let bytes = 0
  let rounds = 0
  const wire = (ranges: SyncRange[]): SyncRange[] => {
    const body = encodeBody({type: 'sync', ranges})
    bytes += body.length
    rounds++
    const decoded = decodeFrame(body)
    if (decoded.type !== 'sync') throw new Error('not a sync frame')
    return decoded.ranges
  }

  let query = initiator.initiate()
  for (;;) {
    const answer = responder.reconcile(wire(query)).ranges
    const step = initiator.reconcile(wire(answer))
    for (const id of step.have) have.add(id)
    for (const id of step.need) need.add(id)
    if (step.ranges.length === 0) break
    if (rounds > 200) throw new Error('reconciliation does not end')
    query = step.ranges
  }

  return {bytes, have, need, rounds}
}

/** `n` random ids at random times within `spanMs` (all sets of one test share the span, so they interleave). */
export function randomKeys(
  random: () => number,
  n: number,
  spanMs = 10_000_000,
  baseTs = 1_764_000_000_000,
): StoreKey[] {
  const keys: StoreKey[] = []
  for (let i = 0; i < n; i++) {
    let id = ''
    for (let k = 0; k < 4; k++)
      id += Math.floor(random() * 0x1_00_00_00_00)
        .toString(16)
        .padStart(8, '0')
    keys.push({id, ts: baseTs + Math.floor(random() * spanMs)})
  }

  return keys
}
