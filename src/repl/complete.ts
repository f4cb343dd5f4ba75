// Tab completion of the input line. Pure and table-driven: the first word completes to a /command from COMMANDS,
// a command's arguments complete by their ArgKind (a peer's name, spaces and all, quoted when it has them), and `@`
// completes a peer's name anywhere in a message.

import {type ArgKind, COMMANDS} from './commands.js'
import {quoteName, readQuoted} from './recipient.js'

/** What completion knows about: the commands and their arguments, and the names of the peers in view. */
export interface CompletionSources {
  commands: ReadonlyArray<{name: string; args: readonly ArgKind[]}>
  peers: readonly string[]
  /** Names of the ignored authors, for /unignore. */
  ignored?: readonly string[]
}

/** The line after Tab, with the cursor, and every candidate that matched (for listing when Tab cannot decide). */
export interface Completion {
  text: string
  cursor: number
  candidates: string[]
}

/** What completes when the caller gives no sources: the commands, no peers. */
const COMMANDS_ONLY: CompletionSources = {commands: COMMANDS, peers: []}

const lower = (text: string): string => text.toLocaleLowerCase()
const same = (text: string): string => text

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

/** What can replace the text from `start` to the cursor, and how one candidate is written back. */
interface Candidates {
  start: number
  candidates: string[]
  /** A whole candidate as it goes on the line (a name with spaces gets quotes); the candidate itself by default. */
  whole?: (candidate: string) => string
  /** A common prefix of several, as it goes on the line. */
  partial?: (prefix: string) => string
}

/**
 * A peer name as a command's first argument: names may contain spaces (`/msg Ana M` → `/msg "Ana Maria" `), so the
 * whole argument typed so far is the prefix, an opening quote included. Undefined past the name (the text).
 */
function peerArgument(before: string, argStart: number, peers: readonly string[]): Candidates | undefined {
  const arg = before.slice(argStart)
  const quoted = arg.startsWith('"')
  if (quoted && readQuoted(arg)) return undefined
  const typed = quoted ? arg.slice(1) : arg
  const candidates = matching(typed, peers)
  if (candidates.length === 0 && /\s/.test(typed)) return undefined
  return {
    start: argStart,
    candidates,
    whole: quoteName,
    partial: (prefix) => (quoted || /\s/.test(prefix) ? `"${prefix}` : prefix),
  }
}

/** What the text before the cursor can become, or undefined when nothing completes there. */
function candidatesFor(before: string, sources: CompletionSources): Candidates | undefined {
  const word = /\S*$/.exec(before)?.[0] ?? ''
  const start = before.length - word.length
  // A command only at the very start: " /pe" is a message.
  if (before === word && word.startsWith('/') && !word.startsWith('//')) {
    return {
      start,
      candidates: matching(
        word,
        sources.commands.map((command) => `/${command.name}`),
      ),
    }
  }

  if (word.startsWith('@'))
    return {
      start,
      candidates: matching(
        word,
        sources.peers.map((peer) => `@${peer}`),
      ),
    }
  if (before.startsWith('/') && !before.startsWith('//')) {
    const head = /^\/(\S+)\s+/.exec(before)
    const command = head && sources.commands.find((c) => c.name === lower(head[1]))
    if (!head || !command) return undefined
    if (command.args[0] === 'peer' || command.args[0] === 'ignored') {
      const names = command.args[0] === 'peer' ? sources.peers : (sources.ignored ?? [])
      const peer = peerArgument(before, head[0].length, names)
      if (peer) return peer
    }

    const words = before.split(/\s+/)
    const kind = command.args[words.length - 2]
    if (kind === 'command')
      return {
        start,
        candidates: matching(
          word,
          sources.commands.map((c) => c.name),
        ),
      }
    if (kind === 'peer' && words.length > 2) return {start, candidates: matching(word, sources.peers)}
  }

  return undefined
}

/**
 * Completes what ends at `cursor` (a UTF-16 index): a word, or a peer's name (which may hold spaces). One candidate
 * replaces it and adds a space; several extend it to their longest common prefix; none leaves the line as it is.
 * `candidates` lists every match.
 */
export function complete(text: string, cursor: number, sources: CompletionSources = COMMANDS_ONLY): Completion {
  const at = Math.max(0, Math.min(cursor, text.length))
  const before = text.slice(0, at)
  const after = text.slice(at)
  const found = candidatesFor(before, sources)
  const candidates = found?.candidates ?? []
  if (!found || candidates.length === 0) return {text, cursor: at, candidates}

  const typed = before.slice(found.start)
  let replacement: string
  if (candidates.length === 1) {
    replacement = (found.whole ?? same)(candidates[0])
  } else {
    const prefix = (found.partial ?? same)(commonPrefix(candidates))
    // A shorter common prefix would only change the case of what was typed: keep the typing.
    replacement = prefix.length <= typed.length ? typed : prefix
  }

  if (candidates.length === 1 && !after.startsWith(' ')) replacement += ' '
  const completed = text.slice(0, found.start) + replacement + after
  const cursorAfter = found.start + replacement.length + (candidates.length === 1 && after.startsWith(' ') ? 1 : 0)
  return {text: completed, cursor: cursorAfter, candidates}
}
