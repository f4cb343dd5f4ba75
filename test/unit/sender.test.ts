// The sender writes each broadcast to its targets in the caller's turn, in call order: a relay's forward leaves
// before the display and history work of the same turn, and nothing waits in a queue (issue 16).

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

describe('Sender', () => {
  it('writes every broadcast of a turn to every target before the call returns, in order', () => {
    const log: string[] = []
    const sender = new Sender((error) => {
      throw error
    })
    const targets = [sink(log, 'a'), sink(log, 'b')]
    expect(sender.broadcast(Buffer.from('1'), () => targets)).to.equal(true)
    expect(sender.broadcast(Buffer.from('2'), () => targets)).to.equal(true)
    expect(sender.broadcast(Buffer.from('3'), () => targets)).to.equal(true)
    expect(log).to.deep.equal(['a:1', 'b:1', 'a:2', 'b:2', 'a:3', 'b:3'])
  })

  it('reports a failing target to onError and keeps going with the next broadcast', () => {
    const log: string[] = []
    const errors: unknown[] = []
    const sender = new Sender((error) => errors.push(error))
    const broken: FrameSink = {
      sendBody(): boolean {
        throw new Error('sealing failed')
      },
    }
    expect(sender.broadcast(Buffer.from('1'), () => [broken])).to.equal(true)
    expect(sender.broadcast(Buffer.from('2'), () => [sink(log, 'a')])).to.equal(true)
    expect(errors.map((e) => (e as Error).message)).to.deep.equal(['sealing failed'])
    expect(log).to.deep.equal(['a:2'])
  })

  it('refuses new broadcasts once stopped, and drain resolves', async () => {
    const log: string[] = []
    const sender = new Sender(() => {})
    await sender.drain()
    await sender.stop()
    expect(sender.broadcast(Buffer.from('1'), () => [sink(log, 'a')])).to.equal(false)
    expect(log).to.deep.equal([])
  })
})
