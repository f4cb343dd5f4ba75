// A message written while no peer is connected is kept and said to be kept, then sent when a peer connects: for a
// node that never had a peer as for one that lost them, for chat messages and direct messages alike.
import {expect} from 'chai'

import type {ChatMessage, DirectMessage, HeldReleased} from '../../src/p2p/types.js'

import {useNodes} from '../helpers/nodes.js'
import {nextEvent, poll} from '../helpers/wait.js'

describe('messages written while nobody is connected', function () {
  this.timeout(20_000)
  const nodes = useNodes({degree: 0, history: 0})
  const node = (name: string) => nodes.start(name)

  it('are held by a node that never had a peer, flagged as held, and sent when one connects', async () => {
    const julia = await node('Julia')
    const sent = nextEvent<[ChatMessage]>(julia, 'sent')
    const message = julia.send('anyone here?')
    expect(message.held).to.equal(true)
    expect((await sent)[0].held).to.equal(true)

    const pedro = await node('Pedro')
    const got = nextEvent<[ChatMessage]>(pedro, 'message', (m) => m.id === message.id)
    const released = nextEvent<[HeldReleased]>(julia, 'held_released')
    await pedro.connect('127.0.0.1', julia.info.port, {persistent: false})
    expect((await got)[0].text).to.equal('anyone here?')
    expect((await released)[0]).to.deep.include({sent: 1, dropped: 0})
    expect(julia.send('now live').held, 'with a peer, nothing is held').to.equal(undefined)
  })

  it('holds a direct message written after the last peer left, and delivers it when a peer comes', async () => {
    // Julia – Ana – Pedro; Ana leaves, and Julia is alone but still knows Pedro's key.
    const julia = await node('Julia')
    const ana = await node('Ana')
    const pedro = await node('Pedro')
    await ana.connect('127.0.0.1', julia.info.port, {persistent: false})
    await pedro.connect('127.0.0.1', ana.info.port, {persistent: false})
    await poll("Pedro's key at Julia", () => julia.directory().some((n) => n.id === pedro.id))
    const left = nextEvent(julia, 'peer_left')
    await ana.stop()
    await left

    const dm = julia.sendDirect(pedro.id, 'are you there?')
    expect(dm.held).to.equal(true)
    const released = nextEvent<[HeldReleased]>(julia, 'held_released')
    const got = nextEvent<[DirectMessage]>(pedro, 'direct')
    await julia.connect('127.0.0.1', pedro.info.port, {persistent: false})
    expect((await released)[0]).to.deep.include({sent: 1, dropped: 0})
    expect((await got)[0]).to.deep.include({id: dm.id, text: 'are you there?'})
  })
})
