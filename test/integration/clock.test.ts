// Clocks that differ: a node under libfaketime (Debian's `faketime` package) runs 10 minutes ahead. Both users are
// told once, and messages pass both ways, shown live (not late), with their author's time.
import {expect} from 'chai'
import {existsSync} from 'node:fs'

import {ChatProcess, freePort, jsonEvents, useChatNodes} from '../helpers/cli.js'

const LIBFAKETIME = ['/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1', '/usr/lib/faketime/libfaketime.so.1'].find(
  (path) => existsSync(path),
)

describe('clocks that differ (integration, faketime)', function () {
  this.timeout(60_000)
  const nodes = useChatNodes()

  async function startJson(
    name: string,
    port: number,
    extra: string[] = [],
    env: NodeJS.ProcessEnv = {},
  ): Promise<ChatProcess> {
    const proc = nodes.track(
      new ChatProcess(
        ['start', '--json', '--port', String(port), '--name', name, '--log-dir', nodes.logDir, ...extra],
        {env},
      ),
    )
    await proc.waitForLine(/"event":"ready"/)
    return proc
  }

  before(function () {
    if (!LIBFAKETIME) this.skip() // apt-get install faketime
  })

  it('a node 10 minutes ahead: both sides are warned, and nothing is lost either way', async () => {
    const [pa, pb] = await Promise.all([freePort(), freePort()])
    const a = await startJson('Julia', pa)
    // Monotonic time stays real: Node's timers keep working.
    const env = {LD_PRELOAD: LIBFAKETIME!, FAKETIME: '+10m', FAKETIME_DONT_FAKE_MONOTONIC: '1'}
    const b = await startJson('Pedro', pb, ['--join', `127.0.0.1:${pa}`], env)
    await a.waitForLine(/"event":"clock_skew"/)
    await b.waitForLine(/"event":"clock_skew"/)
    const [atA] = jsonEvents(a, 'clock_skew')
    const [atB] = jsonEvents(b, 'clock_skew')
    expect(atA.offsetMs as number).to.be.within(9 * 60_000, 11 * 60_000)
    expect(atB.offsetMs as number).to.be.within(-11 * 60_000, -9 * 60_000)
    expect((atA.peer as {name: string}).name).to.equal('Pedro')

    b.type('from the future')
    a.type('from the past')
    await a.waitForLine(/"text":"from the future"/)
    await b.waitForLine(/"text":"from the past"/)
    const [future] = jsonEvents(a, 'message')
    const [past] = jsonEvents(b, 'message')
    expect(future.late, 'a message from a fast clock is live, not late').to.equal(undefined)
    expect(past.late, 'a message from a slow clock is live, not late').to.equal(undefined)
    expect((future.ts as number) - Date.now()).to.be.above(9 * 60_000)
  })
})

describe('clocks that differ, in words (integration, faketime)', function () {
  this.timeout(60_000)
  const nodes = useChatNodes()

  before(function () {
    if (!LIBFAKETIME) this.skip()
  })

  it('tells each user in their language whose clock is off, and by how much', async () => {
    const [pa, pb] = await Promise.all([freePort(), freePort()])
    const a = await nodes.start('Julia', pa, [], {lang: 'pt'})
    const env = {LD_PRELOAD: LIBFAKETIME!, FAKETIME: '-10m', FAKETIME_DONT_FAKE_MONOTONIC: '1'}
    const b = await nodes.start('Pedro', pb, ['--join', `127.0.0.1:${pa}`], {env, lang: 'en'})
    await a.waitForLine(
      new RegExp(`^! O relógio de Pedro \\(127\\.0\\.0\\.1:${pb}\\) está 10 min atrasado em relação ao seu: `),
    )
    await b.waitForLine(new RegExp(`^! Julia \\(127\\.0\\.0\\.1:${pa}\\)'s clock is 10 min ahead of yours: `))
  })
})
