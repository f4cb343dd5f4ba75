// Property-based fuzzing of the secure session (SECURITY.md: snow's hfuzz target "the responder handshake"), seeded
// and shrinking. A SecureSession is pure (bytes in, bytes out), so thousands of hostile connections cost no sockets.
//
//   responder, arbitrary first bytes   never established, never a byte written (but the version-1 answer), only
//                                      typed errors
//   a real handshake, one message      nobody establishes on a tampered message; a tampered first message gets
//   tampered                           silence
//   initiator, arbitrary replies       never established, never writes after its first message
//   transport, arbitrary or tampered   no plaintext comes out of bytes the peer did not seal, and a tampered stream
//   bytes                              yields at most the untampered prefix of the genuine plaintexts
import {expect} from 'chai'
import * as fc from 'fast-check'

import {generateIdentity, type Identity} from '../../src/p2p/identity.js'
import {
  encodeVersion1Error,
  FRAME_HEADER_BYTES,
  MAX_HANDSHAKE_MESSAGE_BYTES,
  ProtocolError,
} from '../../src/p2p/protocol.js'
import {deriveRoomKey, PUBLIC_ROOM, type RoomKey} from '../../src/p2p/room.js'
import {SecureSession, type SessionOutput} from '../../src/p2p/secure-session.js'
import {split} from '../helpers/chunks.js'

const SEED = 0x5e_55_10_17
const RUNS = 1000

/** Every code a session may close with. 'internal' (an unexpected exception turned into an error) is a bug. */
const SESSION_CODES = new Set([
  'version',
  'room_mismatch',
  'bad_length',
  'handshake_failed',
  'bad_identity',
  'decrypt_failed',
  // the hello inside messages 2 and 3 is decoded by protocol.ts
  'bad_utf8',
  'bad_json',
  'bad_frame',
  'bad_field',
])

const identities: Identity[] = [generateIdentity(), generateIdentity()]

function session(initiator: boolean, room: RoomKey = PUBLIC_ROOM): SecureSession {
  return new SecureSession({
    initiator,
    identity: identities[initiator ? 0 : 1],
    name: initiator ? 'Ini' : 'Resp',
    listen: {host: '127.0.0.1', port: initiator ? 5001 : 5000},
    room,
  })
}

interface Fed {
  write: Buffer[]
  bodies: Buffer[]
  established: boolean
  error?: ProtocolError
}

/** Feeds chunks as a connection does, stopping at the first error (the connection would close). */
function feed(s: SecureSession, chunks: Buffer[]): Fed {
  const fed: Fed = {write: [], bodies: [], established: false}
  for (const chunk of chunks) {
    let out: SessionOutput
    try {
      out = s.receive(chunk)
    } catch (error) {
      if (!(error instanceof ProtocolError))
        throw new Error(`a non-ProtocolError escaped: ${String(error)}`, {cause: error})
      if (!SESSION_CODES.has(error.code))
        throw new Error(`unexpected session error code "${error.code}": ${error.message}`)
      fed.error = error
      // A failed session stays silent whatever comes next.
      const after = s.receive(Buffer.from([0, 1, 2, 3]))
      expect(after.write.length + after.bodies.length).to.equal(0)
      expect(s.established).to.equal(false)
      return fed
    }

    fed.write.push(...out.write)
    fed.bodies.push(...out.bodies)
    if (out.established) fed.established = true
  }

  return fed
}

const cuts = fc.array(fc.nat(), {maxLength: 16})

/** An edit of a byte string: flip a bit, cut the tail, append bytes, or overwrite a run. */
type Edit =
  | {at: number; bit: number; kind: 'flip'}
  | {bytes: Uint8Array; kind: 'append'}
  | {at: number; bytes: Uint8Array; kind: 'overwrite'}
  | {at: number; kind: 'truncate'}

const edit: fc.Arbitrary<Edit> = fc.oneof(
  {
    arbitrary: fc.record({kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({min: 0, max: 7})}),
    weight: 6,
  },
  {arbitrary: fc.record({kind: fc.constant('truncate' as const), at: fc.nat()}), weight: 1},
  {
    arbitrary: fc.record({kind: fc.constant('append' as const), bytes: fc.uint8Array({minLength: 1, maxLength: 64})}),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('overwrite' as const),
      at: fc.nat(),
      bytes: fc.uint8Array({minLength: 1, maxLength: 8}),
    }),
    weight: 2,
  },
)

function applyEdit(bytes: Buffer, e: Edit): Buffer {
  const out = Buffer.from(bytes)
  switch (e.kind) {
    case 'flip': {
      out[e.at % out.length] ^= 1 << e.bit
      return out
    }

    case 'truncate': {
      return out.subarray(0, e.at % out.length)
    }

    case 'append': {
      return Buffer.concat([out, e.bytes])
    }

    case 'overwrite': {
      Buffer.from(e.bytes).copy(out, e.at % out.length)
      return out
    }
  }
}

describe('fuzz: SecureSession handshake', function () {
  // Each case runs real X25519 and Ed25519 operations: slow on a busy machine, never stuck.
  this.timeout(120_000)

  it('responder: arbitrary first bytes never establish and get nothing back but the version-1 answer', () => {
    fc.assert(
      fc.property(fc.uint8Array({maxLength: 2100}), cuts, (bytes, at) => {
        const stream = Buffer.from(bytes)
        const fed = feed(session(false), split(stream, at))
        expect(fed.established).to.equal(false)
        expect(fed.bodies).to.have.length(0)
        expect(fed.write, 'the responder writes nothing').to.have.length(0)
        if (stream.length >= FRAME_HEADER_BYTES && stream.readUInt16BE(0) === 0) {
          expect(fed.error?.code).to.equal('version')
          expect(
            (fed.error as ProtocolError & {reply?: Buffer}).reply?.equals(encodeVersion1Error(fed.error!.message)),
          ).to.equal(true)
        } else if (fed.error) {
          expect((fed.error as ProtocolError & {reply?: Buffer}).reply, 'a reply in clear').to.equal(undefined)
        }
      }),
      {seed: SEED, numRuns: RUNS * 3},
    )
  })

  it('responder: a stream that starts like version 1 (two zero bytes) gets the version-1 answer and nothing else', () => {
    fc.assert(
      fc.property(fc.uint8Array({maxLength: 600}), cuts, (rest, at) => {
        const stream = Buffer.concat([Buffer.from([0, 0]), rest])
        const fed = feed(session(false), split(stream, at))
        expect(fed.write).to.have.length(0)
        expect(fed.error?.code).to.equal('version')
        expect((fed.error as ProtocolError & {reply?: Buffer}).reply?.subarray(4).toString()).to.match(
          /"code":"version"/,
        )
      }),
      {seed: SEED + 7, numRuns: RUNS},
    )
  })

  it('responder: any first message of an allowed length fails as a room mismatch, in silence', () => {
    fc.assert(
      fc.property(fc.uint8Array({minLength: 1, maxLength: MAX_HANDSHAKE_MESSAGE_BYTES}), cuts, (body, at) => {
        const frame = Buffer.alloc(FRAME_HEADER_BYTES + body.length)
        frame.writeUInt16BE(body.length, 0)
        frame.set(body, FRAME_HEADER_BYTES)
        const fed = feed(session(false), split(frame, at))
        expect(fed.error?.code).to.equal('room_mismatch')
        expect(fed.write).to.have.length(0)
      }),
      {seed: SEED + 1, numRuns: RUNS},
    )
  })

  it('responder: a first message over 1 KiB is refused from its header alone', () => {
    fc.assert(
      fc.property(
        fc.integer({min: MAX_HANDSHAKE_MESSAGE_BYTES + 1, max: 0xff_ff}),
        fc.uint8Array({maxLength: 64}),
        (length, tail) => {
          const header = Buffer.alloc(FRAME_HEADER_BYTES)
          header.writeUInt16BE(length, 0)
          const fed = feed(session(false), [header, Buffer.from(tail)])
          expect(fed.error?.code).to.equal('bad_length')
          expect(fed.write).to.have.length(0)
        },
      ),
      {seed: SEED + 2, numRuns: RUNS},
    )
  })

  it('a tampered handshake message is never accepted by the side that receives it', () => {
    fc.assert(
      fc.property(fc.integer({min: 0, max: 2}), edit, cuts, (which, e, at) => {
        const ini = session(true)
        const resp = session(false)
        const tamper = (index: number, bytes: Buffer): Buffer => (index === which ? applyEdit(bytes, e) : bytes)
        const [m1] = ini.start()
        const sent1 = tamper(0, m1)
        const r1 = feed(resp, split(sent1, at))
        if (which === 0 && !sent1.equals(m1)) {
          expect(r1.established).to.equal(false)
          // A first message that is not exactly a member's gets nothing back, not even the responder's key. (Bytes
          // appended to an intact message 1 are the start of message 3: answering the intact part is right.)
          if (e.kind !== 'append') expect(r1.write, 'responder answered a tampered message 1').to.have.length(0)
          return
        }

        if (r1.error || r1.write.length === 0) return
        const sent2 = tamper(1, r1.write[0])
        const r2 = feed(ini, split(sent2, at))
        if (which === 1 && !sent2.equals(r1.write[0])) {
          // Appended bytes after an intact message 2 are the next frame: the initiator may establish on the intact
          // part only if the extra bytes are not yet a whole (bad) frame; what it must never do is accept altered bytes.
          if (e.kind !== 'append') expect(r2.established, 'initiator accepted a tampered message 2').to.equal(false)
          return
        }

        if (r2.error || r2.write.length === 0) return
        const sent3 = tamper(2, r2.write[0])
        const r3 = feed(resp, split(sent3, at))
        if (which === 2 && !sent3.equals(r2.write[0])) {
          if (e.kind !== 'append') expect(r3.established, 'responder accepted a tampered message 3').to.equal(false)
          return
        }

        // Untampered: both ends agree.
        expect(r2.established && r3.established).to.equal(true)
      }),
      {seed: SEED + 3, numRuns: RUNS},
    )
  })

  it('a handshake between two rooms never completes', async () => {
    const other = await deriveRoomKey('chat-invite-' + Buffer.alloc(32, 7).toString('base64url'))
    fc.assert(
      fc.property(fc.boolean(), cuts, (initiatorInOther, at) => {
        const ini = session(true, initiatorInOther ? other : PUBLIC_ROOM)
        const resp = session(false, initiatorInOther ? PUBLIC_ROOM : other)
        const fed = feed(resp, split(ini.start()[0], at))
        expect(fed.error?.code).to.equal('room_mismatch')
        expect(fed.write).to.have.length(0)
      }),
      {seed: SEED + 4, numRuns: RUNS},
    )
  })

  it('initiator: arbitrary replies never establish, and it writes nothing after its first message', () => {
    fc.assert(
      fc.property(fc.uint8Array({maxLength: 1100}), cuts, (bytes, at) => {
        const ini = session(true)
        ini.start()
        const fed = feed(ini, split(Buffer.from(bytes), at))
        expect(fed.established).to.equal(false)
        expect(fed.write).to.have.length(0)
        expect(fed.bodies).to.have.length(0)
      }),
      {seed: SEED + 5, numRuns: RUNS},
    )
  })

  it('responder: arbitrary bytes in place of message 3 never establish', () => {
    fc.assert(
      fc.property(fc.uint8Array({maxLength: 1100}), cuts, (bytes, at) => {
        const resp = session(false)
        const first = feed(resp, session(true).start())
        expect(first.write).to.have.length(1)
        const fed = feed(resp, split(Buffer.from(bytes), at))
        expect(fed.established).to.equal(false)
        expect(fed.write).to.have.length(0)
      }),
      {seed: SEED + 6, numRuns: RUNS},
    )
  })
})

describe('fuzz: SecureSession transport', function () {
  this.timeout(120_000)

  /** Two sessions after a real handshake. */
  function pair(): {ini: SecureSession; resp: SecureSession} {
    const ini = session(true)
    const resp = session(false)
    const r1 = resp.receive(ini.start()[0])
    const r2 = ini.receive(r1.write[0])
    const r3 = resp.receive(r2.write[0])
    expect(Boolean(r2.established && r3.established)).to.equal(true)
    return {ini, resp}
  }

  const plaintexts = fc.array(fc.uint8Array({maxLength: 300}), {minLength: 1, maxLength: 8})

  it('delivers sealed frames in order under any chunking', () => {
    fc.assert(
      fc.property(plaintexts, cuts, (texts, at) => {
        const {ini, resp} = pair()
        const stream = Buffer.concat(texts.map((t) => ini.seal(Buffer.from(t))))
        const fed = feed(resp, split(stream, at))
        expect(fed.error).to.equal(undefined)
        expect(fed.bodies.map((b) => Buffer.from(b))).to.deep.equal(texts.map((t) => Buffer.from(t)))
      }),
      {seed: SEED + 10, numRuns: RUNS},
    )
  })

  it('yields no plaintext from arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({maxLength: 2000}), cuts, (bytes, at) => {
        const {resp} = pair()
        const fed = feed(resp, split(Buffer.from(bytes), at))
        expect(fed.bodies).to.have.length(0)
        if (fed.error) expect(['decrypt_failed', 'bad_length']).to.include(fed.error.code)
      }),
      {seed: SEED + 11, numRuns: RUNS},
    )
  })

  it('a tampered stream yields only an untampered prefix of the genuine plaintexts', () => {
    fc.assert(
      fc.property(plaintexts, edit, cuts, (texts, e, at) => {
        const {ini, resp} = pair()
        const genuine = Buffer.concat(texts.map((t) => ini.seal(Buffer.from(t))))
        const tampered = applyEdit(genuine, e)
        const fed = feed(resp, split(tampered, at))
        const expected = texts.map((t) => Buffer.from(t))
        const got = fed.bodies.map((b) => Buffer.from(b))
        expect(got.length).to.be.at.most(expected.length)
        expect(got).to.deep.equal(expected.slice(0, got.length))
        // Whatever was altered is never delivered: frames before the edit may come out, the edited one may not.
        if (!tampered.equals(genuine) && e.kind !== 'append' && e.kind !== 'truncate')
          expect(got.length).to.be.below(expected.length)
      }),
      {seed: SEED + 12, numRuns: RUNS},
    )
  })

  it('refuses a replayed frame and frames from another session', () => {
    fc.assert(
      fc.property(fc.uint8Array({maxLength: 100}), fc.boolean(), (text, fromOther) => {
        const {ini, resp} = pair()
        const frame = ini.seal(Buffer.from(text))
        expect(feed(resp, [frame]).bodies).to.have.length(1)
        const again = fromOther ? pair().ini.seal(Buffer.from(text)) : frame
        const fed = feed(resp, [again])
        expect(fed.bodies).to.have.length(0)
        expect(fed.error?.code).to.equal('decrypt_failed')
      }),
      {seed: SEED + 13, numRuns: RUNS},
    )
  })
})
