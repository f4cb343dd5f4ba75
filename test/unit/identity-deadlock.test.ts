// Node 20 deadlocks when a garbage collection runs inside a JWK export of a key made by generateKeyPairSync (see
// src/p2p/identity.ts). The spam test hung that way about one run in three. Here a child process makes 20,000
// identities with a tiny young generation, so collections land inside the exports: with the JWK export it hung in
// four runs of five; it must now finish.
import {expect} from 'chai'
import {spawn} from 'node:child_process'
import {fileURLToPath} from 'node:url'

const IDENTITY_MODULE = fileURLToPath(new URL('../../src/p2p/identity.ts', import.meta.url))
const SCRIPT = `
const {generateIdentity} = await import(${JSON.stringify(IDENTITY_MODULE)})
const junk = []
for (let i = 0; i < 20000; i++) {
  generateIdentity()
  junk.push('x'.repeat(100))
  if (junk.length > 1000) junk.length = 0
}
console.log('done')
`

describe('generateIdentity under garbage-collection pressure', function () {
  this.timeout(120_000)

  it('makes 20,000 identities without the Node 20 export deadlock', async () => {
    const child = spawn(
      process.execPath,
      ['--max-semi-space-size=1', '--import', 'tsx', '--input-type=module', '-e', SCRIPT],
      {stdio: ['ignore', 'pipe', 'inherit']},
    )
    let out = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk
    })
    // A deadlocked child never exits on its own: the deadline turns the hang into a failure instead of a stuck suite.
    const deadline = setTimeout(() => child.kill('SIGKILL'), 100_000)
    const [code, signal] = await new Promise<[null | number, NodeJS.Signals | null]>((resolve) => {
      child.on('exit', (c, s) => resolve([c, s]))
    })
    clearTimeout(deadline)
    expect({code, signal, out: out.trim()}, 'the child finished (a SIGKILL means it hung)').to.deep.equal({
      code: 0,
      signal: null,
      out: 'done',
    })
  })
})
