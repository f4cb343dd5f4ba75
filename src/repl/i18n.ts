// Every sentence the REPL shows, in Portuguese and English. Templates only: callers pass raw values and the human
// renderer sanitises whole lines, so nothing here needs to know about terminals.

import type {Address} from '../p2p/types.js'

export const LANGS = ['pt', 'en'] as const
export type Lang = (typeof LANGS)[number]

/** A node or peer as it appears in a line: a name and its listening address. */
export interface Who extends Address {
  name: string
}

/** One REPL command for /help. `usage` is the same in every language; `description` is translated. */
export interface HelpEntry {
  command: string
  usage: string
  description: string
}

export interface Catalog {
  readyHint: string
  received(from: Who, text: string): string
  own(text: string): string
  prompt(name: string): string
  peerJoined(peer: Who): string
  peerLeft(peer: Who, reason: string): string
  peersHeader(count: number): string
  peerLine(peer: Who): string
  noPeers: string
  help: HelpEntry[]
  unknownCommand(name: string): string
  connectUsage: string
  connected(peer: Who): string
  connectFailed(reason: string): string
  /** A rejected send, from the engine's error code (EMPTY, TOO_LONG, NOT_RUNNING) and English message. */
  sendFailed(code: string | undefined, message: string, text: string): string
  warning(message: string): string
}

/** `host:port`, with IPv6 hosts bracketed so the port stays readable. */
export function formatAddress({host, port}: Address): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`
}

const who = (peer: Who): string => `${peer.name} (${formatAddress(peer)})`

const USAGES = {help: '/help', connect: '/connect HOST PORT', peers: '/peers', quit: '/quit'} as const

/** The commands in the order /help lists them. */
function helpEntries(descriptions: Record<keyof typeof USAGES, string>): HelpEntry[] {
  return (Object.keys(USAGES) as Array<keyof typeof USAGES>).map((command) => ({
    command,
    usage: USAGES[command],
    description: descriptions[command],
  }))
}

/**
 * The engine words TOO_LONG as "message too long: 4,500 characters (the limit is 4,000)"; the numbers are taken
 * from there (the text's length is the fallback) so they can be re-formatted for the reader's locale.
 */
function tooLong(message: string, text: string): {length: number; limit: number} | undefined {
  const match = /([\d,.]+) characters? \(the limit is ([\d,.]+)\)/.exec(message)
  if (!match) return undefined
  const num = (s: string): number => Number(s.replaceAll(/[,.]/g, ''))
  const length = num(match[1]) || text.length
  const limit = num(match[2])
  return Number.isFinite(length) && Number.isFinite(limit) && limit > 0 ? {length, limit} : undefined
}

const pt: Catalog = {
  readyHint: 'Interface pronta. Digite /help para ver os comandos disponíveis.',
  received: (from, text) => `[${who(from)} disse]: ${text}`,
  own: (text) => `Você: ${text}`,
  prompt: (name) => `${name}> `,
  peerJoined: (peer) => `* ${who(peer)} entrou.`,
  peerLeft: (peer, reason) => `* ${who(peer)} saiu (${reason}).`,
  peersHeader: (count) => `Peers conectados (${count}):`,
  peerLine: (peer) => `  ${who(peer)}`,
  noPeers: 'Nenhum peer conectado.',
  help: helpEntries({
    help: 'mostra esta ajuda',
    connect: 'conecta a outro nó (também aceita HOST:PORT)',
    peers: 'lista os peers conectados',
    quit: 'sai do chat',
  }),
  unknownCommand: (name) => `Comando desconhecido: /${name}. Digite /help para ver os comandos disponíveis.`,
  connectUsage: 'Uso: /connect HOST PORT (porta de 1 a 65535)',
  connected: (peer) => `Conectado a ${who(peer)}.`,
  connectFailed: (reason) => `Não foi possível conectar: ${reason}`,
  sendFailed(code, message, text) {
    const n = (x: number): string => x.toLocaleString('pt-BR')
    const long = code === 'TOO_LONG' ? tooLong(message, text) : undefined
    if (long) return `Mensagem longa demais: ${n(long.length)} caracteres (o limite é ${n(long.limit)}).`
    if (code === 'EMPTY') return 'Mensagem vazia não é enviada.'
    if (code === 'NOT_RUNNING') return 'Não foi possível enviar: o nó não está em execução.'
    return `Não foi possível enviar: ${message}`
  },
  warning: (message) => `aviso: ${message}`,
}

const en: Catalog = {
  readyHint: 'Interface ready. Type /help to see the available commands.',
  received: (from, text) => `[${who(from)} said]: ${text}`,
  own: (text) => `You: ${text}`,
  prompt: (name) => `${name}> `,
  peerJoined: (peer) => `* ${who(peer)} joined.`,
  peerLeft: (peer, reason) => `* ${who(peer)} left (${reason}).`,
  peersHeader: (count) => `Connected peers (${count}):`,
  peerLine: (peer) => `  ${who(peer)}`,
  noPeers: 'No peers connected.',
  help: helpEntries({
    help: 'show this help',
    connect: 'connect to another node (HOST:PORT works too)',
    peers: 'list the connected peers',
    quit: 'leave the chat',
  }),
  unknownCommand: (name) => `Unknown command: /${name}. Type /help to see the available commands.`,
  connectUsage: 'Usage: /connect HOST PORT (port 1-65535)',
  connected: (peer) => `Connected to ${who(peer)}.`,
  connectFailed: (reason) => `Could not connect: ${reason}`,
  sendFailed(code, message, text) {
    const n = (x: number): string => x.toLocaleString('en')
    const long = code === 'TOO_LONG' ? tooLong(message, text) : undefined
    if (long) return `Message too long: ${n(long.length)} characters (the limit is ${n(long.limit)}).`
    if (code === 'EMPTY') return 'An empty message is not sent.'
    if (code === 'NOT_RUNNING') return 'Could not send: the node is not running.'
    return `Could not send: ${message}`
  },
  warning: (message) => `warning: ${message}`,
}

export const catalogs: Readonly<Record<Lang, Catalog>> = {pt, en}

/** Lines of /help: usages padded to one column. */
export function helpLines(catalog: Catalog): string[] {
  const width = Math.max(...catalog.help.map((entry) => entry.usage.length))
  return catalog.help.map((entry) => `${entry.usage.padEnd(width)}  ${entry.description}`)
}

export function isLang(value: string): value is Lang {
  return (LANGS as readonly string[]).includes(value)
}

/**
 * The language to speak: the flag when given (`pt`, `en`, also `pt-BR` and the like), else Portuguese when the
 * locale for messages is Portuguese, else English. The locale is the first set of LC_ALL, LC_MESSAGES, LANG, in
 * POSIX precedence order, so `LC_ALL=C` overrides a Portuguese LANG as it does for every other program.
 */
export function resolveLang(flag?: string, env: NodeJS.ProcessEnv = process.env): Lang {
  const fromFlag = flag?.trim().toLowerCase().slice(0, 2)
  if (fromFlag && isLang(fromFlag)) return fromFlag
  const locale = [env.LC_ALL, env.LC_MESSAGES, env.LANG].find((value) => value !== undefined && value !== '')
  return locale?.toLowerCase().startsWith('pt') ? 'pt' : 'en'
}
