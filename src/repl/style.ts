// Colours for the human output. Pure: a Style turns already-sanitised text into text with SGR codes, or leaves it
// untouched when colour is off, so plain output is byte for byte the formats of DESIGN.md.

/**
 * Name colours readable on dark and light backgrounds alike: no near-black, near-white, pure blue or pure yellow,
 * and no red (errors are red). 256-colour indexes, and a 16-colour fallback for terminals without them.
 */
export const PALETTE_256 = [33, 37, 34, 70, 98, 130, 133, 136, 166, 168, 31, 172] as const
export const PALETTE_16 = [32, 33, 34, 35, 36, 92, 94, 95, 96] as const

const sgr = (code: string): string => `\u001B[${code}m`

/** FNV-1a over the UTF-16 units: stable across runs and machines, cheap, and spreads similar ids apart. */
export function hashId(id: string): number {
  let hash = 0x81_1c_9d_c5
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i)
    hash = Math.imul(hash, 0x01_00_01_93) >>> 0
  }

  return hash
}

/** The SGR parameters colouring a sender whose node id is `id`: the same id always gets the same colour. */
export function colorFor(id: string, depth: ColorDepth): string {
  if (depth === 256) return `38;5;${PALETTE_256[hashId(id) % PALETTE_256.length]}`
  return String(PALETTE_16[hashId(id) % PALETTE_16.length])
}

export type ColorDepth = 16 | 256

/** How each kind of text looks. Every method returns its input unchanged when colour is off. */
export interface Style {
  readonly color: boolean
  /** A sender's name, coloured by its node id. */
  name(id: string, text: string): string
  /** Your own lines and prompt. */
  own(text: string): string
  /** Joins, leaves, connects, the ready hint, addresses and timestamps: quieter than chat. */
  system(text: string): string
  /** Command errors and warnings. */
  error(text: string): string
  /** A message that mentions you. */
  mention(text: string): string
  /** The `@You` inside such a message. */
  mentionMark(text: string): string
  /** Table headers. */
  header(text: string): string
  /** An action line, `* Ana waves`: set apart from a message someone typed to look like one. */
  action(text: string): string
}

const same = (text: string): string => text

export const PLAIN: Style = {
  color: false,
  name: (_id, text) => text,
  own: same,
  system: same,
  error: same,
  mention: same,
  mentionMark: same,
  header: same,
  action: same,
}

/**
 * A colouring Style. Each span resets only what it set (39 foreground, 22 bold, 27 reverse, 24 underline, 23
 * italic), so a reversed `@You` inside a highlighted message keeps the rest of it highlighted.
 */
export function ansiStyle(depth: ColorDepth): Style {
  const wrap = (on: string, off: string) => (text: string) => (text === '' ? text : `${sgr(on)}${text}${sgr(off)}`)
  const gray = depth === 256 ? '38;5;244' : '90'
  return {
    color: true,
    name: (id, text) => wrap(`1;${colorFor(id, depth)}`, '39;22')(text),
    own: wrap('1', '22'),
    system: wrap(gray, '39'),
    error: wrap('31', '39'),
    mention: wrap('1;33', '39;22'),
    mentionMark: wrap('7', '27'),
    header: wrap('4', '24'),
    action: wrap('3', '23'),
  }
}

/** Is colour wanted? An explicit --color/--no-color wins, then FORCE_COLOR, then NO_COLOR, then the output's TTY-ness. */
export function resolveColor(options: {flag?: boolean; env?: NodeJS.ProcessEnv; isTTY?: boolean}): boolean {
  const env = options.env ?? process.env
  if (options.flag !== undefined) return options.flag
  const force = env.FORCE_COLOR
  if (force !== undefined && force !== '') return force !== '0' && force.toLowerCase() !== 'false'
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false
  return options.isTTY ?? false
}
