// The README's three-node example, run as printed: its commands (on free ports instead of 5000–5002) as real
// processes, Pedro typing `ola` and Ana `oi`, and Julia's screen compared line by line with the one the README
// quotes. If the README or the behaviour changes, this fails until they agree again.
import {expect} from 'chai'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {ChatProcess, freePort, PROJECT_ROOT, tempDir} from '../helpers/cli.js'

interface Example {
  commands: string[][]
  screen: string[]
}

/** The first ```sh block and the first plain ``` block after it in the README's "## Example" section. */
function readmeExample(): Example {
  const readme = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8')
  const section = readme.slice(readme.indexOf('\n## Example\n'))
  const blocks = [...section.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)]
  const sh = blocks.find((block) => block[1] === 'sh')
  const screen = blocks.find((block) => block[1] === '' && block.index > (sh?.index ?? Infinity))
  if (!sh || !screen) throw new Error('README.md: no "## Example" with a ```sh block and a quoted screen after it')
  const commands = sh[2]
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
  return {commands, screen: screen[2].replace(/\n$/, '').split('\n')}
}

describe('the README example', function () {
  this.timeout(60_000)
  const procs: ChatProcess[] = []
  const logs = tempDir()

  after(async () => {
    await Promise.all(procs.map((p) => p.kill('SIGKILL')))
    logs.remove()
  })

  it("shows on Julia's screen exactly what the README quotes", async () => {
    const {commands, screen} = readmeExample()
    expect(commands).to.have.length(3)
    for (const command of commands) expect(command.slice(0, 3)).to.deep.equal(['npx', 'chat', 'start'])
    // The README's ports, mapped to free ones in the commands and in the screen alike.
    const ports = new Map<string, string>()
    for (const port of ['5000', '5001', '5002']) ports.set(port, String(await freePort()))
    const local = (text: string): string => text.replaceAll(/\b500[0-2]\b/g, (port) => ports.get(port)!)
    const start = async (args: string[]): Promise<ChatProcess> => {
      // --log-dir keeps the history files out of the project; it changes nothing on the screen.
      const proc = new ChatProcess([...args.slice(2).map((arg) => local(arg)), '--log-dir', logs.path])
      procs.push(proc)
      await proc.waitForLine(screen[0])
      return proc
    }

    const expected = screen.map((line) => local(line))
    const julia = await start(commands[0])
    const pedro = await start(commands[1])
    await julia.waitForLine(expected[1])
    const ana = await start(commands[2])
    await pedro.waitForLine(new RegExp(`^\\* Ana \\(127\\.0\\.0\\.1:${ports.get('5002')}\\) entrou\\.$`))
    pedro.type('ola')
    await julia.waitForLine(expected[2])
    ana.type('oi')
    await julia.waitForLine(expected[3])

    // A node that dials on its own learns of Ana from Pedro before Ana's message passes Pedro: ask both ends for
    // their peers, so such a connection shows up here (as a count of 2 or an extra "entrou" line) rather than later.
    julia.type('/peers')
    ana.type('/peers')
    const [juliaCount, anaCount] = await Promise.all([
      julia.waitForLine(/^Peers conectados/),
      ana.waitForLine(/^Peers conectados/),
    ])
    expect([juliaCount, anaCount]).to.deep.equal(['Peers conectados (1):', 'Peers conectados (1):'])
    expect(julia.lines.slice(0, julia.lines.indexOf(juliaCount))).to.deep.equal(expected)
    await ana.waitForLine(new RegExp(`^ {2}Pedro \\(127\\.0\\.0\\.1:${ports.get('5001')}\\) `))
    expect(julia.errLines).to.deep.equal([])
  })
})
