import {expect} from 'chai'

import {
  decodeFrame,
  encodeFrame,
  FrameDecoder,
  MAX_FRAME_BYTES,
  MAX_PEERS_PER_FRAME,
  MAX_TEXT_CHARS,
  ProtocolError,
} from '../../src/p2p/protocol.js'

const chat = {
  type: 'chat' as const,
  id: 'a'.repeat(32),
  from: {id: 'node-1', name: 'Pedro', host: '127.0.0.1', port: 5001},
  text: 'ola',
  ts: 1_764_000_000_000,
}

function body(value: unknown): Buffer {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value))
}

function rejects(fn: () => unknown, code: string): void {
  try {
    fn()
  } catch (error) {
    expect(error).to.be.instanceOf(ProtocolError)
    expect((error as ProtocolError).code).to.equal(code)
    return
  }

  expect.fail(`expected a ProtocolError ${code}`)
}

describe('protocol: framing', () => {
  it('round-trips a frame', () => {
    const decoder = new FrameDecoder()
    const [one] = decoder.push(encodeFrame(chat))
    expect(decodeFrame(one)).to.deep.equal(chat)
  })

  it('reassembles a frame split at every byte boundary', () => {
    const bytes = encodeFrame(chat)
    for (let cut = 1; cut < bytes.length; cut++) {
      const decoder = new FrameDecoder()
      expect(decoder.push(bytes.subarray(0, cut))).to.have.length(0)
      const out = decoder.push(bytes.subarray(cut))
      expect(out, `cut at ${cut}`).to.have.length(1)
      expect(decodeFrame(out[0])).to.deep.equal(chat)
      expect(decoder.midFrame).to.equal(false)
    }
  })

  it('splits coalesced frames and keeps a trailing partial one', () => {
    const a = encodeFrame({type: 'ping', n: 1})
    const b = encodeFrame({type: 'pong', n: 2})
    const c = encodeFrame(chat)
    const decoder = new FrameDecoder()
    const out = decoder.push(Buffer.concat([a, b, c.subarray(0, 7)]))
    expect(out.map((f) => decodeFrame(f))).to.deep.equal([{type: 'ping', n: 1}, {type: 'pong', n: 2}])
    expect(decoder.midFrame).to.equal(true)
    expect(decoder.push(c.subarray(7)).map((f) => decodeFrame(f))).to.deep.equal([chat])
  })

  it('refuses a zero length and a length over the limit as soon as the header arrives', () => {
    const zero = Buffer.alloc(4)
    rejects(() => new FrameDecoder().push(zero), 'bad_length')
    const huge = Buffer.alloc(4)
    huge.writeUInt32BE(0xff_ff_ff_ff)
    rejects(() => new FrameDecoder().push(huge), 'bad_length')
    const over = Buffer.alloc(4)
    over.writeUInt32BE(MAX_FRAME_BYTES + 1)
    rejects(() => new FrameDecoder().push(over), 'bad_length')
  })

  it('accepts a frame of exactly the maximum length', () => {
    const bytes = Buffer.alloc(4 + MAX_FRAME_BYTES, 0x20)
    bytes.writeUInt32BE(MAX_FRAME_BYTES)
    const out = new FrameDecoder().push(bytes)
    expect(out).to.have.length(1)
    expect(out[0].length).to.equal(MAX_FRAME_BYTES)
  })

  it('refuses to encode a frame over the limit', () => {
    const frame = {...chat, text: 'x'.repeat(MAX_FRAME_BYTES)}
    rejects(() => encodeFrame(frame), 'frame_too_large')
  })
})

describe('protocol: validation', () => {
  it('rejects bad UTF-8, bad JSON and non-objects', () => {
    rejects(() => decodeFrame(Buffer.from([0x7b, 0xff, 0xfe, 0x7d])), 'bad_utf8')
    rejects(() => decodeFrame(body('{"type":')), 'bad_json')
    for (const value of ['[1,2]', '"hello"', '42', 'null']) rejects(() => decodeFrame(body(value)), 'bad_frame')
    rejects(() => decodeFrame(body({kind: 'chat'})), 'bad_frame')
  })

  it('rejects fields of the wrong type or size', () => {
    rejects(() => decodeFrame(body({...chat, text: 5})), 'bad_field')
    rejects(() => decodeFrame(body({...chat, text: ''})), 'bad_field')
    rejects(() => decodeFrame(body({...chat, text: 'x'.repeat(MAX_TEXT_CHARS + 1)})), 'bad_field')
    rejects(() => decodeFrame(body({...chat, ts: 1.5})), 'bad_field')
    rejects(() => decodeFrame(body({...chat, from: {...chat.from, port: 70_000}})), 'bad_field')
    rejects(() => decodeFrame(body({...chat, from: {...chat.from, name: 'a\u001B[2Jb'}})), 'bad_field')
    rejects(() => decodeFrame(body({...chat, from: 'me'})), 'bad_frame')
    rejects(() => decodeFrame(body({type: 'hello', v: '1', id: 'x', name: 'n', listen: {host: 'h', port: 1}})), 'bad_field')
    rejects(() => decodeFrame(body({type: 'ping'})), 'bad_field')
  })

  it('accepts text of exactly the maximum length', () => {
    const frame = {...chat, text: 'x'.repeat(MAX_TEXT_CHARS)}
    expect(decodeFrame(body(frame))).to.deep.equal(frame)
  })

  it('bounds the peers list', () => {
    const peer = {id: 'p', host: '127.0.0.1', port: 1}
    expect(decodeFrame(body({type: 'peers', peers: [peer]}))).to.deep.equal({type: 'peers', peers: [peer]})
    rejects(() => decodeFrame(body({type: 'peers', peers: Array.from({length: MAX_PEERS_PER_FRAME + 1}, () => peer)})), 'too_many_peers')
  })

  it('copies only known fields into fresh objects (no __proto__, no extras)', () => {
    const raw = '{"type":"chat","id":"abc","from":{"id":"n","name":"P","host":"h","port":1,"__proto__":{"admin":true}},"text":"t","ts":1,"extra":1}'
    const frame = decodeFrame(body(raw))
    expect(frame).to.deep.equal({type: 'chat', id: 'abc', from: {id: 'n', name: 'P', host: 'h', port: 1}, text: 't', ts: 1})
    expect(Object.getPrototypeOf((frame as typeof chat).from)).to.equal(Object.prototype)
  })

  it('passes unknown frame types through as ignorable', () => {
    expect(decodeFrame(body({type: 'future', x: 1}))).to.deep.equal({type: 'unknown', originalType: 'future'})
  })
})
