// The two ends of the soak, in a child process of the benchmark: an author A and a reader B, both connected only to
// the relay R that the benchmark runs (and measures) in its own process. A keeps a bounded window of messages in
// flight and sends the next one each time B receives one, so the relay is busy without any queue overflowing.
// Reports progress to the parent over IPC; stops by itself at the count, at the deadline, or when the parent goes.

import {ChatNode} from '../src/p2p/node.js'
import {benchNodeOptions} from './engine-options.js'

interface Start {
  cmd: 'start'
  relayPort: number
  messages: number
  window: number
  reportEvery: number
  deadlineMs: number
  seenCacheMax?: number
}

let go: () => void = () => {}
const goSignal = new Promise<void>((resolve) => {
  go = resolve
})

process.on('disconnect', () => process.exit(0))
process.on('message', (raw) => {
  const message = raw as Start | {cmd: 'go'}
  if (message.cmd === 'go') {
    go()
    return
  }

  void run(message).then(
    () => process.exit(0),
    (error: unknown) => {
      process.send?.({type: 'error', message: String((error as Error)?.stack ?? error)})
      process.exit(1)
    },
  )
})

async function run(start: Start): Promise<void> {
  const options = {degree: 0, history: 0, seenCacheMax: start.seenCacheMax, unlimited: true}
  const a = new ChatNode(benchNodeOptions({name: 'soak-author', ...options}))
  const b = new ChatNode(benchNodeOptions({name: 'soak-reader', ...options}))
  await a.start()
  await b.start()
  await a.connect('127.0.0.1', start.relayPort, {persistent: false})
  await b.connect('127.0.0.1', start.relayPort, {persistent: false})
  // R registers the connections a little after our side does: the parent says when it has both.
  await goSignal
  const deadline = Date.now() + start.deadlineMs
  let sent = 0
  let received = 0
  let warnings = 0
  const began = Date.now()
  const pump = (): void => {
    while (sent < start.messages && sent - received < start.window) a.send(`soak #${sent++}`)
  }

  a.on('warning', () => warnings++)
  b.on('warning', () => warnings++)
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()))
    b.on('message', () => {
      received++
      if (received % start.reportEvery === 0) process.send?.({type: 'progress', received, ms: Date.now() - began})
      if (received >= start.messages) {
        clearTimeout(timer)
        resolve()
      } else {
        pump()
      }
    })
    pump()
  })
  process.send?.({
    type: 'done',
    sent,
    received,
    warnings,
    ms: Date.now() - began,
    rssMiB: process.memoryUsage().rss / 2 ** 20,
  })
  await Promise.all([a.stop(), b.stop()])
}
