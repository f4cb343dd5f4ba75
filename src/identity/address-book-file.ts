// The address book kept with a node's identity (docs/sync.md): the peers it learned of, by id and address, with when
// each was last reached or heard of, so that after a restart, or when the network returns, it can find the others
// again without a --join. Bounded; a damaged file is an empty book, never a failed start.

import {mkdir, open, rename} from 'node:fs/promises'
import {dirname} from 'node:path'

import {type AddressBookEntry, MAX_KNOWN_PEERS} from '../p2p/mesh.js'

/** A larger file is not read (1,000 entries take ~200 KB). */
export const MAX_ADDRESS_BOOK_BYTES = 1024 * 1024

/** Beside the identity file: `node-5000.pem` → `node-5000.peers.json`. */
export function addressBookPath(identityFile: string): string {
  return identityFile.replace(/\.pem$/, '') + '.peers.json'
}

/** The entries of the file at `path`; [] if it is missing, too large or damaged (entries that do not parse are skipped). */
export async function loadAddressBook(path: string): Promise<AddressBookEntry[]> {
  let text: string
  try {
    const fh = await open(path, 'r')
    try {
      const {size} = await fh.stat()
      if (size > MAX_ADDRESS_BOOK_BYTES) return []
      text = await fh.readFile('utf8')
    } finally {
      await fh.close()
    }
  } catch {
    return []
  }

  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch {
    return []
  }

  if (!Array.isArray(raw)) return []
  const entries: AddressBookEntry[] = []
  for (const item of raw.slice(-MAX_KNOWN_PEERS)) {
    if (typeof item !== 'object' || item === null) continue
    const {host, id, lastSeen, port} = item as Record<string, unknown>
    if (typeof id !== 'string' || id.length === 0 || id.length > 128) continue
    if (
      typeof host !== 'string' ||
      host.length === 0 ||
      host.length > 255 ||
      /[\s\u0000-\u001F\u007F-\u009F]/.test(host)
    )
      continue
    if (!Number.isInteger(port) || (port as number) < 1 || (port as number) > 65_535) continue
    if (!Number.isSafeInteger(lastSeen) || (lastSeen as number) < 0) continue
    entries.push({id, host, port: port as number, lastSeen: lastSeen as number})
  }

  return entries
}

/** Writes the book whole (a temporary file renamed over the old one), readable by its owner only. */
export async function saveAddressBook(path: string, entries: AddressBookEntry[]): Promise<void> {
  await mkdir(dirname(path), {recursive: true, mode: 0o700})
  const temporary = `${path}.${process.pid}.tmp`
  const fh = await open(temporary, 'w', 0o600)
  try {
    await fh.writeFile(JSON.stringify(entries.slice(-MAX_KNOWN_PEERS)) + '\n')
  } finally {
    await fh.close()
  }

  await rename(temporary, path)
}

/** How often a running node writes its address book (and once more when it stops). */
export const ADDRESS_BOOK_SAVE_MS = 5 * 60_000

/**
 * Saves `read()` to `path` every ADDRESS_BOOK_SAVE_MS; the returned function saves once more and stops. A failed
 * write is reported once through `problem` (the file and why, for the caller to word) and never stops the chat.
 */
export function keepAddressBook(
  read: () => AddressBookEntry[],
  path: string,
  problem: (path: string, reason: string) => void,
): () => Promise<void> {
  let told = false
  const save = async (): Promise<void> => {
    try {
      await saveAddressBook(path, read())
    } catch (error) {
      if (!told) problem(path, (error as Error).message)
      told = true
    }
  }

  const timer = setInterval(() => {
    void save()
  }, ADDRESS_BOOK_SAVE_MS)
  timer.unref()
  return async () => {
    clearInterval(timer)
    await save()
  }
}
