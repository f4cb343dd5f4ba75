import {expect} from 'chai'

import {LeaveGrace} from '../../src/p2p/leave-grace.js'

describe('LeaveGrace (a swarm stream replaced as a duplicate)', () => {
  it('reports nothing when the peer is back within the grace, and the join is not reported either', async () => {
    const grace = new LeaveGrace(50)
    const reported: string[] = []
    grace.down('a', () => reported.push('a'))
    expect(grace.up('a')).to.equal(true)
    await new Promise((resolve) => {
      setTimeout(resolve, 80)
    })
    expect(reported).to.deep.equal([])
    expect(grace.up('a'), 'a later join is a real one').to.equal(false)
  })

  it('reports the leave once the grace has passed, and a new join after it is a real one', async () => {
    const grace = new LeaveGrace(20)
    const reported: string[] = []
    grace.down('a', () => reported.push('a'))
    await new Promise((resolve) => {
      setTimeout(resolve, 60)
    })
    expect(reported).to.deep.equal(['a'])
    expect(grace.up('a')).to.equal(false)
  })

  it('a second leave of the same peer reports the first at once; clear() drops what waits', async () => {
    const grace = new LeaveGrace(20)
    const reported: string[] = []
    grace.down('a', () => reported.push('first'))
    grace.down('a', () => reported.push('second'))
    expect(reported).to.deep.equal(['first'])
    grace.down('b', () => reported.push('b'))
    grace.clear()
    await new Promise((resolve) => {
      setTimeout(resolve, 60)
    })
    expect(reported).to.deep.equal(['first'])
  })
})
