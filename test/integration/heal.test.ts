// Healing with real `chat start` processes: the chain A – B – C – D loses B (by /quit or SIGKILL) and A's next
// messages still reach C and D, and theirs reach A. --degree 1 keeps the chain a chain until then, so the test
// exercises the repair itself rather than a mesh that was already redundant.
import {expect} from 'chai'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {freePort, useChatNodes} from '../helpers/cli.js'

describe('healing (integration)', function () {
  this.timeout(60_000)
  const nodes = useChatNodes({extra: ['--degree', '1']})
  const startNode = nodes.start.bind(nodes)

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
      // A killed process's socket closes (a leave) or, with bytes unread, resets (a peer lost): either says it.
      await a.waitForLine(how === '/quit' ? /^\* B \(.*\) left/ : /^\* (?:B \(.*\) left|Lost B )/)
      const noticedAt = Date.now()
      a.type('after')
      // Typed while A may have no peer left: then it reaches C and D by reconciliation, marked late (docs/sync.md).
      const after = new RegExp(`^(\\(\\d\\d:\\d\\d, late\\) )?\\[A \\(127\\.0\\.0\\.1:${pa}\\) said\\]: after$`)
      await c.waitForLine(after)
      await d.waitForLine(after)
      const healedAt = Date.now()
      d.type('and back')
      await a.waitForLine(`[D (127.0.0.1:${pd}) said]: and back`)
      console.log(
        `      healing after ${how}: B's death noticed in ${noticedAt - killedAt} ms, A reached C and D ${healedAt - noticedAt} ms later`,
      )
      expect(healedAt - noticedAt, 'healing took longer than 5 s').to.be.below(5000)
      for (const proc of [c, d]) expect(proc.lines.filter((line) => after.test(line))).to.have.length(1)
    })
  }
})

describe('history for late joiners (integration)', function () {
  this.timeout(60_000)
  const nodes = useChatNodes()
  const startNode = nodes.start.bind(nodes)

  it('gives a newcomer the messages it missed, once, in order, marked as history, and never re-floods them', async () => {
    const [pa, pb, pc] = await Promise.all([freePort(), freePort(), freePort()])
    const a = await startNode('A', pa)
    const b = await startNode('B', pb, ['--join', `127.0.0.1:${pa}`])
    await a.waitForLine(`* B (127.0.0.1:${pb}) joined.`)
    for (const text of ['one', 'two', 'three']) a.type(text)
    await b.waitForLine(`[A (127.0.0.1:${pa}) said]: three`)
    b.type('four')
    await a.waitForLine(`[B (127.0.0.1:${pb}) said]: four`)

    const c = await startNode('C', pc, ['--join', `127.0.0.1:${pb}`, '--history', '3'])
    const shown = await c.waitForLines(/^\(history [^)]+\) \[/, 3)
    expect(shown.map((l) => l.replace(/^\(history [^)]+\) /, ''))).to.deep.equal([
      `[A (127.0.0.1:${pa}) said]: two`,
      `[A (127.0.0.1:${pa}) said]: three`,
      `[B (127.0.0.1:${pb}) said]: four`,
    ])
    // A fence: a live message after the history proves nothing more was coming.
    b.type('five')
    await c.waitForLine(`[B (127.0.0.1:${pb}) said]: five`)
    // The three of --history, the live one, and 'one' (said within the last minutes, beyond --history) once, late.
    expect(c.lines.filter((l) => l.includes('said]: '))).to.have.length(5)
    expect(c.lines.filter((l) => /late\) \[A \(127\.0\.0\.1:\d+\) said\]: one$/.test(l))).to.have.length(1)
    for (const text of ['one', 'two', 'three'])
      expect(
        a.lines.filter((l) => l.endsWith(`]: ${text}`)),
        `re-flooded to A: ${text}`,
      ).to.deep.equal([])
    expect(b.lines.filter((l) => l.endsWith(']: three'))).to.have.length(1)

    c.type('/quit')
    await c.exited
    const logged = readFileSync(join(nodes.logDir, `chat_history_${pc}.log`), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as {event: string; history?: boolean; late?: boolean; text?: string})
      .filter((e) => e.event === 'message_received')
    expect(logged.filter((e) => e.late).map((e) => e.text)).to.deep.equal(['one'])
    expect(logged.filter((e) => !e.late).map((e) => [e.text, e.history ?? false])).to.deep.equal([
      ['two', true],
      ['three', true],
      ['four', true],
      ['five', false],
    ])
  })

  it('asks for no history with --history 0', async () => {
    const [pa, pb, pc] = await Promise.all([freePort(), freePort(), freePort()])
    const a = await startNode('A', pa)
    // A has a peer when it writes, so the message is sent then, not held for the next peer.
    const c = await startNode('C', pc, ['--join', `127.0.0.1:${pa}`])
    await a.waitForLine(`* C (127.0.0.1:${pc}) joined.`)
    a.type('before')
    await c.waitForLine(`[A (127.0.0.1:${pa}) said]: before`)
    const b = await startNode('B', pb, ['--join', `127.0.0.1:${pa}`, '--history', '0'])
    await a.waitForLine(`* B (127.0.0.1:${pb}) joined.`)
    a.type('after')
    await b.waitForLine(`[A (127.0.0.1:${pa}) said]: after`)
    expect(b.lines.some((l) => l.includes('before'))).to.equal(false)
  })
})

describe('direct messages with /msg (integration)', function () {
  this.timeout(60_000)
  const fixture = useChatNodes({extra: ['--degree', '0']})

  it('reaches a node three hops away, marked private, and no relay shows it', async () => {
    const ports = await Promise.all([freePort(), freePort(), freePort(), freePort()])
    const nodes = []
    for (const [i, name] of ['A', 'B', 'C', 'D'].entries()) {
      // --degree 0: the chain stays a chain, so the message must cross B and C.
      const join = i === 0 ? [] : ['--join', `127.0.0.1:${ports[i - 1]}`]
      nodes.push(await fixture.start(name, ports[i], join, {lang: i === 3 ? 'pt' : 'en'}))
    }

    const [a, b, c, d] = nodes
    // D announced its key when it joined, before anything it says: once A shows D's message, A has the key too
    // (frames from one node travel the same ordered connections).
    d.type('hi from D')
    await a.waitForLine(`[D (127.0.0.1:${ports[3]}) said]: hi from D`)
    a.type('/msg D the vault code is 1234')
    await a.waitForLine('[you → D]: the vault code is 1234')
    await d.waitForLine(`[A → você]: the vault code is 1234`)
    a.type('fence')
    for (const relay of [b, c]) await relay.waitForLine(`[A (127.0.0.1:${ports[0]}) said]: fence`)
    for (const relay of [b, c]) expect(relay.output).to.not.include('vault')
    d.type('/quit')
    await d.exited
    const logged = readFileSync(join(fixture.logDir, `chat_history_${ports[3]}.log`), 'utf8')
    expect(logged).to.match(/"event":"dm_received"[^\n]*"text":"the vault code is 1234"/)
    for (const relayPort of [ports[1], ports[2]]) {
      expect(readFileSync(join(fixture.logDir, `chat_history_${relayPort}.log`), 'utf8')).to.not.include('vault')
    }
  })

  it('explains an ambiguous or unknown name', async () => {
    const port = await freePort()
    const a = await fixture.start('A', port)
    a.type('/msg Zed hello')
    await a.waitForLine(/^Nobody called Zed is known yet/)
  })
})
