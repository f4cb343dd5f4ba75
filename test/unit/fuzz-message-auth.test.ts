// Property-based fuzzing of the message validator (SECURITY.md: snow's hfuzz target "the message validator"),
// seeded and shrinking: whatever a hop sends, checkMessage accepts only a payload its claimed author signed, within
// the time window, not seen before; everything else is a typed reject or an ignore.
import {expect} from 'chai'
import * as fc from 'fast-check'

import {SeenCache} from '../../src/p2p/flood.js'
import {generateIdentity, type Identity} from '../../src/p2p/identity.js'
import {
  authorMessage,
  checkMessage,
  MAX_CLOCK_SKEW_MS,
  MAX_MESSAGE_AGE_MS,
  messageId,
  type Verdict,
} from '../../src/p2p/message-auth.js'
import {
  type ChatFrame,
  type ChatPayload,
  decodeChatPayload,
  encodeChatPayload,
  MAX_TEXT_CHARS,
  ProtocolError,
} from '../../src/p2p/protocol.js'

const SEED = 0xa_17_4e_55
const RUNS = 2000
const NOW = 1_764_000_000_000

const REJECT_CODES = new Set(['bad_signature', 'bad_utf8', 'bad_json', 'bad_frame', 'bad_field'])
const IGNORE_WHY = new Set(['duplicate', 'too_old', 'too_new'])

const people: Identity[] = [generateIdentity(), generateIdentity(), generateIdentity()]

function check(frame: ChatFrame, seen: SeenCache = new SeenCache({now: () => NOW}), now = NOW): Verdict {
  let verdict: Verdict
  try {
    verdict = checkMessage(frame, {now, seen})
  } catch (error) {
    throw new Error(`checkMessage threw instead of returning a verdict: ${String(error)}`, {cause: error})
  }

  if (verdict.outcome === 'reject') {
    expect(verdict.error).to.be.instanceOf(ProtocolError)
    expect(REJECT_CODES.has(verdict.error.code), `reject code ${verdict.error.code}`).to.equal(true)
  } else if (verdict.outcome === 'ignore') {
    expect(IGNORE_WHY.has(verdict.why), `ignore ${verdict.why}`).to.equal(true)
  }

  return verdict
}

const author = fc.integer({min: 0, max: people.length - 1})
const text = fc.oneof(
  fc.string({minLength: 1, maxLength: 100}),
  fc.string({unit: 'binary', minLength: 1, maxLength: 60}),
  fc.constant('t'.repeat(MAX_TEXT_CHARS)),
)
const inWindow = fc.integer({min: -MAX_MESSAGE_AGE_MS, max: MAX_CLOCK_SKEW_MS})
const content = fc.record({
  who: author,
  name: fc.constantFrom('Alice', 'Bob', 'Carol', 'x'),
  port: fc.integer({min: 1, max: 65_535}),
  text,
  delta: inWindow,
  seq: fc.nat(),
})

function payloadOf(
  c: {delta: number; name: string; port: number; seq: number; text: string; who: number},
  claimed = people[c.who].id,
): ChatPayload {
  return {
    from: {id: claimed, name: c.name, host: '127.0.0.1', port: c.port},
    text: c.text,
    ts: NOW + c.delta,
    seq: c.seq,
  }
}

function signedBy(c: Parameters<typeof payloadOf>[0]): ChatFrame {
  return authorMessage(people[c.who], payloadOf(c)).frame
}

const b64urlChar = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_')
const randomSig = fc.array(b64urlChar, {minLength: 86, maxLength: 86}).map((cs) => cs.join(''))

/** How a hop can alter a genuine frame. */
type Mutation =
  | {at: number; by: string; kind: 'payload-insert'}
  | {at: number; kind: 'payload-delete'}
  | {at: number; c: string; kind: 'sig-char'}
  | {field: 'name' | 'port' | 'seq' | 'text' | 'ts'; kind: 'field'; value: unknown}
  | {kind: 'claim-other'; who: number}
  | {kind: 'other-sig'; sig: string}
  | {kind: 'reserialize'; space: number}
  | {kind: 'sig-respelled'; low: number}

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({kind: fc.constant('payload-insert' as const), at: fc.nat(), by: fc.string({minLength: 1, maxLength: 3})}),
  fc.record({kind: fc.constant('payload-delete' as const), at: fc.nat()}),
  fc.record({kind: fc.constant('sig-char' as const), at: fc.integer({min: 0, max: 85}), c: b64urlChar}),
  fc.record({
    kind: fc.constant('field' as const),
    field: fc.constantFrom('name' as const, 'port' as const, 'seq' as const, 'text' as const, 'ts' as const),
    value: fc.oneof(fc.string({minLength: 1, maxLength: 10}), fc.integer({min: 1, max: 65_535}), fc.constant(NOW)),
  }),
  fc.record({kind: fc.constant('claim-other' as const), who: author}),
  fc.record({kind: fc.constant('other-sig' as const), sig: randomSig}),
  fc.record({kind: fc.constant('reserialize' as const), space: fc.integer({min: 0, max: 2})}),
  fc.record({kind: fc.constant('sig-respelled' as const), low: fc.integer({min: 0, max: 15})}),
)

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

/** JSON.parse, or undefined: an earlier mutation may have broken the JSON, and then a structural one does nothing. */
function parsed<T>(payload: string): T | undefined {
  try {
    const value = JSON.parse(payload) as unknown
    return typeof value === 'object' &&
      value !== null &&
      typeof (value as {from?: unknown}).from === 'object' &&
      (value as {from?: unknown}).from !== null
      ? (value as T)
      : undefined
  } catch {
    return undefined
  }
}

function mutate(frame: ChatFrame, m: Mutation): ChatFrame {
  const {payload, sig} = frame
  switch (m.kind) {
    case 'payload-insert': {
      const at = m.at % (payload.length + 1)
      return {...frame, payload: payload.slice(0, at) + m.by + payload.slice(at)}
    }

    case 'payload-delete': {
      const at = m.at % payload.length
      return {...frame, payload: payload.slice(0, at) + payload.slice(at + 1)}
    }

    case 'sig-char': {
      return {...frame, sig: sig.slice(0, m.at) + m.c + sig.slice(m.at + 1)}
    }

    case 'field': {
      const p = parsed<Record<string, unknown> & {from: Record<string, unknown>}>(payload)
      if (!p) return frame
      if (m.field === 'name' || m.field === 'port') p.from[m.field] = m.value
      else p[m.field] = m.value
      return {...frame, payload: JSON.stringify(p)}
    }

    case 'claim-other': {
      const p = parsed<{from: {id: string}}>(payload)
      if (!p) return frame
      p.from.id = people[m.who].id
      return {...frame, payload: JSON.stringify(p)}
    }

    case 'other-sig': {
      return {...frame, sig: m.sig}
    }

    case 'reserialize': {
      const p = parsed<object>(payload)
      return p ? {...frame, payload: JSON.stringify(p, null, m.space)} : frame
    }

    case 'sig-respelled': {
      // The last of 86 base64url characters carries 2 bits of the 512; its 4 low bits are padding.
      const last = B64URL.indexOf(sig.at(-1)!)
      return {...frame, sig: sig.slice(0, -1) + B64URL[(last & 0b11_0000) | m.low]}
    }
  }
}

describe('fuzz: checkMessage', function () {
  this.timeout(120_000)

  afterEach(() => {
    expect(({} as Record<string, unknown>).polluted).to.equal(undefined)
  })

  it('never accepts an arbitrary payload with an arbitrary signature', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({maxLength: 300}),
          fc.string({unit: 'binary', maxLength: 300}),
          fc.jsonValue().map((v) => JSON.stringify(v) ?? ''),
        ),
        randomSig,
        (payload, sig) => {
          expect(check({type: 'chat', payload, sig}).outcome).to.not.equal('accept')
        },
      ),
      {seed: SEED, numRuns: RUNS},
    )
  })

  it('never accepts a well-formed, current payload under a signature its author did not make', () => {
    fc.assert(
      fc.property(content, randomSig, (c, sig) => {
        const v = check({type: 'chat', payload: encodeChatPayload(payloadOf(c)), sig})
        expect(v.outcome).to.equal('reject')
        if (v.outcome === 'reject') expect(v.error.code).to.equal('bad_signature')
      }),
      {seed: SEED + 1, numRuns: RUNS},
    )
  })

  it('accepts an altered frame only if the signed bytes and the signature are unchanged', () => {
    let accepted = 0
    fc.assert(
      fc.property(content, fc.array(mutation, {minLength: 1, maxLength: 2}), (c, ms) => {
        const genuine = signedBy(c)
        let frame = genuine
        for (const m of ms) frame = mutate(frame, m)
        const v = check(frame)
        const sameBytes =
          frame.payload === genuine.payload &&
          Buffer.from(frame.sig, 'base64url').equals(Buffer.from(genuine.sig, 'base64url'))
        if (v.outcome === 'accept') {
          accepted++
          expect(sameBytes, `accepted ${JSON.stringify(ms)}`).to.equal(true)
          expect(v.message.id).to.equal(messageId(genuine.payload))
          expect(v.message.from.id).to.equal(people[c.who].id)
          expect(v.message.text).to.equal(c.text)
        } else if (sameBytes) {
          expect.fail(`a genuine message was refused after ${JSON.stringify(ms)}: ${JSON.stringify(v)}`)
        }
      }),
      {seed: SEED + 2, numRuns: RUNS},
    )
    expect(accepted, 'some mutations are no-ops (a re-spelled signature)').to.be.greaterThan(0)
  })

  it('accepts only inside [now − 5 min, now + 15 min], whoever signs', () => {
    fc.assert(
      fc.property(content, fc.integer({min: -3 * MAX_MESSAGE_AGE_MS, max: 3 * MAX_MESSAGE_AGE_MS}), (c, delta) => {
        const v = check(signedBy({...c, delta}))
        const inside = delta >= -MAX_MESSAGE_AGE_MS && delta <= MAX_CLOCK_SKEW_MS
        expect(v.outcome).to.equal(inside ? 'accept' : 'ignore')
        if (v.outcome === 'ignore') expect(v.why).to.equal(delta < 0 ? 'too_old' : 'too_new')
      }),
      {seed: SEED + 3, numRuns: RUNS},
    )
  })

  it("history (a newcomer's catch-up) skips the age limit but not the clock-skew limit nor the signature", () => {
    fc.assert(
      fc.property(
        content,
        fc.integer({min: -30 * 24 * 3600 * 1000, max: 3 * MAX_MESSAGE_AGE_MS}),
        randomSig,
        fc.boolean(),
        (c, delta, sig, forge) => {
          const genuine = signedBy({...c, delta})
          const v = checkMessage(forge ? {...genuine, sig} : genuine, {
            now: NOW,
            seen: new SeenCache({now: () => NOW}),
            anyAge: true,
          })
          if (delta > MAX_CLOCK_SKEW_MS) expect(v).to.deep.equal({outcome: 'ignore', why: 'too_new'})
          else if (forge) expect(v.outcome === 'reject' && v.error.code).to.equal('bad_signature')
          else expect(v.outcome).to.equal('accept')
        },
      ),
      {seed: SEED + 6, numRuns: RUNS},
    )
  })

  it('ignores every id already seen, forged copies included, and never rejects the genuine message after', () => {
    fc.assert(
      fc.property(content, randomSig, (c, sig) => {
        const seen = new SeenCache({now: () => NOW})
        const genuine = signedBy(c)
        expect(check(genuine, seen).outcome).to.equal('accept')
        seen.add(messageId(genuine.payload))
        // A replay, and a copy with a forged signature: the id is the payload's, so both are duplicates.
        for (const copy of [genuine, {...genuine, sig}]) {
          const v = check(copy, seen)
          expect(v).to.deep.equal({outcome: 'ignore', why: 'duplicate'})
        }
      }),
      {seed: SEED + 4, numRuns: RUNS},
    )
  })

  it('a forged copy seen first does not suppress the genuine message', () => {
    fc.assert(
      fc.property(content, randomSig, (c, sig) => {
        const seen = new SeenCache({now: () => NOW})
        const genuine = signedBy(c)
        const forged = check({...genuine, sig}, seen)
        expect(forged.outcome).to.equal('reject')
        // The caller adds only accepted ids, so the seen-cache is untouched and the genuine frame still passes.
        expect(check(genuine, seen).outcome).to.equal('accept')
      }),
      {seed: SEED + 5, numRuns: RUNS},
    )
  })

  it('a re-spelled signature (non-canonical base64url) is the same signature: same id, shown once', () => {
    const c = {who: 0, name: 'Alice', port: 5000, text: 'respelled', delta: 0, seq: 1}
    const genuine = signedBy(c)
    const respelled = mutate(genuine, {kind: 'sig-respelled', low: (B64URL.indexOf(genuine.sig.at(-1)!) + 1) & 0b1111})
    expect(respelled.sig).to.not.equal(genuine.sig)
    const seen = new SeenCache({now: () => NOW})
    const first = check(respelled, seen)
    expect(first.outcome).to.equal('accept')
    if (first.outcome === 'accept') seen.add(first.message.id)
    expect(check(genuine, seen)).to.deep.equal({outcome: 'ignore', why: 'duplicate'})
    expect(decodeChatPayload(respelled.payload).text).to.equal('respelled')
  })
})
