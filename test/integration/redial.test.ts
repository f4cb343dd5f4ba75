// Issue 12 item 4: a peer that can never get in is not redialled forever. A node without the room secret, an address
// that does not speak the protocol (a fake SSH banner) and a peer that sends a forged signature each cost one attempt
// (two for a closed handshake, which a full node also does), then go on the cool-down list: /peers shows it, nothing
// is dialled for the period, and /retry clears it. Real `chat start --json` processes; the fakes are test sockets.
import {expect} from 'chai'
import {createServer, type Server} from 'node:net'

import {generateIdentity} from '../../src/p2p/identity.js'
import {ForgingListener} from '../helpers/attacker.js'
import {ChatProcess, freePort, jsonEvents, useChatNodes} from '../helpers/cli.js'

/** Long enough for the old backoff (0.5 s, 1 s, 2 s …) to have dialled three more times. */
const QUIET_WINDOW_MS = 4000

interface Cooling {
  addresses: string[]
  code: string
  ids: string[]
}

describe('redials: the cool-down list (integration)', function () {
  this.timeout(60_000)
  const fixture = useChatNodes()
  const servers: Array<{close(): unknown}> = []

  afterEach(() => {
    for (const server of servers.splice(0)) server.close()
  })

  /** `chat start --json`, once its ready event is out. */
  const start = (name: string, port: number, extra: string[] = []): Promise<ChatProcess> =>
    fixture.start(name, port, extra, {json: true})

  /** Asks /peers until the cool-down list holds `address`; returns its entry. */
  async function coolingDown(proc: ChatProcess, address: string): Promise<Cooling> {
    const deadline = Date.now() + 15_000
    for (let asked = 1; Date.now() < deadline; asked++) {
      proc.type('/peers')
      await proc.waitForLines(/"event":"peers"/, asked)
      const last = jsonEvents(proc, 'peers').at(-1) as {cooldown?: Cooling[]}
      const entry = last.cooldown?.find((e) => e.addresses.includes(address))
      if (entry) return entry
      await new Promise((resolve) => {
        setTimeout(resolve, 250)
      })
    }

    throw new Error(`${address} never showed on the cool-down list:\n${proc.lines.join('\n')}`)
  }

  /** A TCP server that answers like sshd and counts connections. */
  async function fakeSsh(): Promise<{count(): number; port: number; server: Server}> {
    let connections = 0
    const server = createServer((socket) => {
      connections++
      socket.on('error', () => {})
      socket.end('SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13\r\n')
    })
    await new Promise<void>((resolve) => {
      server.listen(0, '127.0.0.1', resolve)
    })
    servers.push(server)
    const address = server.address()
    return {count: () => connections, port: typeof address === 'object' && address ? address.port : 0, server}
  }

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      setTimeout(resolve, ms)
    })

  it('stops dialling a node whose room secret differs: two refusals at most, then the cool-down', async () => {
    const pb = await freePort()
    const b = await start('B', pb, ['--secret', 'the first long room passphrase'])
    const a = await start('A', await freePort(), [
      '--secret',
      'another long room passphrase',
      '--join',
      `127.0.0.1:${pb}`,
    ])
    const entry = await coolingDown(a, `127.0.0.1:${pb}`)
    expect(entry.code).to.equal('handshake_refused')
    const refusals = (): number => jsonEvents(b, 'error').filter((e) => e.code === 'room_mismatch').length
    const seen = refusals()
    await sleep(QUIET_WINDOW_MS)
    expect(refusals(), 'room_mismatch lines at B').to.equal(seen)
    expect(seen).to.be.within(1, 2)
    expect(
      jsonEvents(a, 'error').filter((e) => e.code === 'connect_failed'),
      'one line at A',
    ).to.have.length(1)
  })

  it('stops dialling an address that does not speak the protocol, and /retry dials it again', async () => {
    const ssh = await fakeSsh()
    const a = await start('A', await freePort(), ['--join', `127.0.0.1:${ssh.port}`])
    await coolingDown(a, `127.0.0.1:${ssh.port}`)
    await sleep(QUIET_WINDOW_MS)
    expect(ssh.count(), 'connections to the fake sshd').to.equal(1)
    expect(jsonEvents(a, 'peer_penalised')).to.have.length(1)

    a.type(`/retry 127.0.0.1:${ssh.port}`)
    await a.waitForLine(/"event":"notice".*cool-down/)
    const deadline = Date.now() + 10_000
    while (ssh.count() < 2 && Date.now() < deadline) await sleep(50)
    expect(ssh.count(), 'dialled again after /retry').to.equal(2)
  })

  it('does not redial a peer it cut for a forged signature', async () => {
    const victim = generateIdentity()
    const forger = new ForgingListener({id: victim.id, name: 'Victim', host: '127.0.0.1', port: 9})
    servers.push({close: () => forger.close()})
    const port = await forger.listen()
    const a = await start('A', await freePort(), ['--join', `127.0.0.1:${port}`])
    const entry = await coolingDown(a, `127.0.0.1:${port}`)
    expect(entry.code).to.equal('bad_signature')
    expect(entry.ids).to.deep.equal([forger.identity.id])
    await sleep(QUIET_WINDOW_MS)
    expect(forger.connections, 'dials to the forger').to.equal(1)
    expect(jsonEvents(a, 'message'), 'the forgery was not shown').to.deep.equal([])
    expect(
      jsonEvents(a, 'error').filter((e) => e.code === 'bad_signature'),
      'one line',
    ).to.have.length(1)
  })
})
