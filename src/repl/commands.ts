// What a typed line means. Pure: no node, no output, so every case is a one-line test.

import {parseAddress, parseHost, parsePort} from '../p2p/address.js'
import type {Address} from '../p2p/types.js'

export type Command =
  | {kind: 'empty'}
  | {kind: 'message'; text: string}
  | {kind: 'help'}
  | {kind: 'peers'}
  | {kind: 'quit'}
  | ({kind: 'connect'} & Address)
  | {kind: 'usage'; command: 'connect'}
  | {kind: 'unknown'; name: string}

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

/**
 * Parses one input line. A line not starting with `/` is a message, kept exactly as typed (only a trailing CR from
 * a CRLF stream is dropped). `//text` sends `/text`, so a message can start with a slash. Command names are
 * case-insensitive; /help, /peers and /quit ignore extra words.
 */
export function parseLine(line: string): Command {
  const text = line.endsWith('\r') ? line.slice(0, -1) : line
  if (text.trim() === '') return {kind: 'empty'}
  if (!text.startsWith('/')) return {kind: 'message', text}
  if (text.startsWith('//')) return {kind: 'message', text: text.slice(1)}

  const [word, ...args] = text.slice(1).trimEnd().split(/\s+/)
  const name = word ?? ''
  switch (name.toLowerCase()) {
    case 'help': {
      return {kind: 'help'}
    }

    case 'peers': {
      return {kind: 'peers'}
    }

    case 'quit': {
      return {kind: 'quit'}
    }

    case 'connect': {
      return parseConnect(args.filter((arg) => arg !== ''))
    }

    default: {
      return {kind: 'unknown', name}
    }
  }
}
