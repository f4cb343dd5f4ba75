// Neutralising what peers send before it reaches a terminal. Names, texts and reasons arrive from the network, so
// a peer could otherwise move the cursor, recolour the screen, set the window title or fake a line of chat.

/** ANSI/VT escape sequences: CSI (ESC [ or 8-bit 0x9b), OSC/DCS/SOS/PM/APC strings, and two-character ESC x. */
// eslint-disable-next-line no-control-regex
const ESCAPE_SEQUENCE = /(?:\u001B\[|\u009B)[\u0030-\u003F]*[\u0020-\u002F]*[\u0040-\u007E]?|(?:\u001B[\]PX^_]|[\u0090\u0098\u009D-\u009F])[^\u0007\u001B\u009C]*(?:\u0007|\u001B\\|\u009C)?|\u001B[\u0020-\u002F]*[\u0030-\u007E]?/g

/** C0 and C1 controls and DEL, plus bidi overrides/isolates that can reorder a line ("Trojan Source"). */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000A-\u001F\u007F-\u009F\u200E\u200F\u202A-\u202E\u2066-\u2069]/g

/** What a control character becomes: visible, so a reader can tell something was there. */
export const REPLACEMENT = '\uFFFD'

/**
 * Makes a string safe to write to a terminal as one line: escape sequences are removed, tabs become spaces, any
 * other control character (newlines included, so a peer cannot start a fake line) becomes U+FFFD.
 */
export function sanitize(text: string): string {
  return text.replace(ESCAPE_SEQUENCE, '').replaceAll('\t', ' ').replace(CONTROL, REPLACEMENT)
}

/** Characters JSON.stringify leaves raw that a terminal may still act on (C1, DEL) or that break JS line parsing. */
// eslint-disable-next-line no-control-regex
const JSON_UNSAFE = /[\u007F-\u009F\u2028\u2029]/g

/**
 * One NDJSON line (without its newline). The data stays exact (a bot sees what the peer sent), but every control
 * character is written as a \u escape, so `cat`-ing the stream to a terminal is harmless too.
 */
export function toJsonLine(value: unknown): string {
  return JSON.stringify(value).replace(JSON_UNSAFE, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)
}
