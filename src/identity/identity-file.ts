// A node's long-term Ed25519 identity, kept in a PKCS#8 PEM file (SECURITY.md: the Noise static key is fresh per
// process and signed by this key; the identity itself is never used for DH).

import crypto from 'node:crypto'
import {constants as fsConstants} from 'node:fs'
import {link, mkdir, open, rename, unlink, writeFile} from 'node:fs/promises'
import {basename, dirname, join} from 'node:path'
import {setTimeout} from 'node:timers/promises'

import {errnoCode} from '../io/errno.js'
import {generateIdentity, type Identity, identityFromPrivateKey} from '../p2p/identity.js'

export {generateIdentity, type Identity, identityFromPrivateKey} from '../p2p/identity.js'

export interface LoadedIdentity {
  identity: Identity
  /** True when this call wrote the file. */
  created: boolean
  /** Set when the existing file is readable by group or others: tell the user, but go on. */
  warning?: string
  /** With `warning`: the file's permission bits, for a UI to word the warning itself. */
  looseMode?: number
}

export class IdentityError extends Error {
  override name = 'IdentityError'

  constructor(
    readonly file: string,
    message: string,
    options?: {cause?: unknown},
  ) {
    super(message, options)
  }
}

const EMPTY_FILE_RETRIES = 25
const EMPTY_FILE_RETRY_MS = 20
// A PKCS#8 Ed25519 PEM is ~119 bytes; anything far larger is not ours, and we should not read gigabytes to say so.
const MAX_IDENTITY_FILE_BYTES = 64 * 1024

/**
 * One identity per local port: several nodes often run on one machine (tests, local meshes), and each needs its own
 * id, or they would take each other for themselves. A fixed port then keeps its id across restarts.
 */
export function defaultIdentityPath(configDir: string, port: number): string {
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new RangeError(`invalid port: ${port}`)
  return join(configDir, 'identities', `node-${port}.pem`)
}

/**
 * Loads the identity in `file`, or creates it (parent directories 0700, file 0600) if it does not exist. Creation is
 * atomic and never replaces a file: concurrent callers, in one process or several, all end up with the same id.
 * Throws {@link IdentityError} (naming the file and what to do) for an unreadable, corrupt or non-Ed25519 file.
 */
export async function loadOrCreateIdentity(file: string): Promise<LoadedIdentity> {
  const existing = await readIdentity(file)
  if (existing) return existing
  return createIdentity(file)
}

async function readIdentity(file: string): Promise<LoadedIdentity | undefined> {
  let text = ''
  let mode = 0
  for (let attempt = 0; ; attempt++) {
    try {
      // One descriptor for stat and read, so the mode we judge belongs to the bytes we load.
      const handle = await open(file, fsConstants.O_RDONLY)
      try {
        const stats = await handle.stat()
        if (!stats.isFile())
          throw new IdentityError(file, `${file} is not a regular file: pass another --identity FILE`)
        if (stats.size > MAX_IDENTITY_FILE_BYTES) throw notAnIdentity(file)
        mode = stats.mode
        text = await handle.readFile({encoding: 'utf8'})
      } finally {
        await handle.close()
      }
    } catch (error) {
      if (error instanceof IdentityError) throw error
      if (errnoCode(error) === 'ENOENT') return undefined
      throw new IdentityError(
        file,
        `cannot read the chat identity ${file} (${describe(error)}): fix its permissions, or pass another --identity FILE`,
        {cause: error},
      )
    }

    // An empty file may be a creator's placeholder on a file system without hard links (publishNoReplace): give it
    // a moment to be filled before calling it corrupt.
    if (text !== '' || attempt >= EMPTY_FILE_RETRIES) break
    await setTimeout(EMPTY_FILE_RETRY_MS)
  }

  let identity: Identity
  try {
    identity = identityFromPrivateKey(crypto.createPrivateKey({key: text, format: 'pem'}))
  } catch (error) {
    throw notAnIdentity(file, error)
  }

  // POSIX permission bits mean nothing on Windows.
  const loose = process.platform !== 'win32' && (mode & 0o077) !== 0
  const warning = loose
    ? `the chat identity ${file} is open to other users (mode ${(mode & 0o777).toString(8).padStart(3, '0')}): anyone who reads it can pose as this node; run chmod 600 on it`
    : undefined
  return warning ? {identity, created: false, warning, looseMode: mode & 0o777} : {identity, created: false}
}

async function createIdentity(file: string): Promise<LoadedIdentity> {
  const dir = dirname(file)
  try {
    await mkdir(dir, {recursive: true, mode: 0o700})
  } catch (error) {
    throw new IdentityError(
      file,
      `cannot create the directory of the chat identity ${file} (${describe(error)}): pass another --identity FILE`,
      {cause: error},
    )
  }

  const identity = generateIdentity()
  const pem = identity.privateKey.export({format: 'pem', type: 'pkcs8'})
  // Written whole and flushed under a unique temporary name in the same directory, then published in one step: a
  // reader sees no file or the complete file, never half of one.
  const temp = join(dir, `.${basename(file)}.${process.pid}.${crypto.randomBytes(6).toString('hex')}.tmp`)
  try {
    const handle = await open(temp, 'wx', 0o600)
    try {
      await handle.writeFile(pem, {encoding: 'utf8'})
      await handle.sync()
    } finally {
      await handle.close()
    }

    if (!(await publishNoReplace(temp, file))) {
      // Someone else created it first: theirs is the identity.
      const winner = await readIdentity(file)
      if (winner) return winner
      throw new IdentityError(file, `the chat identity ${file} vanished while being created: try again`)
    }
  } catch (error) {
    if (error instanceof IdentityError) throw error
    throw new IdentityError(
      file,
      `cannot write the chat identity ${file} (${describe(error)}): pass another --identity FILE`,
      {cause: error},
    )
  } finally {
    await unlink(temp).catch(() => {})
  }

  return {identity, created: true}
}

/**
 * Moves `temp` to `file` unless `file` exists; false if it did. `rename` would silently replace a file another node
 * just created (both would then run with different ids than the file holds), so use `link`, which fails with EEXIST.
 */
async function publishNoReplace(temp: string, file: string): Promise<boolean> {
  try {
    await link(temp, file)
    return true
  } catch (error) {
    const code = errnoCode(error)
    if (code === 'EEXIST') return false
    // Some file systems (FAT, some network mounts) have no hard links: fall back to a check-then-rename, whose
    // window is tiny and only matters if two nodes create the same identity at the same instant.
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw error
  }

  try {
    await writeFile(file, '', {flag: 'wx', mode: 0o600})
  } catch (error) {
    if (errnoCode(error) === 'EEXIST') return false
    throw error
  }

  // We hold the name (empty for an instant, which readers wait out); the rename fills it atomically.
  await rename(temp, file)
  return true
}

function notAnIdentity(file: string, cause?: unknown): IdentityError {
  return new IdentityError(
    file,
    `${file} is not a chat identity (expected an Ed25519 private key in PEM): move it away to create a new one, or pass another --identity FILE`,
    {cause},
  )
}

function describe(error: unknown): string {
  return errnoCode(error) ?? (error instanceof Error ? error.message : String(error))
}
