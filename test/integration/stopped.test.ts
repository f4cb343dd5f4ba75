// A node stopped (SIGSTOP) longer than the heartbeat is dropped by its peers; whatever was said meanwhile reaches it
// once it runs again (SIGCONT): it redials its --join and reconciliation brings the missed messages, marked late.
import {expect} from 'chai'

import {freePort, useChatNodes} from '../helpers/cli.js'

describe('a node stopped for a while (integration, SIGSTOP)', function () {
  this.timeout(90_000)
  const nodes = useChatNodes({extra: ['--history', '0']})

  it('shows what was said while it was stopped, once, marked late', async () => {
    const [pa, pb] = await Promise.all([freePort(), freePort()])
    const a = await nodes.start('A', pa)
    const b = await nodes.start('B', pb, ['--join', `127.0.0.1:${pa}`])
    await a.waitForLine(`* B (127.0.0.1:${pb}) joined.`)
    b.child.kill('SIGSTOP')
    try {
      // The heartbeat drops the silent peer (15 s); then A says three things B cannot hear.
      await a.waitForLine(/^\* Lost B .*: heartbeat timeout .*; retrying\.$/, {timeoutMs: 30_000})
      for (const text of ['one', 'two', 'three']) a.type(text)
      await a.waitForLine('You: three')
    } finally {
      b.child.kill('SIGCONT')
    }

    for (const text of ['one', 'two', 'three']) {
      await b.waitForLine(new RegExp(`^\\(\\d\\d:\\d\\d, late\\) \\[A \\(127\\.0\\.0\\.1:${pa}\\) said\\]: ${text}$`), {
        timeoutMs: 30_000,
      })
    }

    a.type('live')
    await b.waitForLine(`[A (127.0.0.1:${pa}) said]: live`)
    for (const text of ['one', 'two', 'three'])
      expect(b.lines.filter((line) => line.endsWith(`said]: ${text}`))).to.have.length(1)
  })
})
