// The bot's counters, kept in <chat data dir>/echo-bot/stats.json so that `chat bot status` (another process) can
// show them. Written to a temporary file and renamed, so a reader never sees half a file.
import {mkdir, readFile, rename, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

export const TRIGGER = '!ping'
export const ANSWER = 'pong'

/** @param {string} dataDir the chat CLI's data directory (config.dataDir) */
export function statsFile(dataDir) {
  return join(dataDir, 'echo-bot', 'stats.json')
}

/** @returns {Promise<{answered: number, lastAnsweredAt?: string, lastNode?: {name: string, host: string, port: number}}>} */
export async function readStats(dataDir) {
  try {
    const stats = JSON.parse(await readFile(statsFile(dataDir), 'utf8'))
    return typeof stats?.answered === 'number' ? stats : {answered: 0}
  } catch {
    return {answered: 0}
  }
}

export async function recordAnswer(dataDir, node) {
  const file = statsFile(dataDir)
  const stats = await readStats(dataDir)
  const next = {
    answered: stats.answered + 1,
    lastAnsweredAt: new Date().toISOString(),
    lastNode: {name: node.name, host: node.host, port: node.port},
  }
  await mkdir(join(dataDir, 'echo-bot'), {recursive: true})
  const temporary = `${file}.${process.pid}.tmp`
  await writeFile(temporary, JSON.stringify(next) + '\n')
  await rename(temporary, file)
}
