// The IPC messages between HistoryLog (parent) and the forked writer (child). Both sides check what they receive:
// a message is `unknown` until one of these parsers accepts it.

/** Parent → writer. */
export type ToWriter =
  /**
   * Open (creating the directory, 0700, if needed; the file 0600, or tightened to it) and repair `path`; answer
   * `ready` with the last seq of `session` in it.
   */
  | {type: 'init'; path: string; session: string; tailSocket?: string}
  /**
   * Lines (no `\n`) to append, with consecutive seqs from `first`. Batches arrive in increasing seq; a seq already
   * in the file is skipped.
   */
  | {type: 'append'; first: number; lines: string[]}
  /** Write what is pending now and acknowledge it. */
  | {type: 'flush'}
  /** Write what is pending, fsync, close the file, disconnect and exit 0. */
  | {type: 'shutdown'}

/** Writer → parent. */
export type FromWriter =
  /**
   * `loose`: the file already existed with access for others (its permission bits were `was`); it is now `now`
   * (0o600, unless it belongs to someone else and could not be changed).
   */
  | {type: 'ready'; lastSeq: number; loose?: {was: number; now: number}}
  /** Every line with seq ≤ upTo is in the file (handed to the OS: survives a crash of either process). */
  | {type: 'ack'; upTo: number}
  /** The writer cannot go on writing (EACCES, ENOSPC, EROFS…) or received a message it does not understand. */
  | {type: 'error'; code: string; message: string}

type Obj = Record<string, unknown>

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function isSeq(v: unknown): v is number {
  return Number.isSafeInteger(v) && (v as number) >= 0
}

function isMode(v: unknown): v is number {
  return Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 0o7777
}

/** Most lines in one `append` message (the parent's ack window is never larger). */
export const MAX_APPEND_LINES = 1000

function isLines(v: unknown): v is string[] {
  return (
    Array.isArray(v) &&
    v.length > 0 &&
    v.length <= MAX_APPEND_LINES &&
    v.every((line) => typeof line === 'string' && !line.includes('\n'))
  )
}

export function parseToWriter(v: unknown): ToWriter | undefined {
  if (!isObj(v)) return undefined
  switch (v.type) {
    case 'init': {
      if (v.tailSocket !== undefined && typeof v.tailSocket !== 'string') return undefined
      return typeof v.path === 'string' && typeof v.session === 'string' && v.session !== ''
        ? {
            type: 'init',
            path: v.path,
            session: v.session,
            ...(typeof v.tailSocket === 'string' ? {tailSocket: v.tailSocket} : {}),
          }
        : undefined
    }

    case 'append': {
      return isSeq(v.first) && v.first > 0 && isLines(v.lines) && Number.isSafeInteger(v.first + v.lines.length)
        ? {type: 'append', first: v.first, lines: v.lines}
        : undefined
    }

    case 'flush': {
      return {type: 'flush'}
    }

    case 'shutdown': {
      return {type: 'shutdown'}
    }

    default: {
      return undefined
    }
  }
}

export function parseFromWriter(v: unknown): FromWriter | undefined {
  if (!isObj(v)) return undefined
  switch (v.type) {
    case 'ready': {
      if (!isSeq(v.lastSeq)) return undefined
      if (v.loose === undefined) return {type: 'ready', lastSeq: v.lastSeq}
      const loose = isObj(v.loose) ? v.loose : {}
      return isMode(loose.was) && isMode(loose.now)
        ? {type: 'ready', lastSeq: v.lastSeq, loose: {was: loose.was, now: loose.now}}
        : undefined
    }

    case 'ack': {
      return isSeq(v.upTo) ? {type: 'ack', upTo: v.upTo} : undefined
    }

    case 'error': {
      return typeof v.code === 'string' && typeof v.message === 'string'
        ? {type: 'error', code: v.code, message: v.message}
        : undefined
    }

    default: {
      return undefined
    }
  }
}

/** A short, safe description of a rejected message for an error report. */
export function describeMessage(v: unknown): string {
  if (isObj(v) && typeof v.type === 'string') return `message of type ${JSON.stringify(v.type.slice(0, 40))}`
  return `message ${JSON.stringify(v)?.slice(0, 60) ?? String(v)}`
}
