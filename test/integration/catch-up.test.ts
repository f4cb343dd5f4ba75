// Offline catch-up with real `chat start` processes: a node quits, the others chat, it comes back on the same port
// with the same identity and shows what it missed once, marked late, and nothing it had already seen; then the same
// after every node restarted (the message store persists in the history file).
import {expect} from 'chai'

import {type ChatProcess, freePort, runChat, useChatNodes} from '../helpers/cli.js'

describe('offline catch-up (integration)', function () {
  this.timeout(90_000)
  // --history 0: what a node shows at its first join is what reconciliation brings, not a history answer racing it.
  const nodes = useChatNodes({extra: ['--history', '0']})
  const startNode = nodes.start.bind(nodes)

  const late = (port: number, text: string): RegExp =>
    new RegExp(`^\\(\\d\\d:\\d\\d, late\\) \\[A \\(127\\.0\\.0\\.1:${port}\\) said\\]: ${text}$`)
  const said = (proc: ChatProcess, text: string): number =>
    proc.lines.filter((line) => line.endsWith(`said]: ${text}`)).length

  async function quit(proc: ChatProcess): Promise<void> {
    proc.type('/quit')
    await proc.exited
  }

  it('a node that quit shows what it missed once, marked late; again after every node restarted', async () => {
    const [pa, pb, pc] = await Promise.all([freePort(), freePort(), freePort()])
    const a = await startNode('A', pa)
    const b = await startNode('B', pb, ['--join', `127.0.0.1:${pa}`])
    let c = await startNode('C', pc, ['--join', `127.0.0.1:${pa}`])
    await a.waitForLine(`* B (127.0.0.1:${pb}) joined.`)
    await a.waitForLine(`* C (127.0.0.1:${pc}) joined.`)
    // B and C hear it live (not from a history answer that raced it).
    await b.waitForLine(`Connected to A (127.0.0.1:${pa}).`)
    await c.waitForLine(`Connected to A (127.0.0.1:${pa}).`)
    a.type('hello')
    await c.waitForLine(`[A (127.0.0.1:${pa}) said]: hello`)
    await b.waitForLine(`[A (127.0.0.1:${pa}) said]: hello`)

    await quit(c)
    await a.waitForLine(/^\* C .* left/)
    for (let i = 1; i <= 5; i++) a.type(`missed ${i}`)
    await b.waitForLine(`[A (127.0.0.1:${pa}) said]: missed 5`)

    // Back on the same port (same identity, same history file).
    c = await startNode('C', pc, ['--join', `127.0.0.1:${pa}`])
    for (let i = 1; i <= 5; i++) await c.waitForLine(late(pa, `missed ${i}`), {timeoutMs: 20_000})
    a.type('live again')
    await c.waitForLine(`[A (127.0.0.1:${pa}) said]: live again`)
    expect(said(c, 'hello'), 'a message C had seen was shown again').to.equal(0)
    for (let i = 1; i <= 5; i++) expect(said(c, `missed ${i}`)).to.equal(1)

    // Every node restarts; C comes back last and catches up on what B said meanwhile, from stores read from disk.
    await Promise.all([quit(a), quit(b), quit(c)])
    const a2 = await startNode('A', pa)
    const b2 = await startNode('B', pb, ['--join', `127.0.0.1:${pa}`])
    await a2.waitForLine(`* B (127.0.0.1:${pb}) joined.`)
    b2.type('while C was away')
    await a2.waitForLine(`[B (127.0.0.1:${pb}) said]: while C was away`)
    const c2 = await startNode('C', pc, ['--join', `127.0.0.1:${pb}`])
    await c2.waitForLine(/^\(\d\d:\d\d, late\) \[B \(.*\) said\]: while C was away$/, {timeoutMs: 20_000})
    b2.type('bye')
    await c2.waitForLine(`[B (127.0.0.1:${pb}) said]: bye`)
    for (const proc of [a2, b2, c2]) {
      for (const text of ['hello', 'missed 1', 'missed 5', 'live again'])
        expect(said(proc, text), `${text} shown again`).to.equal(0)
    }

    // The history logs each late message once, with its author's time and how it arrived.
    await quit(c2)
    const tail = await runChat(['log', 'tail', '--port', String(pc), '--log-dir', nodes.logDir, '-n', '200'])
    expect(tail.code).to.equal(0)
    expect(tail.stdout.split('\n').filter((line) => /\(late\) B .*: while C was away$/.test(line))).to.have.length(1)
    expect(tail.stdout).to.not.include('frame')
  })
})
