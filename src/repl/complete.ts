// Tab completion of the input line. Pure and table-driven: the first word completes to a /command from COMMANDS,
// a command's arguments complete by their ArgKind, and `@` completes a peer's name anywhere in a message.

import {type ArgKind, COMMANDS} from './commands.js'

/** What completion knows about: the commands and their arguments, and the names of the peers in view. */
export interface CompletionSources {
  commands: ReadonlyArray<{name: string; args: readonly ArgKind[]}>
  peers: readonly string[]
}

/** The line after Tab, with the cursor, and every candidate that matched (for listing when Tab cannot decide). */
export interface Completion {
  text: string
  cursor: number
  candidates: string[]
}

const lower = (text: string): string => text.toLocaleLowerCase()

function commonPrefix(words: string[]): string {
  let prefix = words[0] ?? ''
  for (const word of words.slice(1)) {
    let i = 0
    while (i < prefix.length && i < word.length && lower(prefix[i]) === lower(word[i])) i++
    prefix = prefix.slice(0, i)
  }

  return prefix
}

/** Unique, case-insensitive prefix matches, in their given order. */
function matching(word: string, options: readonly string[]): string[] {
  const seen = new Set<string>()
  return options.filter((option) => {
    if (!lower(option).startsWith(lower(word)) || seen.has(option)) return false
    seen.add(option)
    return true
  })
}

/** What the word being typed can become, or undefined when nothing completes there. */
function candidatesFor(before: string, word: string, sources: CompletionSources): string[] | undefined {
  // A command only at the very start: " /pe" is a message.
  if (before === word && word.startsWith('/') && !word.startsWith('//')) {
    return matching(word, sources.commands.map((command) => `/${command.name}`))
  }

  if (word.startsWith('@')) return matching(word, sources.peers.map((peer) => `@${peer}`))
  if (before.startsWith('/') && !before.startsWith('//')) {
    const words = before.split(/\s+/)
    const command = sources.commands.find((c) => c.name === lower(words[0].slice(1)))
    const kind = command?.args[words.length - 2]
    if (kind === 'command') return matching(word, sources.commands.map((c) => c.name))
    if (kind === 'peer') return matching(word, sources.peers)
  }

  return undefined
}

/**
 * Completes the word that ends at `cursor` (a UTF-16 index). One candidate replaces the word and adds a space; several
 * extend it to their longest common prefix; none leaves the line as it is. `candidates` lists every match.
 */
export function complete(text: string, cursor: number, sources: CompletionSources = {commands: COMMANDS, peers: []}): Completion {
  const at = Math.max(0, Math.min(cursor, text.length))
  const before = text.slice(0, at)
  const after = text.slice(at)
  const word = /\S*$/.exec(before)?.[0] ?? ''
  const candidates = candidatesFor(before, word, sources) ?? []
  if (candidates.length === 0) return {text, cursor: at, candidates}

  const start = at - word.length
  let replacement = candidates.length === 1 ? candidates[0] : commonPrefix(candidates)
  // A shorter common prefix would only change the case of what was typed: keep the typing.
  if (replacement.length <= word.length) replacement = word
  if (candidates.length === 1 && !after.startsWith(' ')) replacement += ' '
  const completed = text.slice(0, start) + replacement + after
  const cursorAfter = start + replacement.length + (candidates.length === 1 && after.startsWith(' ') ? 1 : 0)
  return {text: completed, cursor: cursorAfter, candidates}
}
