// The name `chat start` last ran under, kept beside the identity file for `chat send`'s default.
import {expect} from 'chai'
import {statSync, utimesSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {lastNamePath, newestLastName, readLastName, saveLastName} from '../../src/identity/last-name.js'
import {tempDir} from '../helpers/cli.js'

describe('last used name', () => {
  let dir: ReturnType<typeof tempDir>

  beforeEach(() => {
    dir = tempDir()
  })

  afterEach(() => dir.remove())

  it('is kept beside the identity file, private, and read back', async () => {
    const key = join(dir.path, 'node-5000.pem')
    expect(lastNamePath(key)).to.equal(join(dir.path, 'node-5000.name'))
    expect(await readLastName(key)).to.equal(undefined)
    await saveLastName(key, 'Julia Souza')
    expect(await readLastName(key)).to.equal('Julia Souza')
    if (process.platform !== 'win32') expect(statSync(lastNamePath(key)).mode & 0o777).to.equal(0o600)
  })

  it('ignores a file that does not hold a valid name', async () => {
    const key = join(dir.path, 'node-1.pem')
    for (const content of ['', '   \n', 'x'.repeat(65), 'bad\u0007name']) {
      writeFileSync(lastNamePath(key), content)
      expect(await readLastName(key), JSON.stringify(content)).to.equal(undefined)
    }
  })

  it('finds the most recently saved name of any identity in a directory', async () => {
    expect(await newestLastName(join(dir.path, 'missing'))).to.equal(undefined)
    await saveLastName(join(dir.path, 'node-5000.pem'), 'Older')
    await saveLastName(join(dir.path, 'node-5001.pem'), 'Newer')
    utimesSync(join(dir.path, 'node-5000.name'), new Date(1000), new Date(1000))
    expect(await newestLastName(dir.path)).to.equal('Newer')
  })
})
