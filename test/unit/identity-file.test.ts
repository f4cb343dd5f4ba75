import {expect} from 'chai'
import {execFile} from 'node:child_process'
import crypto from 'node:crypto'
import {chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {
  defaultIdentityPath,
  IdentityError,
  identityFromPrivateKey,
  loadOrCreateIdentity,
} from '../../src/identity/identity-file.js'
import {catalogs} from '../../src/repl/i18n.js'
import {rejection} from '../helpers/errors.js'

const posix = process.platform !== 'win32'
const MODULE = fileURLToPath(new URL('../../src/identity/identity-file.ts', import.meta.url))

/** Loads or creates `file` in a separate node process and returns the id it got. */
function idFromChildProcess(file: string): Promise<string> {
  const script =
    `const {loadOrCreateIdentity} = await import(${JSON.stringify(MODULE)}); ` +
    `process.stdout.write((await loadOrCreateIdentity(${JSON.stringify(file)})).identity.id)`
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], (error, stdout, stderr) => {
      if (error) reject(new Error(`${error.message}\n${stderr}`))
      else resolve(stdout)
    })
  })
}

describe('identity file', () => {
  let dir: string

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'chat-identity-'))
  })

  afterEach(() => {
    rmSync(dir, {force: true, recursive: true})
  })

  it('creates a 0600 key in new 0700 directories, then loads the same id', async () => {
    const file = join(dir, 'config', 'identities', 'node-5000.pem')
    const first = await loadOrCreateIdentity(file)
    expect(first.created).to.equal(true)
    expect(first.warning).to.equal(undefined)
    expect(first.identity.id).to.match(/^[A-Za-z0-9_-]{43}$/)
    expect(Buffer.from(first.identity.id, 'base64url')).to.have.length(32)
    expect(first.identity.privateKey.asymmetricKeyType).to.equal('ed25519')
    expect(first.identity.publicKey.export({format: 'jwk'}).x).to.equal(first.identity.id)
    if (posix) {
      expect(statSync(file).mode & 0o777).to.equal(0o600)
      expect(statSync(join(dir, 'config', 'identities')).mode & 0o777).to.equal(0o700)
      expect(statSync(join(dir, 'config')).mode & 0o777).to.equal(0o700)
    }

    // No temporary file left behind.
    expect(readdirSync(join(dir, 'config', 'identities'))).to.deep.equal(['node-5000.pem'])

    const second = await loadOrCreateIdentity(file)
    expect(second.created).to.equal(false)
    expect(second.warning).to.equal(undefined)
    expect(second.identity.id).to.equal(first.identity.id)

    // The loaded key signs what the id verifies.
    const message = Buffer.from('hello')
    const signature = crypto.sign(null, message, second.identity.privateKey)
    const raw = Buffer.from(first.identity.id, 'base64url')
    const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), raw])
    const publicKey = crypto.createPublicKey({key: spki, format: 'der', type: 'spki'})
    expect(crypto.verify(null, message, publicKey, signature)).to.equal(true)
  })

  it('gives different files different ids', async () => {
    const a = await loadOrCreateIdentity(defaultIdentityPath(dir, 5000))
    const b = await loadOrCreateIdentity(defaultIdentityPath(dir, 5001))
    expect(a.identity.id).to.not.equal(b.identity.id)
  })

  it('rejects a corrupt file with an IdentityError naming it', async () => {
    const file = join(dir, 'node-5000.pem')
    for (const content of [
      '',
      'not a key at all\n',
      '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n',
    ]) {
      writeFileSync(file, content, {mode: 0o600})
      const error = await rejection(loadOrCreateIdentity(file))
      expect(error, JSON.stringify(content)).to.be.instanceOf(IdentityError)
      expect((error as IdentityError).file).to.equal(file)
      expect((error as Error).message).to.include(file)
      expect((error as Error).message).to.match(/not a chat identity.*Ed25519.*--identity/)
    }
  })

  it('rejects keys of another type (X25519, RSA, a public key)', async () => {
    const file = join(dir, 'node-5000.pem')
    const x25519 = crypto.generateKeyPairSync('x25519')
    const rsa = crypto.generateKeyPairSync('rsa', {modulusLength: 1024})
    const ed25519 = crypto.generateKeyPairSync('ed25519')
    for (const [kind, pem] of [
      ['x25519', x25519.privateKey.export({format: 'pem', type: 'pkcs8'})],
      ['rsa', rsa.privateKey.export({format: 'pem', type: 'pkcs8'})],
      ['ed25519 public', ed25519.publicKey.export({format: 'pem', type: 'spki'})],
    ] as const) {
      writeFileSync(file, pem, {mode: 0o600})
      const error = await rejection(loadOrCreateIdentity(file))
      expect(error, kind).to.be.instanceOf(IdentityError)
      expect((error as Error).message, kind).to.include(file)
      expect((error as Error).message, kind).to.match(/not a chat identity/)
    }

    expect(() => identityFromPrivateKey(x25519.privateKey)).to.throw(TypeError)
  })

  it('rejects a directory with an IdentityError', async () => {
    const asDir = join(dir, 'node-5000.pem')
    mkdirSync(asDir)
    const error = await rejection(loadOrCreateIdentity(asDir))
    expect(error).to.be.instanceOf(IdentityError)
    expect((error as Error).message).to.include(asDir)
    expect((error as Error).message).to.match(/not a regular file/)
  })

  it('rejects an unreadable file with an IdentityError', async function () {
    // root reads anything, and Windows has no such mode bits: nothing to test there.
    if (!posix || process.getuid?.() === 0) this.skip()
    const locked = join(dir, 'node-5001.pem')
    writeFileSync(locked, crypto.generateKeyPairSync('ed25519').privateKey.export({format: 'pem', type: 'pkcs8'}), {
      mode: 0o000,
    })
    const denied = await rejection(loadOrCreateIdentity(locked))
    expect(denied).to.be.instanceOf(IdentityError)
    expect((denied as Error).message).to.include(locked)
  })

  it('gives concurrent creators of a new file one identity', async () => {
    const file = join(dir, 'fresh', 'node-5000.pem')
    const results = await Promise.all(Array.from({length: 10}, () => loadOrCreateIdentity(file)))
    const ids = new Set(results.map((r) => r.identity.id))
    expect(ids.size).to.equal(1)
    expect(results.filter((r) => r.created)).to.have.length(1)
    const again = await loadOrCreateIdentity(file)
    expect(again.identity.id).to.equal(results[0]!.identity.id)
    expect(readdirSync(join(dir, 'fresh'))).to.deep.equal(['node-5000.pem'])
  })

  it('gives concurrent creators in separate processes one identity', async () => {
    const file = join(dir, 'shared', 'node-5000.pem')
    const ids = await Promise.all(Array.from({length: 4}, () => idFromChildProcess(file)))
    expect(ids[0]).to.match(/^[A-Za-z0-9_-]{43}$/)
    expect(new Set(ids).size).to.equal(1)
    expect((await loadOrCreateIdentity(file)).identity.id).to.equal(ids[0])
  })

  it('warns, but loads, when the file is open to group or others', async function () {
    if (!posix) this.skip()
    const file = join(dir, 'node-5000.pem')
    const {identity} = await loadOrCreateIdentity(file)
    chmodSync(file, 0o640)
    const loaded = await loadOrCreateIdentity(file)
    expect(loaded.identity.id).to.equal(identity.id)
    expect(loaded.warning).to.be.a('string')
    expect(loaded.warning).to.include(file)
    expect(loaded.warning).to.include('640')
    expect(loaded.looseMode).to.equal(0o640) // for the catalogue's words: start says it in the reader's language
    expect(catalogs.pt.identityLoose(file, 0o640)).to.include('pode ser lida por outros usuários (modo 0640)')
    expect(loaded.warning).to.match(/chmod 600/)
    chmodSync(file, 0o604)
    expect((await loadOrCreateIdentity(file)).warning).to.be.a('string')
    chmodSync(file, 0o400)
    expect((await loadOrCreateIdentity(file)).warning).to.equal(undefined)
  })

  it('keeps one identity file per port under <configDir>/identities', () => {
    expect(defaultIdentityPath('/home/ana/.config/chat', 5000)).to.equal(
      join('/home/ana/.config/chat', 'identities', 'node-5000.pem'),
    )
    expect(defaultIdentityPath('/c', 5001)).to.not.equal(defaultIdentityPath('/c', 5000))
    for (const port of [0, -1, 65_536, 1.5, Number.NaN]) {
      expect(() => defaultIdentityPath('/c', port), String(port)).to.throw(RangeError)
    }
  })
})
