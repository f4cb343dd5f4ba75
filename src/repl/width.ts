// How many terminal columns text takes, and which slice of a long input line fits on one row. Pure: the prompt
// draws one row only (scrolling sideways like linenoise), so a redraw is "erase this row, write it again", which
// stays exact however fast output arrives above it.

/** Zero-width: combining marks, variation selectors, zero-width joiner/space. */
const ZERO_WIDTH =
  // eslint-disable-next-line no-misleading-character-class -- lone combining marks, tested one code point at a time
  /^[\u0300-\u036F\u0483-\u0489\u0591-\u05BD\u0610-\u061A\u064B-\u065F\u0E31\u0E34-\u0E3A\u1AB0-\u1AFF\u1DC0-\u1DFF\u200B-\u200D\u20D0-\u20FF\uFE00-\uFE0F\uFE20-\uFE2F]$|^[\u{E0100}-\u{E01EF}]$/u

/** Two columns: East Asian wide and fullwidth forms, and emoji pictographs. */
function isWide(cp: number): boolean {
  return (
    (cp >= 0x11_00 && cp <= 0x11_5f) ||
    (cp >= 0x2e_80 && cp <= 0x30_3e) ||
    (cp >= 0x30_41 && cp <= 0x33_ff) ||
    (cp >= 0x34_00 && cp <= 0x4d_bf) ||
    (cp >= 0x4e_00 && cp <= 0x9f_ff) ||
    (cp >= 0xa0_00 && cp <= 0xa4_cf) ||
    (cp >= 0xac_00 && cp <= 0xd7_a3) ||
    (cp >= 0xf9_00 && cp <= 0xfa_ff) ||
    (cp >= 0xfe_30 && cp <= 0xfe_4f) ||
    (cp >= 0xff_00 && cp <= 0xff_60) ||
    (cp >= 0xff_e0 && cp <= 0xff_e6) ||
    (cp >= 0x1_f3_00 && cp <= 0x1_f6_4f) ||
    (cp >= 0x1_f9_00 && cp <= 0x1_f9_ff) ||
    (cp >= 0x1_fa_70 && cp <= 0x1_fa_ff) ||
    (cp >= 0x2_00_00 && cp <= 0x3_ff_fd)
  )
}

/** Columns one code point takes (0, 1 or 2). Text is expected to be sanitised already (no controls). */
export function charWidth(char: string): number {
  const cp = char.codePointAt(0) ?? 0
  if (ZERO_WIDTH.test(char)) return 0
  return isWide(cp) ? 2 : 1
}

/** Columns a sanitised string takes. */
export function displayWidth(text: string): number {
  let width = 0
  for (const char of text) width += charWidth(char)
  return width
}

/** Pads with spaces to `width` columns (never truncates). */
export function padEnd(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)))
}

/** What to draw of a line: the visible text and the cursor's column inside it. */
export interface LineView {
  text: string
  cursor: number
}

const MORE = '…'

/**
 * The part of `text` to show in `width` columns with the cursor (a code point index) visible. A line that fits is
 * shown whole; otherwise a window around the cursor, with `…` where text is cut off. `width` must leave the last
 * terminal column free, so the cursor never wraps to a new row.
 */
export function fitLine(text: string, cursor: number, width: number): LineView {
  const chars = [...text]
  const widths = chars.map((char) => charWidth(char))
  const at = Math.max(0, Math.min(cursor, chars.length))
  const columns = (from: number, to: number): number => widths.slice(from, to).reduce((sum, w) => sum + w, 0)
  if (width < 4) return {text: '', cursor: 0}
  if (columns(0, chars.length) < width) return {text, cursor: columns(0, at)}

  // The character under the cursor must show whole (a wide one takes two columns; past the end, one).
  const cursorCell = at < chars.length ? widths[at] : 1
  let start = 0
  // One column is kept for an ellipsis on the right (when text follows the cursor's character), and on the left
  // when the start is cut off.
  const right = at + 1 < chars.length ? 1 : 0
  if (columns(0, at) + cursorCell + right > width) {
    start = at
    let used = 1 + cursorCell + right
    while (start > 0 && used + widths[start - 1] <= width) {
      start -= 1
      used += widths[start]
    }
  }

  const prefix = start > 0 ? MORE : ''
  let used = prefix.length
  let end = start
  while (end < chars.length && used + widths[end] <= width) {
    used += widths[end]
    end += 1
  }

  let suffix = ''
  if (end < chars.length) {
    // Make room for the ellipsis on the right, never at the expense of the character under the cursor.
    while (used + 1 > width && end > at + 1) {
      end -= 1
      used -= widths[end]
    }

    suffix = MORE
  }

  return {text: prefix + chars.slice(start, end).join('') + suffix, cursor: prefix.length + columns(start, at)}
}
