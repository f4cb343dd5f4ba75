import {expect} from 'chai'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {parseHistoryLine, serializeEvent} from '../../src/history/events.js'
import {readLastEvents} from '../../src/history/reader.js'
import {readStoredFrames} from '../../src/history/store-reader.js'
import {tempDir} from '../helpers/cli.js'

describe('reading the message store back from the history file', () => {
  let dir: ReturnType<typeof tempDir>

  beforeEach(() => {
    dir = tempDir()
  })

  afterEach(() => dir.remove())

  const node = {id: 'n', name: 'Julia', host: '127.0.0.1', port: 5000}
  const line = (at: number, seq: number, e: Parameters<typeof serializeEvent>[0]): string =>
    serializeEvent(e, {ts: new Date(at).toISOString(), session: 's', seq})
  const frame = (n: number) => ({
    event: 'frame_stored' as const,
    kind: 'chat' as const,
    payload: `{"n":${n}}`,
    sig: 'x'.repeat(86),
  })

  it('reads frame_stored lines newest first, skipping garbage and a torn last line', async () => {
    const path = join(dir.path, 'h.log')
    const now = Date.now()
    writeFileSync(
      path,
      [
        line(now - 5000, 1, {event: 'session_start', node}),
        line(now - 4000, 2, frame(1)),
        'garbage {',
        line(now - 3000, 3, {event: 'message_sent', id: 'i', text: 'hi'}),
        line(now - 2000, 4, frame(2)),
      ].join('\n') +
        '\n' +
        line(now, 5, frame(3)).slice(0, 30),
    )
    const read = await readStoredFrames(path, {maxFrames: 100, sinceMs: now - 60_000})
    expect(read.frames.map((f) => f.payload)).to.deep.equal(['{"n":2}', '{"n":1}'])
    expect(read.memberSince).to.equal(now - 5000)
  })

  it('stops at the retention and at the store size; a node that never ran has no membership', async () => {
    const path = join(dir.path, 'h.log')
    const now = Date.now()
    writeFileSync(
      path,
      [
        line(now - 100_000, 1, {event: 'session_start', node}),
        line(now - 90_000, 2, frame(1)),
        line(now - 1000, 3, frame(2)),
        line(now - 500, 4, frame(3)),
      ].join('\n') + '\n',
    )
    const recent = await readStoredFrames(path, {maxFrames: 100, sinceMs: now - 60_000})
    expect(recent.frames.map((f) => f.payload)).to.deep.equal(['{"n":3}', '{"n":2}'])
    expect(recent.memberSince, 'here since before the retention').to.equal(now - 60_000)
    const few = await readStoredFrames(path, {maxFrames: 1, sinceMs: 0})
    expect(few.frames).to.have.length(1)
    expect((await readStoredFrames(join(dir.path, 'none.log'), {maxFrames: 1, sinceMs: 0})).memberSince).to.equal(
      undefined,
    )
  })

  it('frame_stored lines parse but are not events log tail shows', async () => {
    const path = join(dir.path, 'h.log')
    const now = Date.now()
    writeFileSync(
      path,
      [line(now - 2, 1, {event: 'message_sent', id: 'i', text: 'hi'}), line(now - 1, 2, frame(1))].join('\n') + '\n',
    )
    expect(parseHistoryLine(line(now, 9, frame(1)))?.event).to.equal('frame_stored')
    const {records} = await readLastEvents(path, 10)
    expect(records.map((r) => r.event.event)).to.deep.equal(['message_sent'])
  })
})
