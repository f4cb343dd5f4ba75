// The one validation path for signed, flooded payloads: validateSigned (every kind, its own prefix, the hook before
// the signature) and SignedIntake (what happens after the verdict: seen-cache, own messages, author rate, reject).

import {expect} from 'chai'

import type {PeerConnection} from '../../src/p2p/connection.js'

import {SeenCache} from '../../src/p2p/flood.js'
import {generateIdentity} from '../../src/p2p/identity.js'
import {SignedIntake} from '../../src/p2p/intake.js'
import {messageId, signFrame, validateSigned} from '../../src/p2p/message-auth.js'
import {encodeAnnouncePayload, encodeChatPayload, type ProtocolError} from '../../src/p2p/protocol.js'
import {KeyedRateLimiter} from '../../src/p2p/rate-limit.js'

const alice = generateIdentity()
const self = generateIdentity()
const node = (id: string, name: string): {host: string; id: string; name: string; port: number} => ({
  id,
  name,
  host: '127.0.0.1',
  port: 5000,
})
const DM_KEY = 'A'.repeat(43)

function announce(identity = alice, seq = 1): {payload: string; sig: string} {
  return signFrame(
    identity,
    'announce',
    encodeAnnouncePayload({from: node(identity.id, 'x'), dmKey: DM_KEY, ts: Date.now(), seq}),
  )
}

/** A stand-in for the hop: records the errors it was rejected with. */
function hop(): {conn: PeerConnection; rejected: string[]} {
  const rejected: string[] = []
  return {conn: {reject: (error: ProtocolError) => rejected.push(error.code)} as unknown as PeerConnection, rejected}
}

describe('validateSigned', () => {
  it('checks each kind against its own signature prefix: an announcement signed as a dm is forged', () => {
    const genuine = announce()
    const asDm = {payload: genuine.payload, sig: signFrame(alice, 'dm', genuine.payload).sig}
    const context = {now: Date.now(), seen: new SeenCache()}
    expect(validateSigned('announce', genuine, context).outcome).to.equal('accept')
    const v = validateSigned('announce', asDm, context)
    expect(v.outcome === 'reject' && v.error.code).to.equal('bad_signature')
  })

  it('asks beforeSignature after the cheap checks only, and ignores the payload when it says no', () => {
    const asked: string[] = []
    const forged = {...announce(), sig: announce(generateIdentity()).sig}
    const seen = new SeenCache()
    const budget = (): boolean => {
      asked.push('asked')
      return false
    }

    expect(validateSigned('announce', forged, {now: Date.now(), seen, beforeSignature: budget})).to.deep.equal({
      outcome: 'ignore',
      why: 'over_budget',
    })
    seen.add(messageId(forged.payload))
    expect(validateSigned('announce', forged, {now: Date.now(), seen, beforeSignature: budget})).to.deep.equal({
      outcome: 'ignore',
      why: 'duplicate',
    })
    expect(asked).to.have.length(1)
  })
})

describe('SignedIntake', () => {
  it('adds an accepted id to the seen-cache and tells new, own and duplicate apart', () => {
    const seen = new SeenCache()
    const intake = new SignedIntake({selfId: self.id, seen, authorLimiter: new KeyedRateLimiter(100, 100)})
    const {conn} = hop()
    const theirs = announce()
    expect(intake.receive(conn, 'announce', theirs).status).to.equal('new')
    expect(seen.has(messageId(theirs.payload))).to.equal(true)
    expect(intake.receive(conn, 'announce', theirs).status).to.equal('dropped')
    expect(intake.receive(conn, 'announce', announce(self)).status).to.equal('own')
  })

  it('drops an author over its rate, unless told not to count it (history)', () => {
    const intake = new SignedIntake({
      selfId: self.id,
      seen: new SeenCache(),
      authorLimiter: new KeyedRateLimiter(0.001, 1),
    })
    const {conn} = hop()
    expect(intake.receive(conn, 'announce', announce(alice, 1)).status).to.equal('new')
    expect(intake.receive(conn, 'announce', announce(alice, 2)).status).to.equal('dropped')
    expect(intake.receive(conn, 'announce', announce(alice, 3), {rateLimit: false}).status).to.equal('new')
  })

  it('rejects the hop that sent a forged payload, telling onReject first', () => {
    const penalties: string[] = []
    const intake = new SignedIntake({
      selfId: self.id,
      seen: new SeenCache(),
      authorLimiter: new KeyedRateLimiter(100, 100),
      onReject: (_conn, error) => penalties.push(error.code),
    })
    const {conn, rejected} = hop()
    const payload = encodeChatPayload({from: node(alice.id, 'Alice'), text: 'hi', ts: Date.now(), seq: 1})
    const forged = signFrame(generateIdentity(), 'chat', payload)
    expect(intake.receive(conn, 'chat', forged).status).to.equal('rejected')
    expect(penalties).to.deep.equal(['bad_signature'])
    expect(rejected).to.deep.equal(['bad_signature'])
  })
})
