// Direct messages across relays that cannot read them: in-process nodes over loopback, chained with degree 0 so the
// message must cross two relays.
import {expect} from 'chai'

import type {ChatNode} from '../../src/p2p/node.js'
import type {DirectMessage} from '../../src/p2p/types.js'

import {openSealed, sealTo} from '../../src/p2p/direct-crypto.js'
import {generateKeyPair} from '../../src/p2p/noise/index.js'
import {useNodes} from '../helpers/nodes.js'
import {nextEvent, poll} from '../helpers/wait.js'

describe('direct messages', function () {
  this.timeout(20_000)
  // Degree 0: nobody dials on their own, so a chain stays a chain.
  const nodes = useNodes({degree: 0})

  async function chain(names: string[]): Promise<ChatNode[]> {
    const out: ChatNode[] = []
    for (const name of names) {
      const node = await nodes.start(name)
      if (out.length > 0) await node.connect('127.0.0.1', out.at(-1)!.info.port, {persistent: false})
      out.push(node)
    }

    return out
  }

  it('reaches its recipient three hops away, and no relay can read it', async () => {
    const [a, b, c, d] = await chain(['A', 'B', 'C', 'D'])
    await poll("D's key at A", () => a.directory().some((n) => n.id === d.id))
    const seenByRelays: unknown[] = []
    for (const relay of [b, c]) {
      relay.on('direct', (m) => seenByRelays.push(m))
      relay.on('message', (m) => seenByRelays.push(m))
    }

    const received = nextEvent(d, 'direct')
    const sent = a.sendDirect(d.id, 'only for D')
    const [message] = (await received) as [DirectMessage]
    expect(message).to.deep.include({id: sent.id, text: 'only for D'})
    expect(message.from).to.deep.equal(a.info)
    // A fence after it: a chat message from A that every node shows, so anything else would have arrived by now.
    const fence = nextEvent(c, 'message')
    a.send('fence')
    await fence
    expect(seenByRelays.filter((m) => (m as {text: string}).text !== 'fence')).to.deep.equal([])
  })

  it("gives a newcomer the keys its peer knows, and floods the newcomer's own once", async () => {
    const [a, , c] = await chain(['A', 'B', 'C'])
    await poll("A's key at C", () => c.directory().some((n) => n.id === a.id))
    const d = await nodes.start('D')
    await d.connect('127.0.0.1', c.info.port, {persistent: false})
    // A announced before D existed: D learns A's key from C's `keys`, not from a new flood by A.
    await poll("A's key at D", () => d.directory().some((n) => n.id === a.id))
    await poll("D's key at A", () => a.directory().some((n) => n.id === d.id))
    const received = nextEvent(a, 'direct')
    d.sendDirect(a.id, 'hello from the newcomer')
    const [message] = (await received) as [DirectMessage]
    expect(message.text).to.equal('hello from the newcomer')
  })

  it('refuses an unknown recipient with a clear error', async () => {
    const [a] = await chain(['A'])
    expect(() => a.sendDirect('nobody', 'hi')).to.throw(/no key is known/)
  })

  it('seals so that only the recipient key opens, and any change is detected', () => {
    const bob = generateKeyPair()
    const eve = generateKeyPair()
    const sealed = sealTo(bob.publicKey, 'secret', 'a>b')
    expect(openSealed(bob, sealed, 'a>b')).to.equal('secret')
    expect(openSealed(eve, sealed, 'a>b')).to.equal(undefined)
    expect(openSealed(bob, sealed, 'c>b')).to.equal(undefined)
    const box = Buffer.from(sealed.box, 'base64url')
    box[0] ^= 1
    expect(openSealed(bob, {...sealed, box: box.toString('base64url')}, 'a>b')).to.equal(undefined)
  })
})
