// Finding `@Name` in a message. Pure. Case-insensitive, and only as a whole word: `@Ana` is in "hi @ana!" but not
// in "@Anabel" nor in "ana@ana.org", so a short name is not rung by every longer one that starts like it.

/** Characters that continue a name or a word: letters, digits, marks, `_` and `-`. */
const WORD = String.raw`\p{L}\p{N}\p{M}_\-`

const escapeRegExp = (text: string): string => text.replaceAll(/[$()*+.?[\\\]^{|}]/g, String.raw`\$&`)

// Every incoming message is checked against the one own name: compile its pattern once, not per message.
let cached: {name: string; pattern: RegExp | undefined} | undefined

function mentionPattern(name: string): RegExp | undefined {
  if (cached?.name !== name) {
    const trimmed = name.trim()
    const pattern =
      trimmed === '' ? undefined : new RegExp(`(?<![${WORD}@])@${escapeRegExp(trimmed)}(?![${WORD}])`, 'giu')
    cached = {name, pattern}
  }

  // matchAll works on a copy, so the shared pattern's lastIndex never leaks from one call to the next.
  return cached.pattern
}

/** Where `@name` occurs in `text`, as [start, end) UTF-16 ranges, in order. */
export function mentionRanges(text: string, name: string): Array<[number, number]> {
  const pattern = mentionPattern(name)
  if (!pattern) return []
  return [...text.matchAll(pattern)].map((match) => [match.index, match.index + match[0].length])
}

/** True when `text` mentions `@name`. */
export function mentions(text: string, name: string): boolean {
  return mentionRanges(text, name).length > 0
}

/** Applies `mark` to each mention of `@name` and `rest` to the text around them (both see sanitised text). */
export function markMentions(text: string, name: string, mark: (s: string) => string): string {
  let out = ''
  let last = 0
  for (const [start, end] of mentionRanges(text, name)) {
    out += text.slice(last, start) + mark(text.slice(start, end))
    last = end
  }

  return out + text.slice(last)
}
