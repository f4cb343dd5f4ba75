import {expect} from 'chai'
import * as fc from 'fast-check'

import type {ChatFrame} from '../../src/p2p/protocol.js'

import {SeenCache} from '../../src/p2p/flood.js'
import {generateIdentity} from '../../src/p2p/identity.js'
import {
  authorMessage,
  checkMessage,
  MAX_CLOCK_SKEW_MS,
  MAX_MESSAGE_AGE_MS,
  messageId,
} from '../../src/p2p/message-auth.js'

const NOW = 1_764_000_000_000
const alice = generateIdentity()
const bob = generateIdentity()
const from = {id: alice.id, name: 'Alice', host: '127.0.0.1', port: 5000}

function signed(text = 'hello', ts = NOW): ChatFrame {
  return authorMessage(alice, {from, text, ts, seq: 1}).frame
}

function verdictOf(frame: ChatFrame, seen = new SeenCache()): string {
  const v = checkMessage(frame, {now: NOW, seen})
  return v.outcome === 'reject' ? `reject:${v.error.code}` : v.outcome === 'ignore' ? `ignore:${v.why}` : 'accept'
}

/** Flips one bit of a string's UTF-8 bytes, keeping it a string. */
function flipBit(text: string, bit: number): string {
  const bytes = Buffer.from(text, 'utf8')
  bytes[(bit >> 3) % bytes.length] ^= 1 << (bit & 7)
  return bytes.toString('latin1')
}

describe('signed messages', () => {
  it('accepts an intact message, with the same id the author computed', () => {
    const {frame, message} = authorMessage(alice, {from, text: 'hello', ts: NOW, seq: 1})
    const v = checkMessage(frame, {now: NOW, seen: new SeenCache()})
    expect(v.outcome).to.equal('accept')
    if (v.outcome === 'accept') expect(v.message).to.deep.equal(message)
    expect(message.id)
      .to.equal(messageId(frame.payload))
      .and.to.match(/^[0-9a-f]{32}$/)
  })

  it('rejects an altered text, an altered author and a flipped signature bit', () => {
    const frame = signed()
    expect(verdictOf({...frame, payload: frame.payload.replace('hello', 'hellO')})).to.equal('reject:bad_signature')
    expect(verdictOf({...frame, payload: frame.payload.replace('"Alice"', '"Alicf"')})).to.equal('reject:bad_signature')
    const asBob = frame.payload.replace(alice.id, bob.id)
    expect(verdictOf({...frame, payload: asBob})).to.equal('reject:bad_signature')
    const sig = Buffer.from(frame.sig, 'base64url')
    sig[10] ^= 0x01
    expect(verdictOf({...frame, sig: sig.toString('base64url')})).to.equal('reject:bad_signature')
  })

  it('rejects a message signed by someone else than its author', () => {
    const forged = authorMessage({...bob, id: alice.id}, {from, text: 'I am Alice', ts: NOW, seq: 1}).frame
    expect(verdictOf(forged)).to.equal('reject:bad_signature')
  })

  it('rejects a payload that is not a valid chat payload', () => {
    expect(verdictOf({...signed(), payload: '{"nope":1}'})).to.match(/^reject:bad_/)
  })

  it('ignores a message already seen, or outside the time window', () => {
    const frame = signed()
    const seen = new SeenCache()
    seen.add(messageId(frame.payload))
    expect(verdictOf(frame, seen)).to.equal('ignore:duplicate')
    expect(verdictOf(signed('old', NOW - MAX_MESSAGE_AGE_MS - 1))).to.equal('ignore:too_old')
    expect(verdictOf(signed('future', NOW + MAX_CLOCK_SKEW_MS + 1))).to.equal('ignore:too_new')
    expect(verdictOf(signed('edge', NOW - MAX_MESSAGE_AGE_MS))).to.equal('accept')
  })

  it('detects tampering anywhere in the payload or signature (fast-check)', () => {
    const frame = signed('a message with some length to it')
    fc.assert(
      fc.property(fc.nat(10_000), fc.boolean(), (bit, inSig) => {
        const tampered = inSig
          ? {...frame, sig: flipSigBit(frame.sig, bit)}
          : {...frame, payload: flipBit(frame.payload, bit)}
        expect(verdictOf(tampered)).to.not.equal('accept')
      }),
      {seed: 3, numRuns: 1000},
    )
  })
})

function flipSigBit(sig: string, bit: number): string {
  const bytes = Buffer.from(sig, 'base64url')
  bytes[(bit >> 3) % bytes.length] ^= 1 << (bit & 7)
  return bytes.toString('base64url')
}
