// The history writer: a child process forked by HistoryLog, the only writer of the history file (the seed's
// `log_worker` process fed by a queue). It writes batches of lines and acknowledges each batch once the OS has it,
// so the parent can keep every event until it is safe. It never exits silently on an error: it reports it.

import {type FileHandle, mkdir, open} from 'node:fs/promises'
import {dirname} from 'node:path'

import {errnoCode} from '../io/errno.js'
import {parseHistoryLine} from './events.js'
import {completeLinesEnd, linesBackward} from './lines.js'
import {TailServer} from './tail-socket.js'
import {describeMessage, type FromWriter, parseToWriter} from './writer-protocol.js'

/**
 * How far back from the end `init` looks for this session's last line. Only this writer appends, so its last
 * line is the file's last line; the margin covers another node sharing the file (same port, another host).
 */
const MAX_RESUME_SCAN_BYTES = 8 * 1024 * 1024
/** Upper bound of one write() — large enough to batch a burst, small enough to ack steadily. */
const MAX_BATCH_BYTES = 1024 * 1024
/** If the last message cannot be delivered, exit anyway after this long. */
const EXIT_GRACE_MS = 1000

interface Pending {
  seq: number
  line: string
}

let fh: FileHandle | undefined
let initializing: Promise<void> | undefined
let ready = false
let broken = false
let stopping = false
/** Highest seq of our session in the file. */
let lastWritten = 0
/** Highest seq accepted into `pending` or already in the file: anything at or below it is a duplicate. */
let highestSeen = 0
let lastAckSent = 0
let pending: Pending[] = []
let draining: Promise<void> | undefined

function send(msg: FromWriter, done?: () => void): void {
  if (!process.connected || !process.send) {
    done?.()
    return
  }

  // With a callback, a failed send (EPIPE: the parent is gone) is reported here instead of thrown or emitted.
  process.send(msg, undefined, {}, () => done?.())
}

function codeOf(error: unknown): string {
  return errnoCode(error) ?? 'EIO'
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/** Stop writing and tell the parent why. The process stays until `shutdown` or the parent goes away. */
function fail(error: unknown): void {
  if (broken) return
  broken = true
  pending = []
  send({type: 'error', code: codeOf(error), message: messageOf(error)})
}

function ackIfNeeded(): void {
  if (lastWritten > lastAckSent) {
    lastAckSent = lastWritten
    send({type: 'ack', upTo: lastWritten})
  }
}

/** Cuts a line left half-written by a crash, so the next line does not get glued to it. */
async function repairTail(file: FileHandle): Promise<number> {
  const {size} = await file.stat()
  const end = await completeLinesEnd(file, size)
  if (end < size) await file.truncate(end)
  return end
}

async function lastSeqOf(file: FileHandle, end: number, id: string): Promise<number> {
  for await (const line of linesBackward(file, end)) {
    if (end - line.end > MAX_RESUME_SCAN_BYTES) break
    // Cheap substring test first: most lines in a long file belong to other sessions.
    if (!line.text.includes(id)) continue
    const e = parseHistoryLine(line.text)
    if (e?.session === id) return e.seq
  }

  return 0
}

/** Owner read and write only: the file holds received direct messages in plain text. */
const FILE_MODE = 0o600
/** For a directory this process creates; an existing one (the working directory) is left as it is. */
const DIR_MODE = 0o700

/** An existing file others can read is made private; what it was (and is now) goes back to the parent to report. */
async function tighten(file: FileHandle, mode: number): Promise<{was: number; now: number} | undefined> {
  const was = mode & 0o7777
  if ((was & 0o077) === 0) return undefined
  try {
    await file.chmod(FILE_MODE)
    return {was, now: FILE_MODE}
  } catch {
    // someone else's file: say so, and write anyway (refusing would lose the chat's history)
    return {was, now: was}
  }
}

/** Serves `chat log tail` while the node runs (tail-socket.ts); undefined when not asked for or not possible. */
let tail: TailServer | undefined

async function serveTails(path: string, socketPath: string): Promise<void> {
  const server = new TailServer(path)
  try {
    await mkdir(dirname(socketPath), {recursive: true, mode: DIR_MODE})
    if (await server.listen(socketPath)) tail = server
  } catch {
    // No socket (a path too long, a directory that cannot be made): log tail reads the file instead.
  }
}

async function init(path: string, id: string, tailSocket?: string): Promise<void> {
  try {
    await mkdir(dirname(path), {recursive: true, mode: DIR_MODE})
    // a+: append for writing, readable for the repair and the resume scan.
    fh = await open(path, 'a+', FILE_MODE)
    const stat = await fh.stat()
    if (!stat.isFile()) {
      throw Object.assign(new Error(`${path} is not a regular file`), {code: 'EINVAL'})
    }

    const loose = await tighten(fh, stat.mode)

    const end = await repairTail(fh)
    lastWritten = await lastSeqOf(fh, end, id)
    highestSeen = Math.max(highestSeen, lastWritten)
    lastAckSent = lastWritten
    // Drop anything that arrived early and is already in the file.
    pending = pending.filter((p) => p.seq > lastWritten)
    if (tailSocket) await serveTails(path, tailSocket)
    ready = true
    send(loose ? {type: 'ready', lastSeq: lastWritten, loose} : {type: 'ready', lastSeq: lastWritten})
    schedule()
  } catch (error) {
    fail(error)
  }
}

async function writeBatch(file: FileHandle, batch: Pending[]): Promise<void> {
  const buf = Buffer.from(batch.map((p) => p.line + '\n').join(''), 'utf8')
  let off = 0
  try {
    while (off < buf.length) {
      const {bytesWritten} = await file.write(buf, off, buf.length - off)
      off += bytesWritten
    }
  } catch (error) {
    // Keep what was written whole (ack it), cut a partial line, then report.
    let bytes = 0
    for (const p of batch) {
      bytes += Buffer.byteLength(p.line) + 1
      if (bytes > off) break
      lastWritten = p.seq
    }

    ackIfNeeded()
    await repairTail(file).catch(() => {})
    throw error
  }

  lastWritten = batch.at(-1)?.seq ?? lastWritten
}

async function drain(): Promise<void> {
  while (pending.length > 0 && !broken && fh) {
    let bytes = 0
    let n = 0
    while (n < pending.length && (n === 0 || bytes + pending[n].line.length < MAX_BATCH_BYTES)) {
      bytes += pending[n].line.length + 1
      n++
    }

    const batch = pending.slice(0, n)
    pending = pending.slice(n)
    try {
      await writeBatch(fh, batch)
    } catch (error) {
      fail(error)
      return
    }

    tail?.publish(batch.map((p) => p.line))

    ackIfNeeded()
  }
}

/** Write soon: waiting one turn of the event loop lets a burst of append messages gather into one write. */
function schedule(): void {
  if (!ready || broken || draining) return
  draining = new Promise<void>((resolve) => {
    setImmediate(resolve)
  })
    .then(drain)
    .finally(() => {
      draining = undefined
      if (pending.length > 0) schedule()
    })
}

async function settle(): Promise<void> {
  await initializing
  while (draining) {
    await draining
  }
}

function exitSoon(code: number): void {
  process.exitCode = code
  if (process.connected) process.disconnect()
  // Nothing else should keep us alive; this only guards against a handle we did not expect.
  setTimeout(() => process.exit(code), EXIT_GRACE_MS).unref()
}

/** Finish pending writes, make them durable, close and leave (on `shutdown`, or when the parent is gone). */
async function stop(): Promise<void> {
  if (stopping) return
  stopping = true
  await settle()
  await tail?.close()
  if (fh) {
    const file = fh
    fh = undefined
    try {
      if (!broken) await file.sync()
    } catch (error) {
      fail(error)
    }

    await file.close().catch(() => {})
  }

  // The final ack doubles as "done": exit once it is out (or could not be sent).
  lastAckSent = lastWritten
  send({type: 'ack', upTo: lastWritten}, () => exitSoon(0))
}

function onAppend(seq: number, line: string): void {
  if (broken || stopping) return
  if (seq <= highestSeen) {
    // Already written by an earlier writer (or sent twice): skip it, but still let the parent know it is safe.
    ackIfNeeded()
    return
  }

  highestSeen = seq
  pending.push({seq, line})
  schedule()
}

function main(): void {
  process.on('message', (raw: unknown) => {
    const msg = parseToWriter(raw)
    if (!msg) {
      send({type: 'error', code: 'ERR_UNKNOWN_MESSAGE', message: `history writer: rejected ${describeMessage(raw)}`})
      return
    }

    switch (msg.type) {
      case 'init': {
        if (initializing) {
          send({type: 'error', code: 'ERR_ALREADY_INITIALIZED', message: 'history writer: init received twice'})
          return
        }

        initializing = init(msg.path, msg.session, msg.tailSocket)
        return
      }

      case 'append': {
        for (const [i, line] of msg.lines.entries()) onAppend(msg.first + i, line)
        return
      }

      case 'flush': {
        schedule()
        ackIfNeeded()
        return
      }

      case 'shutdown': {
        void stop()
        return
      }

      default: {
        const unreachable: never = msg
        return unreachable
      }
    }
  })

  // The parent died or closed the channel: write what we already have, then go.
  process.on('disconnect', () => {
    void stop()
  })

  const crash = (error: unknown): void => {
    send({type: 'error', code: 'ERR_WRITER_CRASHED', message: `history writer crashed: ${messageOf(error)}`}, () =>
      process.exit(1),
    )
    setTimeout(() => process.exit(1), EXIT_GRACE_MS).unref()
  }

  // Ctrl+C and a closing terminal signal the whole process group; the parent decides when this writer stops
  // (shutdown, or the channel closing when the parent dies), so that pending lines are written first.
  process.on('SIGINT', () => {})
  process.on('SIGHUP', () => {})
  process.on('uncaughtException', crash)
  process.on('unhandledRejection', crash)
}

if (process.send) {
  main()
} else {
  process.stderr.write('writer-process: this is the history writer; HistoryLog forks it, it is not run by hand\n')
  process.exitCode = 2
}

export {}
