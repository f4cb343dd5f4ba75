import {expect} from 'chai'

import {
  decodeChatPayload,
  decodeFrame,
  decodeHelloPayload,
  encodeBody,
  encodeChatPayload,
  encodeHelloPayload,
  FrameDecoder,
  lengthPrefixed,
  MAX_FRAME_BYTES,
  MAX_PEERS_PER_FRAME,
  MAX_PLAINTEXT_BYTES,
  MAX_TEXT_CHARS,
  MAX_TREE_IDS,
  ProtocolError,
} from '../../src/p2p/protocol.js'
import {expectCode} from '../helpers/errors.js'

const SIG = 'A'.repeat(86)
const from = {id: 'node-1', name: 'Pedro', host: '127.0.0.1', port: 5001}
const chat = {
  type: 'chat' as const,
  payload: encodeChatPayload({from, text: 'ola', ts: 1_764_000_000_000, seq: 1}),
  sig: SIG,
}

function body(value: unknown): Buffer {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value))
}

function drain(decoder: FrameDecoder): Buffer[] {
  const out: Buffer[] = []
  for (let frame = decoder.next(); frame; frame = decoder.next()) out.push(frame)
  return out
}

describe('protocol: framing', () => {
  const limits = {minBytes: 1, maxBytes: MAX_FRAME_BYTES}

  it('round-trips a length-prefixed frame', () => {
    const decoder = new FrameDecoder(limits)
    decoder.push(lengthPrefixed(encodeBody(chat)))
    const [one] = drain(decoder)
    expect(decodeFrame(one)).to.deep.equal(chat)
  })

  it('reassembles a frame split at every byte boundary', () => {
    const bytes = lengthPrefixed(encodeBody(chat))
    for (let cut = 1; cut < bytes.length; cut++) {
      const decoder = new FrameDecoder(limits)
      decoder.push(bytes.subarray(0, cut))
      expect(drain(decoder)).to.have.length(0)
      decoder.push(bytes.subarray(cut))
      const out = drain(decoder)
      expect(out, `cut at ${cut}`).to.have.length(1)
      expect(decodeFrame(out[0])).to.deep.equal(chat)
      expect(decoder.midFrame).to.equal(false)
    }
  })

  it('splits coalesced frames and keeps a trailing partial one', () => {
    const a = lengthPrefixed(encodeBody({type: 'ping', n: 1}))
    const b = lengthPrefixed(encodeBody({type: 'pong', n: 2}))
    const c = lengthPrefixed(encodeBody(chat))
    const decoder = new FrameDecoder(limits)
    decoder.push(Buffer.concat([a, b, c.subarray(0, 7)]))
    expect(drain(decoder).map((f) => decodeFrame(f))).to.deep.equal([
      {type: 'ping', n: 1},
      {type: 'pong', n: 2},
    ])
    expect(decoder.midFrame).to.equal(true)
    decoder.push(c.subarray(7))
    expect(drain(decoder).map((f) => decodeFrame(f))).to.deep.equal([chat])
  })

  it('refuses a length outside its limits as soon as the header arrives, and limits can change between frames', () => {
    const decoder = new FrameDecoder({minBytes: 16, maxBytes: 1024})
    decoder.push(Buffer.from([0x04, 0x01]))
    expectCode(ProtocolError, () => decoder.next(), 'bad_length')
    const short = new FrameDecoder({minBytes: 16, maxBytes: 1024})
    short.push(Buffer.from([0x00, 0x0f]))
    expectCode(ProtocolError, () => short.next(), 'bad_length')
    const changing = new FrameDecoder({minBytes: 1, maxBytes: 4})
    changing.push(Buffer.concat([lengthPrefixed(Buffer.from('abcd')), lengthPrefixed(Buffer.alloc(2000))]))
    expect(changing.next()?.toString()).to.equal('abcd')
    changing.limits = {minBytes: 1, maxBytes: MAX_FRAME_BYTES}
    expect(changing.next()?.length).to.equal(2000)
  })

  it('peeks at the first header without consuming it', () => {
    const decoder = new FrameDecoder(limits)
    decoder.push(Buffer.from([0x00]))
    expect(decoder.peekHeader()).to.equal(undefined)
    decoder.push(Buffer.from([0x30]))
    expect(decoder.peekHeader()).to.equal(0x30)
  })

  it('refuses to build a frame over the limits', () => {
    expectCode(ProtocolError, () => lengthPrefixed(Buffer.alloc(MAX_FRAME_BYTES + 1)), 'frame_too_large')
    expectCode(
      ProtocolError,
      () => encodeBody({type: 'error', code: 'x', message: 'y'.repeat(MAX_PLAINTEXT_BYTES)}),
      'frame_too_large',
    )
  })
})

describe('protocol: validation', () => {
  it('rejects bad UTF-8, bad JSON and non-objects', () => {
    expectCode(ProtocolError, () => decodeFrame(Buffer.from([0x7b, 0xff, 0xfe, 0x7d])), 'bad_utf8')
    expectCode(ProtocolError, () => decodeFrame(body('{"type":')), 'bad_json')
    for (const value of ['[1,2]', '"hello"', '42', 'null'])
      expectCode(ProtocolError, () => decodeFrame(body(value)), 'bad_frame')
    expectCode(ProtocolError, () => decodeFrame(body({kind: 'chat'})), 'bad_frame')
  })

  it('rejects chat frames and payloads with fields of the wrong type or size', () => {
    expectCode(ProtocolError, () => decodeFrame(body({...chat, sig: 'short'})), 'bad_field')
    expectCode(ProtocolError, () => decodeFrame(body({...chat, sig: '!'.repeat(86)})), 'bad_field')
    expectCode(ProtocolError, () => decodeFrame(body({...chat, payload: 5})), 'bad_field')
    const payload = (p: object): string => JSON.stringify({from, text: 'x', ts: 1, seq: 1, ...p})
    expectCode(ProtocolError, () => decodeChatPayload(payload({text: 5})), 'bad_field')
    expectCode(ProtocolError, () => decodeChatPayload(payload({text: ''})), 'bad_field')
    expectCode(ProtocolError, () => decodeChatPayload(payload({text: 'x'.repeat(MAX_TEXT_CHARS + 1)})), 'bad_field')
    expectCode(ProtocolError, () => decodeChatPayload(payload({ts: 1.5})), 'bad_field')
    expectCode(ProtocolError, () => decodeChatPayload(payload({from: {...from, port: 70_000}})), 'bad_field')
    expectCode(ProtocolError, () => decodeChatPayload(payload({from: {...from, name: 'a\u001B[2Jb'}})), 'bad_field')
    expectCode(ProtocolError, () => decodeChatPayload(payload({from: 'me'})), 'bad_frame')
    expectCode(ProtocolError, () => decodeChatPayload('not json'), 'bad_json')
    expectCode(ProtocolError, () => decodeFrame(body({type: 'ping'})), 'bad_field')
    expectCode(ProtocolError, () => decodeChatPayload(payload({kind: 'shout'})), 'bad_field')
    expectCode(ProtocolError, () => decodeChatPayload(payload({kind: null})), 'bad_field')
  })

  it('decodes a payload string as its UTF-8 bytes would decode: a leading BOM dropped, a lone surrogate as U+FFFD', () => {
    const json = JSON.stringify({from, text: 'ola', ts: 5, seq: 1})
    expect(decodeChatPayload('\uFEFF' + json)).to.deep.equal(decodeChatPayload(json))
    const lone = JSON.stringify({from, text: 'a\uD800b', ts: 5, seq: 1}).replace(String.raw`\ud800`, '\uD800')
    expect(lone).to.include('\uD800')
    expect(decodeChatPayload(lone).text).to.equal('a\uFFFDb')
    expect(decodeChatPayload(JSON.stringify({from, text: 'olá 👋', ts: 5, seq: 1})).text).to.equal('olá 👋')
  })

  it('carries an action as kind "action", and leaves a plain message\'s payload as it always was', () => {
    const plain = {from, text: 'waves', ts: 5, seq: 9}
    expect(encodeChatPayload(plain)).to.equal(JSON.stringify({from, text: 'waves', ts: 5, seq: 9}))
    const action = {...plain, kind: 'action' as const}
    expect(encodeChatPayload(action)).to.equal(JSON.stringify({from, text: 'waves', ts: 5, seq: 9, kind: 'action'}))
    expect(decodeChatPayload(encodeChatPayload(action))).to.deep.equal(action)
    expect(decodeChatPayload(encodeChatPayload(plain))).to.deep.equal(plain)
    const worst = {...action, text: '\u0001'.repeat(MAX_TEXT_CHARS)}
    expect(() => encodeBody({type: 'chat', payload: encodeChatPayload(worst), sig: SIG})).to.not.throw()
  })

  it('round-trips a chat payload of the maximum length', () => {
    const content = {from, text: 'é'.repeat(MAX_TEXT_CHARS), ts: 5, seq: 9}
    expect(decodeChatPayload(encodeChatPayload(content))).to.deep.equal(content)
    // Even the worst case (control characters escaped as \\u00XX) fits in one frame.
    const worst = {from, text: '\u0001'.repeat(MAX_TEXT_CHARS), ts: 5, seq: 9}
    expect(() => encodeBody({type: 'chat', payload: encodeChatPayload(worst), sig: SIG})).to.not.throw()
  })

  it('validates the hello payload', () => {
    const hello = {v: 2, id: 'n', name: 'Julia', listen: {host: '127.0.0.1', port: 5000}, sig: SIG}
    expect(decodeHelloPayload(encodeHelloPayload(hello))).to.deep.equal(hello)
    expectCode(ProtocolError, () => decodeHelloPayload(body({...hello, listen: {host: '127.0.0.1'}})), 'bad_field')
    expectCode(ProtocolError, () => decodeHelloPayload(body({...hello, name: ''})), 'bad_field')
    expectCode(ProtocolError, () => decodeHelloPayload(body({...hello, sig: undefined})), 'bad_field')
  })

  it('reads the optional "transient" flag of a short-lived sender; absent means a normal node', () => {
    const hello = {v: 2, id: 'n', name: 'cron', listen: {host: '127.0.0.1', port: 5000}, sig: SIG}
    expect(decodeHelloPayload(encodeHelloPayload({...hello, transient: true}))).to.deep.equal({
      ...hello,
      transient: true,
    })
    // An older node sends no flag; `false` is the same as absent.
    expect(decodeHelloPayload(encodeHelloPayload(hello))).to.not.have.property('transient')
    expect(decodeHelloPayload(body({...hello, transient: false}))).to.not.have.property('transient')
    expectCode(ProtocolError, () => decodeHelloPayload(body({...hello, transient: 'yes'})), 'bad_field')
  })

  it('reads the optional "lazy" flag of a node that speaks lazy push; absent means it does not', () => {
    const hello = {v: 2, id: 'n', name: 'Julia', listen: {host: '127.0.0.1', port: 5000}, sig: SIG}
    expect(decodeHelloPayload(encodeHelloPayload({...hello, lazy: true}))).to.deep.equal({...hello, lazy: true})
    expect(decodeHelloPayload(encodeHelloPayload(hello))).to.not.have.property('lazy')
    expect(decodeHelloPayload(body({...hello, lazy: false}))).to.not.have.property('lazy')
    expectCode(ProtocolError, () => decodeHelloPayload(body({...hello, lazy: 1})), 'bad_field')
  })

  it('validates the lazy-push frames: ihave and graft carry 1..MAX_TREE_IDS message ids, prune nothing', () => {
    const ids = ['0123456789abcdef0123456789abcdef', 'f'.repeat(32)]
    for (const type of ['ihave', 'graft'] as const) {
      expect(decodeFrame(encodeBody({type, ids}))).to.deep.equal({type, ids})
      expectCode(ProtocolError, () => decodeFrame(body({type, ids: []})), 'bad_field')
      expectCode(
        ProtocolError,
        () => decodeFrame(body({type, ids: Array.from({length: MAX_TREE_IDS + 1}, () => ids[0])})),
        'bad_field',
      )
      expectCode(ProtocolError, () => decodeFrame(body({type, ids: ['F'.repeat(32)]})), 'bad_field')
      expectCode(ProtocolError, () => decodeFrame(body({type, ids: 'x'})), 'bad_field')
    }

    expect(decodeFrame(body({type: 'prune', extra: 1}))).to.deep.equal({type: 'prune'})
  })

  it('bounds the peers list', () => {
    const peer = {id: 'p', host: '127.0.0.1', port: 1}
    expect(decodeFrame(body({type: 'peers', peers: [peer]}))).to.deep.equal({type: 'peers', peers: [peer]})
    expectCode(
      ProtocolError,
      () => decodeFrame(body({type: 'peers', peers: Array.from({length: MAX_PEERS_PER_FRAME + 1}, () => peer)})),
      'too_many_peers',
    )
  })

  it('copies only known fields into fresh objects (no __proto__, no extras)', () => {
    const raw =
      '{"from":{"id":"n","name":"P","host":"h","port":1,"__proto__":{"admin":true}},"text":"t","ts":1,"seq":2,"extra":1}'
    const payload = decodeChatPayload(raw)
    expect(payload).to.deep.equal({from: {id: 'n', name: 'P', host: 'h', port: 1}, text: 't', ts: 1, seq: 2})
    expect(Object.getPrototypeOf(payload.from)).to.equal(Object.prototype)
    expect((payload.from as unknown as {admin?: boolean}).admin).to.equal(undefined)
  })

  it('passes unknown frame types through as ignorable', () => {
    expect(decodeFrame(body({type: 'future', x: 1}))).to.deep.equal({type: 'unknown', originalType: 'future'})
  })
})
