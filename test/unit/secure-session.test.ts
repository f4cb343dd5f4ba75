import {expect} from 'chai'
import * as fc from 'fast-check'

import {generateIdentity, type Identity} from '../../src/p2p/identity.js'
import {decodeFrame, encodeBody, lengthPrefixed, ProtocolError} from '../../src/p2p/protocol.js'
import {deriveRoomKey, PUBLIC_ROOM, type RoomKey} from '../../src/p2p/room.js'
import {SecureSession, type SessionOutput} from '../../src/p2p/secure-session.js'
import {expectCode} from '../helpers/errors.js'

interface Side {
  session: SecureSession
  identity: Identity
}

function side(
  initiator: boolean,
  room: RoomKey = PUBLIC_ROOM,
  name = initiator ? 'Ini' : 'Resp',
  port = initiator ? 5001 : 5000,
): Side {
  const identity = generateIdentity()
  return {identity, session: new SecureSession({initiator, identity, name, listen: {host: '127.0.0.1', port}, room})}
}

/** Runs the handshake, returning the three wire messages and what each side learned. */
function handshake(a: Side, b: Side): {messages: Buffer[]; atA: SessionOutput; atB: SessionOutput} {
  const [m1] = a.session.start()
  const r1 = b.session.receive(m1)
  const [m2] = r1.write
  const atA = a.session.receive(m2)
  const [m3] = atA.write
  const atB = b.session.receive(m3)
  return {messages: [m1, m2, m3], atA, atB}
}

describe('secure session (Noise XXpsk0 + signed hellos)', () => {
  it("completes a handshake: each side learns the other's signed identity and listening address", () => {
    const a = side(true)
    const b = side(false)
    const {atA, atB, messages} = handshake(a, b)
    expect(messages[0].length).to.equal(2 + 48) // -> psk, e: 48 bytes, as SECURITY.md says
    const {clockOffsetMs: offsetAtA, ...remoteAtA} = atA.established!
    const {clockOffsetMs: offsetAtB, ...remoteAtB} = atB.established!
    expect(remoteAtA).to.deep.equal({id: b.identity.id, name: 'Resp', host: '127.0.0.1', port: 5000})
    expect(remoteAtB).to.deep.equal({id: a.identity.id, name: 'Ini', host: '127.0.0.1', port: 5001})
    // Each hello carries its writer's clock: the same clock here, so no difference worth a word.
    for (const offset of [offsetAtA, offsetAtB]) expect(Math.abs(offset!)).to.be.below(1000)
    const ping = a.session.seal(encodeBody({type: 'ping', n: 7}))
    expect(decodeFrame(b.session.receive(ping).bodies[0])).to.deep.equal({type: 'ping', n: 7})
    const pong = b.session.seal(encodeBody({type: 'pong', n: 7}))
    expect(decodeFrame(a.session.receive(pong).bodies[0])).to.deep.equal({type: 'pong', n: 7})
  })

  it('puts nothing in clear: no name, no address, no text on the wire', () => {
    const a = side(true, PUBLIC_ROOM, 'Zebediah', 5555)
    const b = side(false, PUBLIC_ROOM, 'Quintessa', 5556)
    const {messages} = handshake(a, b)
    const frame = a.session.seal(encodeBody({type: 'error', code: 'x', message: 'secret words'}))
    const wire = Buffer.concat([...messages, frame]).toString('latin1')
    for (const needle of ['Zebediah', 'Quintessa', '5555', '5556', 'secret words', a.identity.id, b.identity.id]) {
      expect(wire).to.not.include(needle)
    }
  })

  it('fails on the first message with a different room key, and the responder writes nothing back', async () => {
    const a = side(true, await deriveRoomKey('correct horse battery staple'))
    const b = side(false, await deriveRoomKey('another long passphrase'))
    const [m1] = a.session.start()
    let output: SessionOutput | undefined
    expectCode(
      ProtocolError,
      () => {
        output = b.session.receive(m1)
      },
      'room_mismatch',
    )
    expect(output).to.equal(undefined)
    // One side public, the other private: the same.
    const c = side(true)
    const d = side(false, await deriveRoomKey('correct horse battery staple'))
    expectCode(ProtocolError, () => d.session.receive(c.session.start()[0]), 'room_mismatch')
  })

  it('detects a flipped bit in every handshake message', () => {
    for (const target of [0, 1, 2]) {
      for (const bit of [0, 7, 100, 300]) {
        const a = side(true)
        const b = side(false)
        const [m1] = a.session.start()
        const flip = (m: Buffer): Buffer => {
          const copy = Buffer.from(m)
          const index = 2 + ((bit >> 3) % (copy.length - 2))
          copy[index] ^= 1 << (bit & 7)
          return copy
        }

        try {
          const r1 = b.session.receive(target === 0 ? flip(m1) : m1)
          const r2 = a.session.receive(target === 1 ? flip(r1.write[0]) : r1.write[0])
          b.session.receive(target === 2 ? flip(r2.write[0]) : r2.write[0])
          expect.fail(`a flip in message ${target + 1} went unnoticed`)
        } catch (error) {
          expect(error, `message ${target + 1}, bit ${bit}`).to.be.instanceOf(ProtocolError)
        }
      }
    }
  })

  it('rejects a hello that claims an identity whose key it does not hold', () => {
    // Mallory presents Alice's id but can only sign with her own key.
    const alice = generateIdentity()
    const mallory = generateIdentity()
    const impostor = {...alice, privateKey: mallory.privateKey}
    for (const impostorIsInitiator of [true, false]) {
      const fake = new SecureSession({
        initiator: impostorIsInitiator,
        identity: impostor,
        name: 'Alice',
        listen: {host: '127.0.0.1', port: 1},
        room: PUBLIC_ROOM,
      })
      const honest = side(!impostorIsInitiator)
      const [a, b] = impostorIsInitiator
        ? [{session: fake, identity: impostor}, honest]
        : [honest, {session: fake, identity: impostor}]
      expectCode(ProtocolError, () => handshake(a, b), 'bad_identity')
    }
  })

  it('rejects a plaintext frame after the handshake, and a replayed transport frame', () => {
    const a = side(true)
    const b = side(false)
    handshake(a, b)
    expectCode(
      ProtocolError,
      () => b.session.receive(lengthPrefixed(encodeBody({type: 'ping', n: 1}))),
      'decrypt_failed',
    )
    const c = side(true)
    const d = side(false)
    handshake(c, d)
    const frame = c.session.seal(encodeBody({type: 'ping', n: 1}))
    d.session.receive(frame)
    expectCode(ProtocolError, () => d.session.receive(frame), 'decrypt_failed')
  })

  it('tells a version-1 peer why, in version 1 framing', () => {
    const b = side(false)
    const v1Hello = Buffer.from(
      JSON.stringify({type: 'hello', v: 1, id: 'x', name: 'Old', listen: {host: '127.0.0.1', port: 1}}),
    )
    const frame = Buffer.concat([Buffer.from([0, 0, 0, v1Hello.length]), v1Hello])
    try {
      b.session.receive(frame)
      expect.fail('a version-1 hello was accepted')
    } catch (error) {
      expect((error as ProtocolError).code).to.equal('version')
      const reply = (error as {reply?: Buffer}).reply!
      expect(reply.readUInt32BE(0)).to.equal(reply.length - 4)
      const parsed = JSON.parse(reply.subarray(4).toString()) as {code: string; message: string; type: string}
      expect(parsed).to.include({type: 'error', code: 'version'})
      expect(parsed.message).to.match(/version 2/)
    }
  })

  it('refuses handshake messages over 1 KiB', () => {
    const b = side(false)
    const big = Buffer.alloc(2 + 1025)
    big.writeUInt16BE(1025)
    expectCode(ProtocolError, () => b.session.receive(big), 'bad_length')
  })

  it('never throws anything but a ProtocolError on arbitrary bytes, split anywhere (fast-check)', () => {
    fc.assert(
      fc.property(fc.uint8Array({maxLength: 600}), fc.nat(600), fc.boolean(), (bytes, cut, initiator) => {
        const s = side(initiator)
        s.session.start()
        const data = Buffer.from(bytes)
        try {
          s.session.receive(data.subarray(0, cut))
          s.session.receive(data.subarray(cut))
        } catch (error) {
          if (!(error instanceof ProtocolError)) throw error
        }
      }),
      {seed: 7, numRuns: 400},
    )
  })

  it('sealed frames open only in order, under the right keys (fast-check)', () => {
    const a = side(true)
    const b = side(false)
    handshake(a, b)
    fc.assert(
      fc.property(fc.string({maxLength: 200}), (text) => {
        const eve = side(true)
        const mallory = side(false)
        handshake(eve, mallory)
        const frame = a.session.seal(encodeBody({type: 'error', code: 'c', message: text}))
        let foreign: unknown
        try {
          mallory.session.receive(frame)
        } catch (error) {
          foreign = error
        }

        expect(foreign).to.be.instanceOf(ProtocolError)
        expect(decodeFrame(b.session.receive(frame).bodies[0])).to.deep.equal({type: 'error', code: 'c', message: text})
      }),
      {seed: 11, numRuns: 100},
    )
  })
})
