// Moving the cursor by word, as readline's Alt+B / Alt+F (and Ctrl+←/→) do: a word is a run of non-space characters.
// Pure: the prompt passes its text and cursor (UTF-16 units) and gets the new cursor. Also the steps of one code
// point, so that the cursor never splits a surrogate pair.

const SPACE = /\s/

/** The start of the word before the cursor: skip the spaces to its left, then the word. */
export function wordLeft(text: string, cursor: number): number {
  let i = Math.min(Math.max(cursor, 0), text.length)
  while (i > 0 && SPACE.test(text[i - 1])) i--
  while (i > 0 && !SPACE.test(text[i - 1])) i--
  return i
}

/** The end of the word after the cursor: skip the spaces to its right, then the word. */
export function wordRight(text: string, cursor: number): number {
  let i = Math.min(Math.max(cursor, 0), text.length)
  while (i < text.length && SPACE.test(text[i])) i++
  while (i < text.length && !SPACE.test(text[i])) i++
  return i
}

/** Code points in the first `units` UTF-16 units of `text` (the prompt's cursor is in units, drawing in code points). */
export function codePoints(text: string, units: number): number {
  return [...text.slice(0, units)].length
}

/** Length in UTF-16 units of the code point that ends at / starts at `index`, so the cursor never splits a pair. */
export function unitsBefore(text: string, index: number): number {
  const low = text.charCodeAt(index - 1)
  return index >= 2 && low >= 0xdc_00 && low <= 0xdf_ff ? 2 : 1
}

export function unitsAt(text: string, index: number): number {
  const high = text.charCodeAt(index)
  return high >= 0xd8_00 && high <= 0xdb_ff && index + 1 < text.length ? 2 : 1
}
