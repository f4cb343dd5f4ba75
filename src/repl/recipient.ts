// Who a `/msg` is for. Pure: the known nodes come in, a verdict goes out. A direct message must never reach someone
// the sender did not mean, so anything that could be read two ways is refused with the candidates, never guessed.

import type {NodeInfo} from '../p2p/types.js'

import {fingerprint} from '../p2p/identity.js'

/** `/msg`'s argument as typed: a quoted name and the text after it, or the words after `/msg`, not yet split. */
export type MsgTarget = {quoted: string; text: string} | {words: string}

export type Recipient =
  | {kind: 'found'; node: NodeInfo; text: string}
  /** `name` is what was taken for the name: the quoted name, the fingerprint, or the first word. */
  | {kind: 'unknown'; name: string}
  /** More than one node could be meant (two keys with one name, or one name the prefix of another). */
  | {kind: 'ambiguous'; name: string; candidates: NodeInfo[]}
  /** A name with no text after it. */
  | {kind: 'usage'}

const FINGERPRINT = /^[\da-f]{4}:[\da-f]{4}$/i

const fold = (text: string): string => text.toLocaleLowerCase()

function safeFingerprint(id: string): string | undefined {
  try {
    return fingerprint(id)
  } catch {
    return undefined
  }
}

/** Nodes whose name is `name`, ignoring case: one name, possibly several keys. */
function named(known: readonly NodeInfo[], name: string): NodeInfo[] {
  return known.filter((node) => fold(node.name) === fold(name))
}

function verdict(name: string, nodes: NodeInfo[], text: string): Recipient {
  if (nodes.length === 0) return {kind: 'unknown', name}
  if (nodes.length > 1) return {kind: 'ambiguous', name, candidates: nodes}
  return text === '' ? {kind: 'usage'} : {kind: 'found', node: nodes[0], text}
}

/**
 * Resolves `/msg`'s target among the nodes that announced a key:
 * - a quoted name (`"Ana Maria" hi`) is that name exactly (any case);
 * - a fingerprint (`ab12:cd34 hi`) is that key;
 * - otherwise every known name the words start with (whole words, any case) is a candidate: `Ana Maria hi` with
 *   both `Ana` and `Ana Maria` known is refused, as is a name two keys use. A leading `@` is dropped.
 */
export function resolveRecipient(target: MsgTarget, known: readonly NodeInfo[]): Recipient {
  if ('quoted' in target) return verdict(target.quoted, named(known, target.quoted), target.text)

  const words = target.words.trim()
  const [first = ''] = words.split(/\s/, 1)
  if (FINGERPRINT.test(first)) {
    const nodes = known.filter((node) => safeFingerprint(node.id) === first.toLowerCase())
    return verdict(first, nodes, words.slice(first.length).trimStart())
  }

  const typed = words.startsWith('@') ? words.slice(1) : words
  // Names the words could begin with (folded), each with how it was typed and the text that would follow it.
  const readings = new Map<string, {name: string; text: string}>()
  for (const node of known) {
    const name = fold(node.name)
    const head = typed.slice(0, node.name.length)
    if (name === '' || readings.has(name) || fold(head) !== name) continue
    const rest = typed.slice(node.name.length)
    if (rest === '' || /^\s/.test(rest)) readings.set(name, {name: head, text: rest.trimStart()})
  }

  if (readings.size === 0) return {kind: 'unknown', name: first.replace(/^@/, '')}
  if (readings.size > 1) {
    const candidates = known.filter((node) => readings.has(fold(node.name)))
    const all = [...readings.values()]
    let shortest = all[0]
    for (const reading of all) if (reading.name.length < shortest.name.length) shortest = reading
    return {kind: 'ambiguous', name: shortest.name, candidates}
  }

  const [[folded, reading]] = readings
  return verdict(
    reading.name,
    known.filter((node) => fold(node.name) === folded),
    reading.text,
  )
}

/** A name as `/msg` takes it back: bare when it is one plain word, else in double quotes (`"` and `\` escaped). */
export function quoteName(name: string): string {
  if (/^[^\s"\\@]\S*$/.test(name) && !FINGERPRINT.test(name)) return name
  return `"${name.replaceAll('\\', '\\\\').replaceAll('"', String.raw`\"`)}"`
}

/**
 * Reads a leading quoted name: `"Ana Maria" hi` → name `Ana Maria`, rest `hi`. `\"` and `\\` escape. Undefined when
 * the text does not start with a quote or the quote is never closed.
 */
export function readQuoted(text: string): {name: string; rest: string} | undefined {
  if (!text.startsWith('"')) return undefined
  let name = ''
  for (let i = 1; i < text.length; i++) {
    const char = text[i]
    if (char === '\\' && i + 1 < text.length) {
      i += 1
      name += text[i]
    } else if (char === '"') {
      return {name, rest: text.slice(i + 1)}
    } else {
      name += char
    }
  }

  return undefined
}
