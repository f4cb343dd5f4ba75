// Line-level file access shared by the writer (repair, resume scan) and the reader (tail, follow).
// Works on bytes: `\n` (0x0a) never occurs inside a multi-byte UTF-8 sequence, so splitting before decoding is safe.

import type {FileHandle} from 'node:fs/promises'

/** Bytes read per step when scanning backwards or following. */
export const CHUNK_BYTES = 64 * 1024

/**
 * A line longer than this is treated as garbage and skipped without being held in memory. A real event is far
 * smaller: a 4,000-character message with every character escaped is under 30 KiB.
 */
export const MAX_LINE_BYTES = 1024 * 1024

const NL = 0x0a
const utf8 = new TextDecoder('utf8', {fatal: true})

/** Decodes one line, or `undefined` if it is not valid UTF-8 (corruption: the line cannot be an event). */
export function decodeLine(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes)
  } catch {
    return undefined
  }
}

/** Reads exactly `length` bytes at `position` (short reads are retried; fewer only at end of file). */
export async function readAt(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length)
  let done = 0
  while (done < length) {
    const {bytesRead} = await fh.read(buf, done, length - done, position + done)
    if (bytesRead === 0) break
    done += bytesRead
  }

  return done === length ? buf : buf.subarray(0, done)
}

/**
 * The offset just after the last `\n` before `end` (0 if there is none): where the complete lines stop. Bytes between
 * that offset and `end` are a cut line (a crash mid-write) or a line still being written.
 */
export async function completeLinesEnd(fh: FileHandle, end: number, chunkBytes = CHUNK_BYTES): Promise<number> {
  let pos = end
  while (pos > 0) {
    const size = Math.min(chunkBytes, pos)
    pos -= size
    const buf = await readAt(fh, pos, size)
    const nl = buf.lastIndexOf(NL)
    if (nl !== -1) return pos + nl + 1
  }

  return 0
}

/** A complete line read from a file, without its `\n`, and the offset just after that `\n`. */
export interface FileLine {
  text: string
  end: number
}

/**
 * Yields the complete (`\n`-terminated) lines lying before `end`, last first, reading backwards in chunks so that
 * the cost is proportional to what the caller consumes, not to the file size. A cut line at `end` is not yielded;
 * neither are lines over MAX_LINE_BYTES or lines that are not UTF-8.
 */
export async function* linesBackward(fh: FileHandle, end: number, chunkBytes = CHUNK_BYTES): AsyncGenerator<FileLine> {
  let pos = end
  // The line being assembled right to left: its pieces, newest-read (leftmost) last.
  let pieces: Buffer[] = []
  let pieceBytes = 0
  let oversized = false
  // Offset just after the `\n` that ends the line being assembled; undefined until the first `\n` is seen, since
  // whatever follows the last `\n` is a cut line.
  let lineEnd: number | undefined

  const take = (): FileLine | undefined => {
    const ended = lineEnd
    const bytes = oversized || pieceBytes > MAX_LINE_BYTES ? undefined : Buffer.concat(pieces.reverse(), pieceBytes)
    pieces = []
    pieceBytes = 0
    oversized = false
    if (ended === undefined || bytes === undefined) return undefined
    const text = decodeLine(bytes)
    return text === undefined ? undefined : {text, end: ended}
  }

  while (pos > 0) {
    const size = Math.min(chunkBytes, pos)
    pos -= size
    const buf = await readAt(fh, pos, size)
    let right = buf.length
    while (right > 0) {
      const nl = buf.lastIndexOf(NL, right - 1)
      if (nl === -1) break
      pieces.push(buf.subarray(nl + 1, right))
      pieceBytes += right - nl - 1
      const line = take()
      if (line) yield line
      lineEnd = pos + nl + 1
      right = nl
    }

    if (right > 0 && !oversized) {
      pieceBytes += right
      if (pieceBytes > MAX_LINE_BYTES) {
        oversized = true
        pieces = []
      } else {
        pieces.push(buf.subarray(0, right))
      }
    }
  }

  // The file's first line has no `\n` before it.
  const first = take()
  if (first) yield first
}

/**
 * Splits bytes read forwards into complete lines. Feed chunks in order; `push` returns the lines completed by the
 * chunk and keeps the unfinished rest, dropping a line that grows past MAX_LINE_BYTES.
 */
export class LineSplitter {
  #pieces: Buffer[] = []
  #bytes = 0
  #oversized = false
  #pending = 0

  /** Bytes received since the last `\n` (the unfinished line, even if it is being dropped as oversized). */
  get pending(): number {
    return this.#pending
  }

  push(chunk: Buffer): string[] {
    const out: string[] = []
    let left = 0
    for (let nl = chunk.indexOf(NL); nl >= 0; nl = chunk.indexOf(NL, left)) {
      if (!this.#oversized && this.#bytes + nl - left <= MAX_LINE_BYTES) {
        this.#pieces.push(chunk.subarray(left, nl))
        const text = decodeLine(Buffer.concat(this.#pieces))
        if (text !== undefined) out.push(text)
      }

      this.#pieces = []
      this.#bytes = 0
      this.#oversized = false
      this.#pending = 0
      left = nl + 1
    }

    this.#pending += chunk.length - left

    if (left < chunk.length && !this.#oversized) {
      this.#bytes += chunk.length - left
      if (this.#bytes > MAX_LINE_BYTES) {
        this.#oversized = true
        this.#pieces = []
      } else {
        // Copy: the caller may reuse its read buffer.
        this.#pieces.push(Buffer.from(chunk.subarray(left)))
      }
    }

    return out
  }

  /** Forget a partial line (the file was truncated or replaced). */
  reset(): void {
    this.#pieces = []
    this.#bytes = 0
    this.#oversized = false
    this.#pending = 0
  }
}
