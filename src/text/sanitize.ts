// Text from the network made safe for a terminal, in one place for every output path: the REPL, `--json`, the
// history file and `chat log tail`. Names, texts and reasons arrive from other machines, so a peer could otherwise
// move the cursor, recolour the screen, set the window title, fake a line of chat or reorder one ("Trojan Source").
// This module sits outside p2p, repl and history so that each of them may import it without knowing the others.

/** ANSI/VT escape sequences: CSI (ESC [ or 8-bit 0x9b), OSC/DCS/SOS/PM/APC strings, and two-character ESC x. */

const ESCAPE_SEQUENCE =
  /(?:\u001B\[|\u009B)[\u0030-\u003F]*[\u0020-\u002F]*[\u0040-\u007E]?|(?:\u001B[\]PX^_]|[\u0090\u0098\u009D-\u009F])[^\u0007\u001B\u009C]*(?:\u0007|\u001B\\|\u009C)?|\u001B[\u0020-\u002F]*[\u0030-\u007E]?/g

/**
 * What JSON.stringify leaves raw but a terminal may act on: DEL and C1 controls (U+009B is a one-character CSI),
 * the line and paragraph separators, and the bidi marks, embeddings, overrides and isolates that can make a line
 * read differently from what it contains.
 */
const RAW_IN_JSON = '\u007F-\u009F\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069'

/** All of the above plus the C0 controls (ESC, newlines…) but tab, which `sanitize` turns into a space first. */

const CONTROL = new RegExp(`[\u0000-\u0008\u000A-\u001F${RAW_IN_JSON}]`, 'g')
const UNSAFE_IN_JSON = new RegExp(`[${RAW_IN_JSON}]`, 'g')

/** What a control character becomes: visible, so a reader can tell something was there. */
export const REPLACEMENT = '\uFFFD'

/**
 * Makes a string safe to write to a terminal as one line: escape sequences are removed, tabs become spaces, any
 * other control character (newlines included, so a peer cannot start a fake line) becomes U+FFFD.
 */
export function sanitize(text: string): string {
  return text.replaceAll(ESCAPE_SEQUENCE, '').replaceAll('\t', ' ').replaceAll(CONTROL, REPLACEMENT)
}

/**
 * A line of JSON with every character a terminal may act on written as a `\u` escape: equivalent JSON (a script
 * reads exactly what the peer sent), and harmless when `cat`-ed to a terminal.
 */
export function escapeJsonLine(json: string): string {
  return json.replaceAll(UNSAFE_IN_JSON, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

/** One NDJSON line (without its newline): `value` serialised, then `escapeJsonLine`. */
export function toJsonLine(value: unknown): string {
  return escapeJsonLine(JSON.stringify(value))
}
