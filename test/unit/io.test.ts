import {expect} from 'chai'
import {PassThrough} from 'node:stream'

import {guardPipe, isBroken} from '../../src/io/broken-pipe.js'
import {errnoCode} from '../../src/io/errno.js'

describe('io', () => {
  it('errnoCode reads a string code from anything, never throws', () => {
    expect(errnoCode(Object.assign(new Error('x'), {code: 'ENOENT'}))).to.equal('ENOENT')
    expect(errnoCode({code: 'TOO_LONG'})).to.equal('TOO_LONG')
    for (const value of [undefined, null, 'EPIPE', 42, {code: 5}, new Error('no code')])
      expect(errnoCode(value)).to.equal(undefined)
  })

  it('guardPipe turns an unheard EPIPE into a broken mark, with one listener however often it is called', () => {
    const stream = new PassThrough()
    guardPipe(stream)
    guardPipe(stream)
    expect(stream.listenerCount('error')).to.equal(1)
    expect(isBroken(stream)).to.equal(false)
    // Without a listener, this emit would throw (and crash a command writing to `| head`).
    stream.emit('error', Object.assign(new Error('write EPIPE'), {code: 'EPIPE'}))
    expect(isBroken(stream)).to.equal(true)
  })
})
