// Hyperswarm is loaded only with --swarm: a plain node loads none of it (so it starts no slower than before).
import {expect} from 'chai'
import {execFileSync} from 'node:child_process'

import {PROJECT_ROOT} from '../helpers/cli.js'

/** Starts and stops a built ChatNode in a fresh process; says whether any Hyperswarm module was loaded. */
function loadsHyperswarm(options: string): boolean {
  const script = `
    import {createRequire} from 'node:module'
    const {ChatNode} = await import('./dist/p2p/node.js')
    const node = new ChatNode({name: 'lazy', host: '127.0.0.1', port: 0, ${options}})
    await node.start()
    await node.stop()
    const loaded = Object.keys(createRequire(import.meta.url).cache).filter((path) => /hyperswarm|hyperdht|blind-relay/.test(path))
    console.log(loaded.length > 0 ? 'loaded' : 'not loaded')`
  return (
    execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
      timeout: 30_000,
    }).trim() === 'loaded'
  )
}

describe('Hyperswarm is loaded only with swarm options', function () {
  this.timeout(60_000)

  it('a plain node loads none of hyperswarm, hyperdht or blind-relay; a swarm node does', () => {
    expect(loadsHyperswarm('')).to.equal(false)
    // A loopback bootstrap nobody answers on: no public bootstrap node is ever contacted.
    expect(loadsHyperswarm(`swarm: {bootstrap: [{host: '127.0.0.1', port: 9}]}`)).to.equal(true)
  })
})
