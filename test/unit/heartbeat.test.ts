// A connection's pings apart from the socket (src/p2p/heartbeat.ts): a pong answers every round trip up to its
// number, a close fails the waiting ones, an unsent ping fails at once, and a silent peer is declared dead.

import {expect} from 'chai'

import {Heartbeat} from '../../src/p2p/heartbeat.js'
import {waitFor} from '../helpers/wait.js'

interface Link {
  dead: string[]
  heartbeat: Heartbeat
  pings: number[]
  /** Waits until `check()` holds, re-checked at every ping and death. */
  until(what: string, check: () => boolean): Promise<boolean>
}

function link(options: {lastHeard?: () => number; sendOk?: boolean} = {}): Link {
  const pings: number[] = []
  const dead: string[] = []
  let changed = (): void => {}
  const heartbeat = new Heartbeat(
    {
      send(ping) {
        pings.push(ping.n)
        changed()
        return options.sendOk ?? true
      },
      lastHeard: options.lastHeard ?? Date.now,
      dead(reason) {
        dead.push(reason)
        changed()
      },
    },
    {heartbeatIntervalMs: 10, deadAfterMs: 50},
  )
  const until = (what: string, check: () => boolean): Promise<boolean> =>
    waitFor(
      what,
      (recheck) => {
        changed = recheck
        return () => {
          changed = () => {}
        }
      },
      check,
    )
  return {dead, heartbeat, pings, until}
}

describe('Heartbeat', () => {
  it("answers every round trip up to the pong's number, and fails the others when the connection closes", async () => {
    const {heartbeat, pings} = link()
    const first = heartbeat.roundTrip(10_000)
    const second = heartbeat.roundTrip(10_000)
    const third = heartbeat.roundTrip(10_000)
    expect(pings).to.deep.equal([1, 2, 3])
    heartbeat.pong(2)
    heartbeat.closed()
    expect(await Promise.all([first, second, third])).to.deep.equal([true, true, false])
  })

  it('fails a round trip whose ping cannot be sent, or that is not answered in time', async () => {
    expect(await link({sendOk: false}).heartbeat.roundTrip(10_000)).to.equal(false)
    expect(await link().heartbeat.roundTrip(5)).to.equal(false)
  })

  it('pings while the peer is heard from, and declares it dead once it is silent too long', async () => {
    let heard = Date.now()
    const {dead, heartbeat, pings, until} = link({lastHeard: () => heard})
    heartbeat.start()
    try {
      await until('two pings', () => pings.length >= 2)
      heard = 0
      await until('the peer declared dead', () => dead.length > 0)
      expect(dead[0]).to.match(/^heartbeat timeout/)
    } finally {
      heartbeat.stop()
    }
  })
})
