import {expect} from 'chai'
import {PassThrough} from 'node:stream'

import {corkForThisTurn, uncorkAll} from '../../src/repl/cork.js'

/** A stream that records what reached its reader, write by write (one writev of a corked batch counts once). */
function recordingStream(): {stream: PassThrough; batches: string[]} {
  const batches: string[] = []
  const stream = new PassThrough({
    writev(chunks, callback) {
      batches.push(chunks.map((c) => String(c.chunk)).join(''))
      callback()
    },
    write(chunk, _encoding, callback) {
      batches.push(String(chunk))
      callback()
    },
  })
  return {stream, batches}
}

const endOfTurn = async (): Promise<void> =>
  new Promise((resolve) => {
    setImmediate(resolve)
  })

describe('corkForThisTurn', () => {
  it('lets the first write of a turn through at once and sends the rest of the turn as one batch', async () => {
    const {stream, batches} = recordingStream()
    for (const s of ['a', 'b', 'c']) {
      corkForThisTurn(stream)
      stream.write(s)
    }

    expect(batches).to.deep.equal(['a'])
    await endOfTurn()
    expect(batches).to.deep.equal(['a', 'bc'])

    // A new turn: its first write goes at once again.
    corkForThisTurn(stream)
    stream.write('d')
    expect(batches).to.deep.equal(['a', 'bc', 'd'])
  })

  it('keeps streams apart, and writes everything out at once when asked (before an exit)', async () => {
    const one = recordingStream()
    const two = recordingStream()
    for (const s of ['1', '2', '3']) {
      corkForThisTurn(one.stream)
      one.stream.write(s)
      corkForThisTurn(two.stream)
      two.stream.write(s)
    }

    expect(one.batches).to.deep.equal(['1'])
    expect(two.batches).to.deep.equal(['1'])
    uncorkAll()
    expect(one.batches).to.deep.equal(['1', '23'])
    expect(two.batches).to.deep.equal(['1', '23'])
  })
})
