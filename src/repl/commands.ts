// What a typed line means. Pure: no node, no output, so every case is a one-line test.

import type {Address} from '../p2p/types.js'

import {parseAddress, parseHost, parsePort} from '../p2p/address.js'
import {type MsgTarget, readQuoted} from './recipient.js'

/** What a command's argument is, for Tab completion. `text` completes nothing but `@names`. */
export type ArgKind = 'command' | 'ignored' | 'peer' | 'text'

/**
 * The REPL's commands, in the order /help lists them, with what each argument is. Completion is driven by this
 * table, so a command taking a peer (`/msg NAME text`: `args: ['peer', 'text']`) completes names for free.
 */
export const COMMANDS = [
  {name: 'help', args: ['command']},
  {name: 'connect', args: []},
  {name: 'peers', args: []},
  {name: 'who', args: []},
  {name: 'msg', args: ['peer', 'text']},
  {name: 'me', args: ['text']},
  {name: 'history', args: []},
  {name: 'ignore', args: ['peer']},
  {name: 'unignore', args: ['ignored']},
  {name: 'retry', args: []},
  {name: 'quit', args: []},
] as const satisfies ReadonlyArray<{name: string; args: readonly ArgKind[]}>

export type CommandName = (typeof COMMANDS)[number]['name']

/** /history without a count shows this many messages; more than MAX_HISTORY is refused with the usage. */
export const DEFAULT_HISTORY = 20
export const MAX_HISTORY = 1000

export type Command =
  | {kind: 'empty'}
  | {kind: 'message'; text: string}
  /** `topic` is a lower-cased command name without the slash, when one was asked about. */
  | {kind: 'help'; topic?: string}
  | {kind: 'peers'}
  /** `message`: the text after `/quit`, sent to the room as the last message before leaving. */
  | {kind: 'quit'; message?: string}
  /** /who or /names: the room's roster. */
  | {kind: 'who'}
  | ({kind: 'connect'} & Address)
  | {kind: 'me'; action: string}
  /** Whom it is for is decided against the known nodes (`resolveRecipient`): names may contain spaces. */
  | {kind: 'msg'; target: MsgTarget}
  | {kind: 'history'; count: number}
  /** `who` is a name or a fingerprint as typed (quotes removed); absent: list the ignored authors. */
  | {kind: 'ignore'; who?: string}
  | {kind: 'unignore'; who: string}
  /** Clears `address` (or, absent, everyone) from the cool-down list. */
  | ({kind: 'retry'} & Partial<Address>)
  | {kind: 'usage'; command: 'connect' | 'history' | 'me' | 'msg' | 'retry' | 'unignore'}
  | {kind: 'unknown'; name: string}

export function isCommandName(name: string): name is CommandName {
  return COMMANDS.some((command) => command.name === name)
}

function parseConnect(args: string[]): Command {
  let address: Address | undefined
  if (args.length === 1) {
    address = parseAddress(args[0])
  } else if (args.length === 2) {
    const host = parseHost(args[0])
    const port = parsePort(args[1])
    address = host !== undefined && port !== undefined ? {host, port} : undefined
  }

  return address ? {kind: 'connect', ...address} : {kind: 'usage', command: 'connect'}
}

/** Everything after the command word, one optional pair of quotes removed: names may hold spaces. */
function restOf(text: string): string {
  const rest = text.replace(/^\/\S+\s*/, '').trim()
  const quoted = /^"(.+)"$/.exec(rest)
  return (quoted ? quoted[1] : rest).replace(/^@/, '')
}

function parseRetry(args: string[]): Command {
  if (args.length === 0) return {kind: 'retry'}
  const connect = parseConnect(args)
  return connect.kind === 'connect'
    ? {kind: 'retry', host: connect.host, port: connect.port}
    : {kind: 'usage', command: 'retry'}
}

function parseHistory(args: string[]): Command {
  if (args.length === 0) return {kind: 'history', count: DEFAULT_HISTORY}
  const count = /^\d{1,7}$/.test(args[0]) ? Number(args[0]) : 0
  return args.length === 1 && count >= 1 && count <= MAX_HISTORY
    ? {kind: 'history', count}
    : {kind: 'usage', command: 'history'}
}

/**
 * `/msg "Ana Maria" text` (a quoted name, then the text) or `/msg words...` (resolved later); the text keeps its
 * inner spacing.
 */
function parseMsg(args: string): Command {
  const usage: Command = {kind: 'usage', command: 'msg'}
  if (args.startsWith('"')) {
    const quoted = readQuoted(args)
    if (!quoted || quoted.name === '' || !/^\s+\S/.test(quoted.rest)) return usage
    return {kind: 'msg', target: {quoted: quoted.name, text: quoted.rest.trimStart()}}
  }

  return /^\S+\s+\S/.test(args) ? {kind: 'msg', target: {words: args}} : usage
}

/** True for a `/msg` line, complete or not: it may name whom it is for and what was said in private. */
export function isPrivateLine(line: string): boolean {
  return /^\/msg(?:\s|$)/i.test(line.trimStart())
}

/**
 * Parses one input line. A line not starting with `/` is a message, kept exactly as typed (only a trailing CR from
 * a CRLF stream is dropped). `//text` sends `/text`, so a message can start with a slash. Command names are
 * case-insensitive; /peers ignores extra words; `/quit TEXT` sends TEXT before leaving.
 */
export function parseLine(line: string): Command {
  const text = line.endsWith('\r') ? line.slice(0, -1) : line
  if (text.trim() === '') return {kind: 'empty'}
  if (!text.startsWith('/')) return {kind: 'message', text}
  if (text.startsWith('//')) return {kind: 'message', text: text.slice(1)}

  const [word, ...rest] = text.slice(1).trimEnd().split(/\s+/)
  const args = rest.filter((arg) => arg !== '')
  const name = word ?? ''
  switch (name.toLowerCase()) {
    case 'help': {
      const topic = args[0]?.replace(/^\//, '').toLowerCase()
      return topic ? {kind: 'help', topic} : {kind: 'help'}
    }

    case 'peers': {
      return {kind: 'peers'}
    }

    case 'quit': {
      // Like irssi's /quit message: the words after it are said before leaving, with their inner spacing.
      const message = text.replace(/^\/quit\s*/i, '').trimEnd()
      return message === '' ? {kind: 'quit'} : {kind: 'quit', message}
    }

    case 'who':
    case 'names': {
      return {kind: 'who'}
    }

    case 'connect': {
      return parseConnect(args)
    }

    case 'me': {
      // The action keeps its inner spacing: everything after "/me ".
      const action = text.replace(/^\/me\s*/i, '').trimEnd()
      return action === '' ? {kind: 'usage', command: 'me'} : {kind: 'me', action}
    }

    case 'history': {
      return parseHistory(args)
    }

    case 'ignore': {
      const who = restOf(text)
      return who === '' ? {kind: 'ignore'} : {kind: 'ignore', who}
    }

    case 'unignore': {
      const who = restOf(text)
      return who === '' ? {kind: 'usage', command: 'unignore'} : {kind: 'unignore', who}
    }

    case 'retry': {
      return parseRetry(args)
    }

    case 'msg': {
      return parseMsg(text.trimEnd().replace(/^\/msg\s*/i, ''))
    }

    default: {
      return {kind: 'unknown', name}
    }
  }
}

/** True for a line that leaves the chat: not worth recalling with ↑, where Enter would leave again by accident. */
export function isQuitLine(line: string): boolean {
  return parseLine(line).kind === 'quit'
}
