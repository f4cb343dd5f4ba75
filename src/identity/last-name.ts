// The name an identity last chatted under, kept beside its key file (`node-5000.pem` → `node-5000.name`), so that
// `chat send` speaks as the person who runs `chat start` rather than as the OS user (often `root` in a cron job).

import {open, readdir, stat, writeFile} from 'node:fs/promises'
import {dirname, join} from 'node:path'

import {MAX_NAME_CHARS} from '../p2p/protocol.js'
import {defaultIdentityPath} from './identity-file.js'

/** A name file is one short line; a larger file is not ours and is not read whole. */
const MAX_NAME_FILE_BYTES = 1024
/** The identities directory is scanned for the newest name; a directory of more files than this is not looked at. */
const MAX_SCANNED_FILES = 1000

/**
 * The name `chat send` speaks under without --name: the one last used with its `--identity` file, else the newest one
 * any `chat start` kept under `configDir`; undefined when none was kept.
 */
export async function lastUsedName(configDir: string, identityFile: string | undefined): Promise<string | undefined> {
  const own = identityFile === undefined ? undefined : await readLastName(identityFile)
  return own ?? newestLastName(dirname(defaultIdentityPath(configDir, 1)))
}

/** Where the name used with `identityFile` is kept. */
export function lastNamePath(identityFile: string): string {
  return identityFile.replace(/\.pem$/i, '') + '.name'
}

/** Records the name `chat start` runs under with this identity (mode 0600, like the key). */
export async function saveLastName(identityFile: string, name: string): Promise<void> {
  await writeFile(lastNamePath(identityFile), `${name}\n`, {encoding: 'utf8', mode: 0o600})
}

/** The name last used with this identity, or undefined when none was kept (or the file is not a valid name). */
export async function readLastName(identityFile: string): Promise<string | undefined> {
  return readNameFile(lastNamePath(identityFile))
}

/** The most recently saved name of any identity in `dir` (`<config-dir>/identities`), or undefined. */
export async function newestLastName(dir: string): Promise<string | undefined> {
  let files: string[]
  try {
    files = (await readdir(dir)).filter((file) => file.endsWith('.name')).slice(0, MAX_SCANNED_FILES)
  } catch {
    return undefined
  }

  const dated = await Promise.all(
    files.map(async (file) => {
      try {
        return {file, mtime: (await stat(join(dir, file))).mtimeMs}
      } catch {
        return {file, mtime: -1}
      }
    }),
  )
  for (const {file} of dated.filter((d) => d.mtime >= 0).sort((a, b) => b.mtime - a.mtime)) {
    const name = await readNameFile(join(dir, file))
    if (name !== undefined) return name
  }

  return undefined
}

async function readNameFile(file: string): Promise<string | undefined> {
  let text: string
  try {
    const handle = await open(file, 'r')
    try {
      const buffer = Buffer.alloc(MAX_NAME_FILE_BYTES)
      const {bytesRead} = await handle.read(buffer, 0, MAX_NAME_FILE_BYTES, 0)
      text = buffer.subarray(0, bytesRead).toString('utf8')
    } finally {
      await handle.close()
    }
  } catch {
    return undefined
  }

  const name = text.trim()
  // The same rule as the engine's for a name: a file edited by hand must not make `chat send` fail.
  if (name.length === 0 || name.length > MAX_NAME_CHARS || /[\u0000-\u001F\u007F-\u009F]/.test(name)) return undefined
  return name
}
