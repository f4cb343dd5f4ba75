// The history's first line of a session is its session_start, even when a peer's message is stored while the
// history writer is still starting: the node listens before the writer is up.
import {expect} from 'chai'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {ChatProcess, freePort, tempDir} from '../helpers/cli.js'
import {useNodes} from '../helpers/nodes.js'

describe('history: session_start comes first', function () {
  this.timeout(60_000)
  const nodes = useNodes({degree: 0})

  it('is seq 1 even when a peer dials in and sends before the writer is up', async () => {
    const dir = tempDir()
    const port = await freePort()
    const peer = await nodes.start('Early')
    const a = new ChatProcess(['start', '--json', '--port', String(port), '--name', 'A', '--log-dir', dir.path])
    try {
      // Dial as soon as A listens (every few ms until then), and speak at once: A stores the message while its
      // writer process may still be starting.
      for (;;) {
        try {
          await peer.connect('127.0.0.1', port, {persistent: false})
          break
        } catch {
          if (a.child.exitCode !== null) throw new Error(`chat start exited: ${a.errLines.join('\n')}`)
          await new Promise((resolve) => {
            setImmediate(resolve)
          })
        }
      }

      peer.send('early bird')
      await a.waitForLine(/"event":"message".*"early bird"/)
      a.type('/quit')
      expect((await a.exited).code).to.equal(0)
      const lines = readFileSync(join(dir.path, `chat_history_${port}.log`), 'utf8')
        .split('\n')
        .filter((line) => line.length > 0)
        .map((line) => JSON.parse(line) as {event: string; seq: number})
      expect(lines[0]).to.include({event: 'session_start', seq: 1})
      expect(lines.some((line) => line.event === 'message_received')).to.equal(true)
    } finally {
      await a.kill('SIGKILL')
      dir.remove()
    }
  })
})
