import {expect} from 'chai'
import * as fc from 'fast-check'
import {appendFile, mkdtemp, open, readdir, rename, rm, truncate, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {type HistoryEventInput, serializeEvent} from '../../src/history/events.js'
import {completeLinesEnd, linesBackward, MAX_LINE_BYTES} from '../../src/history/lines.js'
import {followHistory, type HistoryRecord, readLastEvents} from '../../src/history/reader.js'

const TS = '2026-11-25T17:20:01.000Z'

function line(seq: number, text = `message ${seq}`): string {
  const e: HistoryEventInput = {event: 'message_sent', id: `m${seq}`, text}
  return serializeEvent(e, {ts: TS, session: 's', seq})
}

const seqs = (records: HistoryRecord[]): number[] => records.map((r) => r.event.seq)

/** Open file descriptors of this process (Linux), to check that nothing is left open. */
async function openFds(): Promise<number | undefined> {
  try {
    return (await readdir('/proc/self/fd')).length
  } catch {
    return undefined
  }
}

describe('history reader', () => {
  let dir: string
  let path: string

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chat-reader-'))
    path = join(dir, 'chat_history_5000.log')
  })

  afterEach(async () => {
    await rm(dir, {force: true, recursive: true})
  })

  describe('readLastEvents', () => {
    it('returns the last N valid events, skipping garbage lines and a cut last line', async () => {
      const content = [
        line(1),
        'not json at all',
        line(2),
        '{"ts":"2026-11-25T17:20:01.000Z","event":"no_such_event","session":"s","seq":9}',
        '[1,2,3]',
        '',
        line(3),
        '{"ts":"yesterday","event":"session_end","session":"s","seq":10}',
        line(4),
        '{"ts":"2026-11-25T17:20:01.000Z","event":"message_sent","session":"s","seq":11,"id":5,"text":"id not a string"}',
        line(5),
      ].join('\n')
      await writeFile(path, content + '\n' + line(6).slice(0, 25))

      expect(seqs((await readLastEvents(path, 3)).records)).to.deep.equal([3, 4, 5])
      expect(seqs((await readLastEvents(path, 100)).records)).to.deep.equal([1, 2, 3, 4, 5])
      expect((await readLastEvents(path, 0)).records).to.deep.equal([])
    })

    it('returns the exact line read alongside the parsed event', async () => {
      await writeFile(path, line(1) + '\n' + line(2) + '\n')
      const {records, end} = await readLastEvents(path, 1)
      expect(records).to.have.length(1)
      expect(records[0].line).to.equal(line(2))
      expect(records[0].event).to.include({event: 'message_sent', id: 'm2', seq: 2})
      expect(end).to.equal(Buffer.byteLength(line(1) + '\n' + line(2) + '\n'))
    })

    it('skips invalid UTF-8 and over-long lines', async () => {
      const bad = Buffer.concat([
        Buffer.from('{"ts":"' + TS + '","event":"session_end","session":"s","seq":7,"x":"'),
        Buffer.from([0xff, 0xfe]),
        Buffer.from('"}\n'),
      ])
      const long = line(8, 'y'.repeat(MAX_LINE_BYTES + 10))
      await writeFile(
        path,
        Buffer.concat([Buffer.from(line(1) + '\n'), bad, Buffer.from(long + '\n' + line(2) + '\n')]),
      )
      expect(seqs((await readLastEvents(path, 10)).records)).to.deep.equal([1, 2])
    })

    it('gets exactly the valid prefix when the file is cut at any offset of its tail', async () => {
      const full = [1, 2, 3].map((s) => line(s, `texto ção ${s}`) + '\n').join('')
      const bytes = Buffer.from(full)
      const lastStart = Buffer.byteLength([1, 2].map((s) => line(s, `texto ção ${s}`) + '\n').join(''))
      for (let cut = lastStart - 3; cut <= bytes.length; cut++) {
        await writeFile(path, bytes.subarray(0, cut))
        const expected = cut === bytes.length ? [1, 2, 3] : cut >= lastStart ? [1, 2] : [1]
        expect(seqs((await readLastEvents(path, 10)).records), `cut at ${cut}`).to.deep.equal(expected)
      }
    })

    it('reads backwards without loading the whole file', async () => {
      // 20 MiB of events: asking for the last 5 must not read them all.
      const fh = await open(path, 'w')
      const block = Array.from({length: 2000}, (_, i) => line(i + 1, 'z'.repeat(100))).join('\n') + '\n'
      for (let i = 0; i < 80; i++) await fh.write(block)
      await fh.close()
      const before = process.memoryUsage().arrayBuffers
      const {records} = await readLastEvents(path, 5)
      expect(seqs(records)).to.deep.equal([1996, 1997, 1998, 1999, 2000])
      expect(process.memoryUsage().arrayBuffers - before).to.be.below(4 * 1024 * 1024)
    })

    it('rejects with ENOENT for a missing file', async () => {
      const error = await readLastEvents(join(dir, 'nope.log'), 5).then(
        () => undefined,
        (error_: NodeJS.ErrnoException) => error_,
      )
      expect(error?.code).to.equal('ENOENT')
    })
  })

  describe('line scanning', () => {
    it('linesBackward yields the complete lines last first, for any chunk size and any content', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(
            fc.string({unit: 'grapheme', maxLength: 12}).map((s) => s.replaceAll('\n', '')),
            {maxLength: 12},
          ),
          fc.string({maxLength: 5}).map((s) => s.replaceAll('\n', '')),
          fc.integer({min: 1, max: 9}),
          async (lines, partial, chunk) => {
            const content = lines.map((l) => l + '\n').join('') + partial
            await writeFile(path, content)
            const fh = await open(path, 'r')
            try {
              const out: string[] = []
              for await (const l of linesBackward(fh, Buffer.byteLength(content), chunk)) out.push(l.text)
              expect(out).to.deep.equal([...lines].reverse())
              const ends = Buffer.byteLength(lines.map((l) => l + '\n').join(''))
              expect(await completeLinesEnd(fh, Buffer.byteLength(content), chunk)).to.equal(ends)
            } finally {
              await fh.close()
            }
          },
        ),
        {numRuns: 150},
      )
    })
  })

  describe('followHistory', () => {
    async function collect(
      gen: AsyncGenerator<HistoryRecord>,
      until: (got: HistoryRecord[]) => boolean,
    ): Promise<HistoryRecord[]> {
      const got: HistoryRecord[] = []
      for await (const r of gen) {
        got.push(r)
        if (until(got)) break
      }

      return got
    }

    it('sees lines appended after it starts, including one written in two parts', async () => {
      await writeFile(path, line(1) + '\n')
      const {end} = await readLastEvents(path, 10)
      const controller = new AbortController()
      const gen = followHistory(path, {from: end, pollMs: 10, signal: controller.signal})
      const first = gen.next()
      const l2 = line(2)
      await appendFile(path, l2.slice(0, 20))
      await appendFile(path, l2.slice(20) + '\n' + line(3) + '\n')
      const r = await first
      expect(r.done).to.equal(false)
      expect(seqs([r.value as HistoryRecord])).to.deep.equal([2])
      expect(seqs(await collect(gen, (got) => got.length === 1))).to.deep.equal([3])
      controller.abort()
    })

    it('stops on abort and closes its file', async () => {
      await writeFile(path, line(1) + '\n')
      const fdsBefore = await openFds()
      const controller = new AbortController()
      const gen = followHistory(path, {from: 0, pollMs: 10, signal: controller.signal})
      // Once it yields, it has the file open; the next call leaves it polling, which the abort must end.
      expect(seqs([(await gen.next()).value as HistoryRecord])).to.deep.equal([1])
      if (fdsBefore !== undefined) expect(await openFds()).to.equal(fdsBefore + 1)
      const next = gen.next()
      controller.abort()
      expect((await next).done).to.equal(true)
      if (fdsBefore !== undefined) expect(await openFds()).to.equal(fdsBefore)
    })

    it('after a truncation (copytruncate), reads the file again from the start', async () => {
      await writeFile(path, line(1) + '\n' + line(2) + '\n')
      const controller = new AbortController()
      const gen = followHistory(path, {from: Buffer.byteLength(line(1) + '\n'), pollMs: 10, signal: controller.signal})
      expect(seqs([(await gen.next()).value as HistoryRecord])).to.deep.equal([2])
      // While it waits at that yield: truncate and write a shorter file. Lines written after the truncation must not
      // be skipped, however quickly they follow it.
      await truncate(path, 0)
      await appendFile(path, line(3) + '\n')
      expect(seqs([(await gen.next()).value as HistoryRecord])).to.deep.equal([3])
      controller.abort()
      expect((await gen.next()).done).to.equal(true)
    })

    it('drops a half line cut by a restarted writer and reads the line written in its place', async () => {
      const l1 = line(1) + '\n'
      // Cut past `"seq":`, so that the half line and the line replacing it differ.
      const half = line(99).slice(0, line(99).indexOf('"seq":99') + 8)
      await writeFile(path, l1 + half)
      const controller = new AbortController()
      const gen = followHistory(path, {from: 0, pollMs: 10, signal: controller.signal})
      // It has now read line 1 and the half line after it, in one chunk.
      expect(seqs([(await gen.next()).value as HistoryRecord])).to.deep.equal([1])
      await truncate(path, Buffer.byteLength(l1))
      await appendFile(path, line(2, 'a longer text than the half line that was cut away') + '\n')
      expect(seqs([(await gen.next()).value as HistoryRecord])).to.deep.equal([2])
      controller.abort()
      expect((await gen.next()).done).to.equal(true)
    })

    it('after the file is replaced, reads the new file from its start', async () => {
      await writeFile(path, line(1) + '\n')
      const controller = new AbortController()
      const gen = followHistory(path, {pollMs: 10, signal: controller.signal})
      const pending = collect(gen, (got) => got.length === 2)
      const other = join(dir, 'new.log')
      await writeFile(other, line(10) + '\n' + line(11) + '\n')
      await rename(other, path)
      expect(seqs(await pending)).to.deep.equal([10, 11])
      controller.abort()
    })

    it('waits for a missing file to appear', async () => {
      const controller = new AbortController()
      // from: 0, as `log tail` passes: whether the first poll comes before or after the file appears (it may, on a
      // loaded machine), every line of it is read.
      const pending = collect(
        followHistory(path, {from: 0, pollMs: 10, signal: controller.signal}),
        (got) => got.length === 1,
      )
      await writeFile(path, line(1) + '\n')
      expect(seqs(await pending)).to.deep.equal([1])
      controller.abort()
    })
  })
})
