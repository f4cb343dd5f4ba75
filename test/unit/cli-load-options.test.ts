import {expect} from 'chai'
import {fileURLToPath} from 'node:url'

import {loadOptionsFor, skipsCorePlugins} from '../../src/cli/load-options.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

describe('load options (which command lines skip the core plugins)', () => {
  it('skips them for chat start, whatever its flags', () => {
    expect(skipsCorePlugins(['start'], ['-h'])).to.equal(true)
    expect(skipsCorePlugins(['start', '--json', '--port', '5000', '--join', '127.0.0.1:5001'], ['-h'])).to.equal(true)
  })

  it('loads them for help, a typo, other commands and no command at all', () => {
    expect(skipsCorePlugins(['start', '--help'], ['-h'])).to.equal(false)
    expect(skipsCorePlugins(['start', '-h'], ['-h'])).to.equal(false)
    expect(skipsCorePlugins(['strat'], ['-h'])).to.equal(false)
    expect(skipsCorePlugins(['help', 'start'], ['-h'])).to.equal(false)
    expect(skipsCorePlugins(['plugins'], ['-h'])).to.equal(false)
    expect(skipsCorePlugins(['autocomplete'], ['-h'])).to.equal(false)
    expect(skipsCorePlugins(['log', 'tail', '--port', '5000'], ['-h'])).to.equal(false)
    expect(skipsCorePlugins([], ['-h'])).to.equal(false)
  })

  it('gives oclif the package.json without core plugins for start, and nothing (load it all) otherwise', () => {
    const options = loadOptionsFor(['start', '--json'], ROOT)
    expect(options).to.include({root: ROOT})
    expect(options?.pjson?.name).to.equal('chat')
    expect(options?.pjson?.oclif.plugins).to.deep.equal([])
    // The rest of the oclif config is the CLI's own.
    expect(options?.pjson?.oclif.commands).to.equal('./dist/commands')
    expect(options?.pjson?.oclif.exitCodes).to.include({nonExistentFlag: 2})
    expect(loadOptionsFor(['start', '-h'], ROOT)).to.equal(undefined)
    expect(loadOptionsFor(['plugins'], ROOT)).to.equal(undefined)
  })
})
