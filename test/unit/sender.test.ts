// The sender: a p-queue (the fixed stack's) drains broadcasts onto connections in call order, one queue job per batch
// of broadcasts rather than one per broadcast (issue 16), bounded, and a failing target does not stop the rest.

import {expect} from 'chai'

import {type FrameSink, Sender} from '../../src/p2p/sender.js'

function sink(log: string[], name: string): FrameSink {
  return {
    sendBody(body: Buffer): boolean {
      log.push(`${name}:${body.toString()}`)
      return true
    },
  }
}

const rethrow = (error: unknown): never => {
  throw error
}

describe('Sender', () => {
  it('writes the first broadcast of an idle turn before the call returns (a forward leaves before the display work)', () => {
    const log: string[] = []
    const sender = new Sender(rethrow)
    expect(sender.broadcast(Buffer.from('1'), () => [sink(log, 'a'), sink(log, 'b')])).to.equal(true)
    expect(log).to.deep.equal(['a:1', 'b:1'])
  })

  it('writes the rest of a turn as one batch, in call order, every target', async () => {
    const log: string[] = []
    const sender = new Sender(rethrow)
    const targets = [sink(log, 'a'), sink(log, 'b')]
    for (const text of ['1', '2', '3', '4']) expect(sender.broadcast(Buffer.from(text), () => targets)).to.equal(true)
    expect(sender.pending, 'broadcasts 2 to 4 wait in one batch').to.equal(3)
    await sender.drain()
    expect(sender.pending).to.equal(0)
    expect(log).to.deep.equal(['a:1', 'b:1', 'a:2', 'b:2', 'a:3', 'b:3', 'a:4', 'b:4'])
  })

  it('drops a broadcast once maxPending wait, and takes more once they are written', async () => {
    const log: string[] = []
    const sender = new Sender(rethrow, 2)
    const targets = () => [sink(log, 'a')]
    expect(sender.broadcast(Buffer.from('1'), targets)).to.equal(true) // written at once
    expect(sender.broadcast(Buffer.from('2'), targets)).to.equal(true)
    expect(sender.broadcast(Buffer.from('3'), targets)).to.equal(true)
    expect(sender.broadcast(Buffer.from('4'), targets), 'full').to.equal(false)
    await sender.drain()
    expect(sender.broadcast(Buffer.from('5'), targets)).to.equal(true)
    await sender.drain()
    expect(log).to.deep.equal(['a:1', 'a:2', 'a:3', 'a:5'])
  })

  it('reports a failing target to onError and still writes the rest of the batch', async () => {
    const log: string[] = []
    const errors: unknown[] = []
    const sender = new Sender((error) => errors.push(error))
    const broken: FrameSink = {
      sendBody(): boolean {
        throw new Error('sealing failed')
      },
    }
    sender.broadcast(Buffer.from('0'), () => [sink(log, 'a')])
    sender.broadcast(Buffer.from('1'), () => [broken])
    sender.broadcast(Buffer.from('2'), () => [sink(log, 'a')])
    await sender.drain()
    expect(errors.map((e) => (e as Error).message)).to.deep.equal(['sealing failed'])
    expect(log).to.deep.equal(['a:0', 'a:2'])
  })

  it('writes what is queued on stop, then refuses new broadcasts', async () => {
    const log: string[] = []
    const sender = new Sender(rethrow)
    sender.broadcast(Buffer.from('1'), () => [sink(log, 'a')])
    sender.broadcast(Buffer.from('2'), () => [sink(log, 'a')])
    await sender.stop()
    expect(log).to.deep.equal(['a:1', 'a:2'])
    expect(sender.broadcast(Buffer.from('3'), () => [sink(log, 'a')])).to.equal(false)
    expect(log).to.deep.equal(['a:1', 'a:2'])
  })
})
