// Moving the cursor by word, as readline's Alt+B / Alt+F (and Ctrl+←/→) do: a word is a run of non-space characters.
// Pure: the prompt passes its text and cursor (UTF-16 units) and gets the new cursor.

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
