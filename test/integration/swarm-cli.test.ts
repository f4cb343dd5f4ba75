// `chat start --swarm` processes against a private DHT run by `chat dht bootstrap` on 127.0.0.1 (never the public
// bootstrap nodes), and a mixed network: TCP-only nodes, swarm-only nodes and one node with both that bridges them.
import {expect} from 'chai'

import {ChatProcess, freePort, type JsonEvent, jsonEvents, runChat, useChatNodes} from '../helpers/cli.js'

const WAIT_MS = 60_000

describe('chat start --swarm and chat dht bootstrap (processes, loopback)', function () {
  this.timeout(180_000)
  const fixture = useChatNodes()
  let bootstrap: ChatProcess | undefined
  let swarmArgs: string[] = []

  before(async () => {
    // Three consecutive UDP ports: a free TCP port is very likely a free UDP one; try a few in case.
    for (let attempt = 0; attempt < 5 && !bootstrap; attempt++) {
      const port = await freePort()
      if (port > 65_000) continue
      const proc = new ChatProcess(['dht', 'bootstrap', '--port', String(port), '--host', '127.0.0.1', '--json'])
      try {
        const line = await proc.waitForLine(/^\{"event":"ready"/, {timeoutMs: 20_000})
        const ready = JSON.parse(line) as {bootstrap: string[]; relay: string}
        swarmArgs = ['--swarm', ...ready.bootstrap.flatMap((address) => ['--bootstrap', address])]
        bootstrap = proc
      } catch {
        await proc.kill('SIGKILL')
      }
    }

    if (!bootstrap) throw new Error('chat dht bootstrap did not start on any of 5 ports')
  })

  after(async () => {
    await bootstrap?.kill('SIGTERM')
  })

  /** A `--json` node: ready once its `ready` event is out. */
  const start = (name: string, port: number, extra: string[]): Promise<ChatProcess> =>
    fixture.start(name, port, ['--history', '0', ...extra], {json: true, timeoutMs: WAIT_MS})

  function joined(proc: ChatProcess, name: string): Promise<string> {
    return proc.waitForLine(new RegExp(`^\\{"event":"peer_joined".*"name":"${name}"`), {timeoutMs: WAIT_MS})
  }

  function messages(proc: ChatProcess): JsonEvent[] {
    return jsonEvents(proc, 'message')
  }

  it('the bootstrap prints the options to use, and refuses a port range in use', async () => {
    expect(swarmArgs.filter((arg) => arg === '--bootstrap')).to.have.length(3)
    const port = Number(swarmArgs[2].split(':')[1])
    const taken = await runChat(['dht', 'bootstrap', '--port', String(port), '--host', '127.0.0.1'], {
      timeoutMs: 20_000,
    })
    expect(taken.code).to.equal(2)
    expect(taken.stderr).to.match(/in use/)
  })

  it('--bootstrap without --swarm is refused with a clear message', async () => {
    const result = await runChat(['start', '--port', String(await freePort()), '--bootstrap', '127.0.0.1:9'])
    expect(result.code).to.equal(2)
    expect(result.stderr).to.match(/add --swarm/)
  })

  it('a mixed network (two TCP-only, two swarm-only, one with both) delivers every message to every node exactly once', async () => {
    const t1Port = await freePort()
    const t1 = await start('T1', t1Port, [])
    const t2 = await start('T2', await freePort(), ['--join', `127.0.0.1:${t1Port}`])
    const s1 = await start('S1', await freePort(), [...swarmArgs])
    const s2 = await start('S2', await freePort(), [...swarmArgs])
    const bridge = await start('B', await freePort(), [...swarmArgs, '--join', `127.0.0.1:${t1Port}`])
    await Promise.all([joined(t1, 'T2'), joined(t2, 'T1'), joined(t1, 'B'), joined(bridge, 'T1')])
    await Promise.all([joined(bridge, 'S1'), joined(s1, 'B'), joined(bridge, 'S2'), joined(s2, 'B')])
    const swarmJoin = JSON.parse(await joined(s1, 'B')) as JsonEvent
    expect(swarmJoin.transport).to.equal('swarm')
    expect(JSON.parse(await joined(t1, 'B')).transport).to.equal('tcp')

    const all = {T1: t1, T2: t2, S1: s1, S2: s2, B: bridge}
    const round = async (tag: string): Promise<void> => {
      for (const [name, proc] of Object.entries(all)) proc.type(`${tag} from ${name}`)
      await Promise.all(
        Object.values(all).map((proc) =>
          proc.waitForLines(new RegExp(`"event":"message".*"text":"${tag} from`), 4, {timeoutMs: WAIT_MS}),
        ),
      )
    }

    await round('first')
    // A duplicate of the first round would arrive before the second round is complete everywhere.
    await round('second')
    for (const [name, proc] of Object.entries(all)) {
      const texts = messages(proc)
        .map((m) => m.text as string)
        .sort()
      const expected = Object.keys(all)
        .filter((other) => other !== name)
        .flatMap((other) => [`first from ${other}`, `second from ${other}`])
        .sort()
      expect(texts, `${name} received every message exactly once`).to.deep.equal(expected)
    }

    s1.type('/peers')
    const peers = JSON.parse(await s1.waitForLine(/^\{"event":"peers"/, {timeoutMs: WAIT_MS})) as {
      peers: Array<{name: string; transport: string; route?: string}>
    }
    const viaBridge = peers.peers.find((p) => p.name === 'B')
    expect(viaBridge?.transport).to.equal('swarm')
    expect(viaBridge?.route).to.equal('direct')
  })
})
