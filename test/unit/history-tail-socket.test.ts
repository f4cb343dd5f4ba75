import {expect} from 'chai'
import {writeFileSync} from 'node:fs'
import {connect} from 'node:net'
import {join} from 'node:path'
import {createInterface} from 'node:readline'

import {serializeEvent} from '../../src/history/events.js'
import {MAX_TAIL_BUFFER_BYTES, openTail, TailServer} from '../../src/history/tail-socket.js'
import {tempDir} from '../helpers/cli.js'

describe("the log process's tail socket (src/history/tail-socket.ts)", () => {
  let dir: ReturnType<typeof tempDir>
  let server: TailServer | undefined

  beforeEach(() => {
    dir = tempDir()
  })

  afterEach(async () => {
    await server?.close()
    dir.remove()
  })

  const line = (seq: number, text: string, at = 1_764_000_000_000 + seq): string =>
    serializeEvent({event: 'message_sent', id: `m${seq}`, text}, {ts: new Date(at).toISOString(), session: 's', seq})

  it('never waits for a tail that does not read: it skips for it, and says how many once it reads again', async () => {
    const file = join(dir.path, 'h.log')
    writeFileSync(file, line(1, 'already there') + '\n')
    server = new TailServer(file)
    const path = join(dir.path, 't.sock')
    expect(await server.listen(path)).to.equal(true)
    const socket = connect(path)
    await new Promise((resolve) => {
      socket.once('connect', resolve)
    })
    socket.write(JSON.stringify({n: 1, follow: true}) + '\n')
    // The last event arrives once the tail is registered; from then on it stops reading.
    await new Promise((resolve) => {
      socket.once('data', resolve)
    })
    socket.pause()
    const big = 'x'.repeat(1000)
    const lines = Array.from({length: 3 * (MAX_TAIL_BUFFER_BYTES / 1000) + 2000}, (_, i) => line(i + 2, big))
    for (let i = 0; i < lines.length; i += 100) server.publish(lines.slice(i, i + 100)) // returns at once
    socket.resume()
    let got = 0
    let skipped = 0
    for await (const text of createInterface({input: socket})) {
      if (text.startsWith('{"skipped":')) {
        skipped += (JSON.parse(text) as {skipped: number}).skipped
        break
      }

      got++
    }

    socket.destroy()
    expect(skipped).to.be.above(0)
    expect(got + skipped).to.be.at.most(lines.length)
  })

  it("answers the last N in author-time order, without the store's records; a second socket on the path is refused", async () => {
    const file = join(dir.path, 'h.log')
    const stored = serializeEvent(
      {event: 'frame_stored', kind: 'chat', payload: '{}', sig: 's'},
      {ts: new Date().toISOString(), session: 's', seq: 9},
    )
    writeFileSync(file, [line(1, 'b', 2000), line(2, 'a', 1000), stored].join('\n') + '\n')
    server = new TailServer(file)
    const path = join(dir.path, 't.sock')
    await server.listen(path)
    expect(await new TailServer(file).listen(path), 'a live socket is left alone').to.equal(false)
    const stream = await openTail(path, {n: 10, follow: false})
    const texts: string[] = []
    for await (const message of stream!)
      if (message.type === 'line') texts.push((JSON.parse(message.line) as {text: string}).text)
    expect(texts).to.deep.equal(['a', 'b'])
    expect(await openTail(join(dir.path, 'none.sock'), {n: 1, follow: false})).to.equal(undefined)
  })
})
