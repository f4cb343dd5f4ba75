// Word wrap for lines shown on a terminal, with a hanging indent: a long message continues under its text, not
// under the sender's name at column 0, and a word is cut only when it is longer than a whole row. Pure; colour codes
// (SGR) and the bell take no columns and are kept where they are.

import {charWidth} from './width.js'

/** SGR sequences the Style writes, and the bell: in a line, but taking no column. */
const ZERO_WIDTH_TOKEN = /\u001B\[[\d;]*m|\u0007/y

/** Continuation rows never start further right than this share of the row: a long prefix would leave no room. */
const MAX_HANG_SHARE = 0.5
/** The indent when the prefix is too long to hang under. */
const FALLBACK_HANG = 2

/** A run of text: a word, or the spaces between words. `chars` are [text, columns] pairs; escapes have 0 columns. */
interface Run {
  space: boolean
  chars: Array<[string, number]>
  width: number
}

function runs(line: string): Run[] {
  const out: Run[] = []
  let current: Run | undefined
  let i = 0
  while (i < line.length) {
    ZERO_WIDTH_TOKEN.lastIndex = i
    const escape = ZERO_WIDTH_TOKEN.exec(line)
    if (escape) {
      // An escape joins the run it is in (or opens one); it is never dropped, even with the spaces at a break.
      if (!current) {
        current = {space: false, chars: [], width: 0}
        out.push(current)
      }

      current.chars.push([escape[0], 0])
      i += escape[0].length
      continue
    }

    const char = String.fromCodePoint(line.codePointAt(i) ?? 0)
    const space = char === ' '
    if (!current || (current.space !== space && current.width > 0)) {
      current = {space, chars: [], width: 0}
      out.push(current)
    }

    current.space = space
    const width = charWidth(char)
    current.chars.push([char, width])
    current.width += width
    i += char.length
  }

  return out
}

/** Columns `line` takes on a terminal (colour codes and the bell take none). Expects sanitised text. */
export function visibleWidth(line: string): number {
  return runs(line).reduce((sum, run) => sum + run.width, 0)
}

/**
 * `line` broken into rows of at most `columns`, each continuation row indented by `hang` spaces (where the message
 * text starts; a small indent instead when that is past half the row). Rows break between words; the spaces at a
 * break are dropped. A word longer than a row is cut where the row ends. A line that fits is returned as it is.
 */
export function wrapLine(line: string, columns: number, hang = 0): string {
  if (!Number.isFinite(columns) || columns < 8 || visibleWidth(line) <= columns) return line
  const indent = hang <= columns * MAX_HANG_SHARE ? Math.max(0, hang) : FALLBACK_HANG
  const rows: string[] = []
  let row = ''
  let col = 0
  const breakRow = (): void => {
    rows.push(row.trimEnd())
    row = ' '.repeat(indent)
    col = indent
  }

  for (const run of runs(line)) {
    if (run.space) {
      if (col + run.width <= columns) {
        row += run.chars.map(([text]) => text).join('')
        col += run.width
        continue
      }

      // Spaces that would run past the edge become the break itself; colour codes among them go on.
      if (col > indent) breakRow()
      row += run.chars
        .filter(([, width]) => width === 0)
        .map(([text]) => text)
        .join('')
      continue
    }

    if (col + run.width > columns && col > indent && run.width <= columns - indent) breakRow()
    for (const [text, width] of run.chars) {
      if (width > 0 && col + width > columns) breakRow()
      row += text
      col += width
    }
  }

  rows.push(row)
  return rows.join('\n')
}
