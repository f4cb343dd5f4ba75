// `chat log tail` served by a running node's log process over its Unix socket: the last events and then the live
// ones, whatever --log-dir the tail is given; several tails at once; the file again once the node is gone.
import {expect} from 'chai'
import {existsSync} from 'node:fs'

import {ChatProcess, freePort, runChat, tempDir, useChatNodes} from '../helpers/cli.js'

describe('log tail from the running node (integration)', function () {
  this.timeout(60_000)
  const nodes = useChatNodes()
  const data = tempDir('chat-test-data-')
  const env = {CHAT_DATA_DIR: data.path, XDG_RUNTIME_DIR: ''}

  after(() => data.remove())

  it('gets the last events and follows new ones from the node, not from the file; two tails at once', async () => {
    const [pa, pb] = await Promise.all([freePort(), freePort()])
    const a = await nodes.start('A', pa, [], {env})
    const b = await nodes.start('B', pb, ['--join', `127.0.0.1:${pa}`], {env})
    await a.waitForLine(`* B (127.0.0.1:${pb}) joined.`)
    b.type('first')
    await a.waitForLine(`[B (127.0.0.1:${pb}) said]: first`)
    // An empty directory: only the node's log process can answer.
    const elsewhere = tempDir()
    try {
      const last = await runChat(['log', 'tail', '--port', String(pa), '--log-dir', elsewhere.path, '-n', '10'], {env})
      expect(last.code, last.stderr).to.equal(0)
      expect(last.stdout).to.match(/B \(127\.0\.0\.1:\d+\): first$/m)
      expect(last.stdout).to.not.include('frame')

      const follow = [0, 1].map(() =>
        nodes.track(
          new ChatProcess(
            ['log', 'tail', '--port', String(pa), '--log-dir', elsewhere.path, '-n', '1', '-f', '--json'],
            {env},
          ),
        ),
      )
      // Its last event arrived: the tail is registered with the node's log process and gets every line from now on.
      for (const tail of follow) await tail.waitForLine(/"event":"message_received".*"text":"first"/)
      b.type('second')
      for (const tail of follow) {
        const line = await tail.waitForLine(/"event":"message_received".*"text":"second"/)
        expect(JSON.parse(line)).to.include({event: 'message_received', text: 'second'})
      }
    } finally {
      elsewhere.remove()
    }

    a.type('/quit')
    await a.exited
    // No node on the port: the file, as before (here: none in that directory).
    const none = await runChat(['log', 'tail', '--port', String(pa), '--log-dir', data.path], {env})
    expect(none.code).to.equal(2)
    expect(existsSync(`${data.path}/chat-log-${pa}.sock`), 'socket removed at exit').to.equal(false)
  })
})
