// Handshake patterns and protocol-name parsing. Only XX (no pre-messages) with psk modifiers and the
// 25519/ChaChaPoly/SHA256 suite: what this project needs and what the known-answer vectors cover.

import {NoiseError} from './errors.js'

export type Token = 'e' | 's' | 'ee' | 'es' | 'se' | 'ss' | 'psk'
export type MessagePattern = readonly Token[]

export interface HandshakePattern {
  /** Full protocol name, e.g. `Noise_XXpsk0_25519_ChaChaPoly_SHA256`; hashed into h. */
  readonly protocolName: string
  /** Pattern with modifiers, e.g. `XXpsk0+psk3`. */
  readonly name: string
  /** Messages in order; even indices are written by the initiator. */
  readonly messages: readonly MessagePattern[]
  /** Number of psk tokens, i.e. how many PSKs each side must supply (consumed in token order). */
  readonly pskCount: number
}

/** The one protocol the chat uses (SECURITY.md). */
export const DEFAULT_PROTOCOL_NAME = 'Noise_XXpsk0_25519_ChaChaPoly_SHA256'

const BASE_PATTERNS: Readonly<Record<string, readonly MessagePattern[]>> = {
  XX: [['e'], ['e', 'ee', 's', 'es'], ['s', 'se']],
}

const SUITE = ['25519', 'ChaChaPoly', 'SHA256'] as const

function unsupported(protocolName: string, why: string): NoiseError {
  return new NoiseError('unsupported_protocol', `${JSON.stringify(protocolName)}: ${why}`)
}

/** Parses `Noise_<pattern>[<modifiers>]_25519_ChaChaPoly_SHA256` into token lists with psk tokens placed (§9.2). */
export function parseProtocolName(protocolName: string): HandshakePattern {
  const parts = protocolName.split('_')
  if (parts.length !== 5 || parts[0] !== 'Noise') throw unsupported(protocolName, 'not a Noise protocol name')
  const [, patternName, ...suite] = parts as [string, string, string, string, string]
  if (suite.some((part, i) => part !== SUITE[i]))
    throw unsupported(protocolName, `only ${SUITE.join('_')} is supported`)

  const match = /^([A-Z1]+)(.*)$/.exec(patternName)
  const base = match?.[1]
  const baseMessages = base === undefined ? undefined : BASE_PATTERNS[base]
  if (match === null || baseMessages === undefined) throw unsupported(protocolName, 'unknown handshake pattern')
  const modifierText = match[2] ?? ''

  const messages: Token[][] = baseMessages.map((m) => [...m])
  const seen = new Set<number>()
  let pskCount = 0
  if (modifierText !== '') {
    for (const modifier of modifierText.split('+')) {
      const psk = /^psk(0|[1-9][0-9]*)$/.exec(modifier)
      if (psk === null) throw unsupported(protocolName, `unknown modifier ${JSON.stringify(modifier)}`)
      const n = Number(psk[1])
      if (n > messages.length) throw unsupported(protocolName, `psk${n} is past the last message`)
      if (seen.has(n)) throw unsupported(protocolName, `duplicate modifier psk${n}`)
      seen.add(n)
      // psk0 goes first in message 1; pskN (N ≥ 1) at the end of message N.
      if (n === 0) messages[0]!.unshift('psk')
      else messages[n - 1]!.push('psk')
      pskCount++
    }
  }

  return {protocolName, name: patternName, messages, pskCount}
}
