import {expect} from 'chai'

import {MessageStore, type StoredFrame} from '../../src/p2p/sync/store.js'

function frame(ts: number, id: string): StoredFrame {
  return {id: id.padStart(32, '0'), ts, kind: 'chat', payload: `{"ts":${ts}}`, sig: 's'}
}

describe('MessageStore', () => {
  it('keeps frames sorted by (author time, id) whatever order they arrive in, and dedups by id', () => {
    const store = new MessageStore({now: () => 10_000})
    expect(store.add(frame(300, 'b'))).to.equal(true)
    expect(store.add(frame(100, 'c'))).to.equal(true)
    expect(store.add(frame(300, 'a'))).to.equal(true)
    expect(store.add(frame(300, 'a'))).to.equal(false)
    expect(store.keys().map((k) => [k.ts, k.id.slice(-1)])).to.deep.equal([
      [100, 'c'],
      [300, 'a'],
      [300, 'b'],
    ])
    expect(store.has('a'.padStart(32, '0'))).to.equal(true)
    expect(store.get('c'.padStart(32, '0'))?.ts).to.equal(100)
  })

  it('forgets frames older than the retention window and refuses them', () => {
    let now = 1000
    const store = new MessageStore({retentionMs: 500, now: () => now})
    expect(store.add(frame(400, 'a'))).to.equal(false) // older than now - retention
    expect(store.add(frame(600, 'b'))).to.equal(true)
    now = 1200
    expect(store.size).to.equal(0)
    expect(store.has('b'.padStart(32, '0'))).to.equal(false)
    expect(store.horizon()).to.equal(700)
  })

  it('holds at most maxMessages, evicting the oldest; when full the horizon is its oldest frame', () => {
    const store = new MessageStore({maxMessages: 3, now: () => 10_000})
    for (const [i, id] of ['a', 'b', 'c', 'd'].entries()) store.add(frame(100 + i, id))
    expect(store.size).to.equal(3)
    expect(store.has('a'.padStart(32, '0'))).to.equal(false)
    expect(store.horizon()).to.equal(101)
    expect(store.add(frame(50, 'e'))).to.equal(false) // would be evicted at once
  })

  it('loads frames of an earlier run, keeping only those within retention', () => {
    const store = new MessageStore({retentionMs: 1000, now: () => 5000})
    expect(store.load([frame(3000, 'x'), frame(4500, 'y'), frame(4500, 'y')])).to.equal(1)
  })
})
