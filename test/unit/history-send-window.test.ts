import {expect} from 'chai'

import {Fifo} from '../../src/history/fifo.js'
import {type Batch, SendWindow, type SendWindowLimits} from '../../src/history/send-window.js'

/** A SendWindow whose writer is a list of the batches it was handed; `open` says whether it takes them. */
function windowWith(limits: Partial<SendWindowLimits> = {}): {
  window: SendWindow
  sent: Batch[]
  writer: {open: boolean; refuse: boolean}
} {
  const sent: Batch[] = []
  const writer = {open: true, refuse: false}
  const window = new SendWindow(
    {
      canSend: () => writer.open,
      send(batch) {
        if (writer.refuse) return false
        sent.push(batch)
        return true
      },
    },
    // A long batch delay: a test that wants a batch sent calls pump(), or fills one.
    {batchMs: 60_000, ...limits},
  )
  return {window, sent, writer}
}

const line = (seq: number): string => `line ${seq}`

function pushAll(window: SendWindow, from: number, to: number): void {
  for (let seq = from; seq <= to; seq++) window.push(seq, line(seq))
}

describe('history SendWindow (queue, batches, ack window)', () => {
  let windows: SendWindow[]

  beforeEach(() => {
    windows = []
  })

  afterEach(() => {
    for (const w of windows) w.clear()
  })

  function make(limits: Partial<SendWindowLimits> = {}): ReturnType<typeof windowWith> {
    const made = windowWith(limits)
    windows.push(made.window)
    return made
  }

  it('sends queued lines as one batch of consecutive seqs', () => {
    const {sent, window} = make()
    pushAll(window, 1, 5)
    expect(sent).to.have.length(0)
    window.pump()
    expect(sent).to.deep.equal([{first: 1, lines: [1, 2, 3, 4, 5].map((seq) => line(seq))}])
    expect([window.inFlight, window.queued]).to.deep.equal([5, 0])
  })

  it('sends a waiting line by itself after the batch delay', async () => {
    const sent: Batch[] = []
    const delivered = new Promise<void>((resolve) => {
      const window = new SendWindow(
        {
          canSend: () => true,
          send(batch) {
            sent.push(batch)
            resolve()
            return true
          },
        },
        {batchMs: 1},
      )
      windows.push(window)
      window.push(1, line(1))
    })
    await delivered
    expect(sent).to.deep.equal([{first: 1, lines: [line(1)]}])
  })

  it('sends at once when a full batch of bytes is waiting', () => {
    const {sent, window} = make({maxBatchBytes: 20})
    window.push(1, 'x'.repeat(10))
    expect(sent).to.have.length(0)
    window.push(2, 'y'.repeat(10))
    expect(sent).to.deep.equal([{first: 1, lines: ['x'.repeat(10), 'y'.repeat(10)]}])
  })

  it('splits batches at the byte and line limits', () => {
    const {sent, window} = make({maxBatchBytes: 1000, maxBatchLines: 3})
    pushAll(window, 1, 7)
    window.pump()
    expect(sent.map((b) => [b.first, b.lines.length])).to.deep.equal([
      [1, 3],
      [4, 3],
      [7, 1],
    ])
  })

  it('keeps at most the ack window in flight and sends more as acks come', () => {
    const {sent, window} = make({ackWindow: 4})
    pushAll(window, 1, 10)
    window.pump()
    expect([window.inFlight, window.queued]).to.deep.equal([4, 6])
    window.pump()
    expect(sent).to.have.length(1)

    window.ack(2)
    expect(window.inFlight).to.equal(2)
    window.pump()
    expect(sent.at(-1)).to.deep.equal({first: 5, lines: [line(5), line(6)]})
    expect([window.inFlight, window.queued]).to.deep.equal([4, 4])
  })

  it('sends nothing while the writer cannot take lines', () => {
    const {sent, window, writer} = make()
    writer.open = false
    pushAll(window, 1, 3)
    window.pump()
    expect(sent).to.have.length(0)
    expect(window.queued).to.equal(3)
    writer.open = true
    window.pump()
    expect(sent).to.have.length(1)
  })

  it('puts what was in flight back first, in order, when the writer is gone', () => {
    const {sent, window} = make()
    pushAll(window, 1, 3)
    window.pump()
    pushAll(window, 4, 5)
    window.requeue()
    expect([window.inFlight, window.queued, window.queuedBytes]).to.deep.equal([0, 5, 5 * line(1).length])
    window.pump()
    expect(sent.at(-1)).to.deep.equal({first: 1, lines: [1, 2, 3, 4, 5].map((seq) => line(seq))})
  })

  it('keeps a refused batch in flight until it is requeued', () => {
    const {sent, window, writer} = make()
    writer.refuse = true
    pushAll(window, 1, 2)
    window.pump()
    expect([window.inFlight, window.queued]).to.deep.equal([2, 0])
    writer.refuse = false
    window.requeue()
    window.pump()
    expect(sent).to.deep.equal([{first: 1, lines: [line(1), line(2)]}])
  })

  it('skips queued lines a new writer found already written', () => {
    const {sent, window} = make()
    pushAll(window, 1, 5)
    window.skipWritten(3)
    expect(window.queued).to.equal(2)
    window.pump()
    expect(sent).to.deep.equal([{first: 4, lines: [line(4), line(5)]}])
  })

  it('drops the oldest queued lines past the byte cap and says how many', () => {
    const {window} = make({maxQueueBytes: 3 * line(1).length, maxBatchBytes: 1000})
    expect(window.push(1, line(1)) + window.push(2, line(2)) + window.push(3, line(3))).to.equal(0)
    expect(window.push(4, line(4))).to.equal(1)
    expect([window.queued, window.queuedBytes]).to.deep.equal([3, 3 * line(1).length])
    window.skipWritten(1)
    expect(window.queued, 'seq 1 was the one dropped').to.equal(3)
  })

  it('clear() forgets everything pending and says how much', () => {
    const {sent, window} = make()
    pushAll(window, 1, 3)
    window.pump()
    pushAll(window, 4, 5)
    expect(window.clear()).to.equal(5)
    expect([window.pending, window.queuedBytes]).to.deep.equal([0, 0])
    window.pump()
    expect(sent).to.have.length(1)
  })
})

describe('history Fifo', () => {
  it('shifts in order across compactions and prepends before the rest', () => {
    const fifo = new Fifo<number>()
    for (let i = 0; i < 5000; i++) fifo.push(i)
    for (let i = 0; i < 3000; i++) expect(fifo.shift()).to.equal(i)
    expect(fifo.length).to.equal(2000)
    fifo.prepend([-2, -1])
    expect(fifo.peek()).to.equal(-2)
    expect(fifo.length).to.equal(2002)
    const rest: number[] = []
    for (let v = fifo.shift(); v !== undefined; v = fifo.shift()) rest.push(v)
    expect(rest).to.deep.equal([-2, -1, ...Array.from({length: 2000}, (_, i) => 3000 + i)])
    expect(fifo.shift()).to.equal(undefined)
  })
})
