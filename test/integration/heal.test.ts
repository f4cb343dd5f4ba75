// Healing with real `chat start` processes: the chain A – B – C – D loses B (by /quit or SIGKILL) and A's next
// messages still reach C and D, and theirs reach A. --degree 1 keeps the chain a chain until then, so the test
// exercises the repair itself rather than a mesh that was already redundant.
import {expect} from 'chai'

import {ChatProcess, freePort, tempDir} from '../helpers/cli.js'

const READY = 'Interface ready. Type /help to see the available commands.'

describe('healing (integration)', function () {
  this.timeout(60_000)
  let procs: ChatProcess[] = []
  let logs: ReturnType<typeof tempDir>

  beforeEach(() => {
    logs = tempDir()
  })

  afterEach(async () => {
    await Promise.all(procs.map((p) => p.kill('SIGKILL')))
    procs = []
    logs.remove()
  })

  async function startNode(name: string, port: number, extra: string[] = []): Promise<ChatProcess> {
    const proc = new ChatProcess(['start', '--port', String(port), '--name', name, '--log-dir', logs.path, '--lang', 'en', '--degree', '1', ...extra])
    procs.push(proc)
    await proc.waitForLine(READY)
    return proc
  }

  for (const how of ['/quit', 'SIGKILL'] as const) {
    it(`reconnects A with C and D when B leaves by ${how}`, async () => {
      const [pa, pb, pc, pd] = await Promise.all([freePort(), freePort(), freePort(), freePort()])
      const a = await startNode('A', pa)
      const b = await startNode('B', pb, ['--join', `127.0.0.1:${pa}`])
      const c = await startNode('C', pc, ['--join', `127.0.0.1:${pb}`])
      const d = await startNode('D', pd, ['--join', `127.0.0.1:${pc}`])
      await c.waitForLine(`* D (127.0.0.1:${pd}) joined.`)
      a.type('before')
      await d.waitForLine(`[A (127.0.0.1:${pa}) said]: before`)

      const killedAt = Date.now()
      if (how === '/quit') b.type('/quit')
      else b.child.kill('SIGKILL')
      await b.exited
      await a.waitForLine(/^\* B \(.*\) left/)
      const noticedAt = Date.now()
      a.type('after')
      await c.waitForLine(`[A (127.0.0.1:${pa}) said]: after`)
      await d.waitForLine(`[A (127.0.0.1:${pa}) said]: after`)
      const healedAt = Date.now()
      d.type('and back')
      await a.waitForLine(`[D (127.0.0.1:${pd}) said]: and back`)
      console.log(`      healing after ${how}: B's death noticed in ${noticedAt - killedAt} ms, A reached C and D ${healedAt - noticedAt} ms later`)
      expect(healedAt - noticedAt, 'healing took longer than 5 s').to.be.below(5000)
      for (const proc of [c, d]) expect(proc.count(`[A (127.0.0.1:${pa}) said]: after`)).to.equal(1)
    })
  }
})
