// The mDNS records of a chat node: what is announced, and reading it back through real DNS wire encoding.
import {expect} from 'chai'
import dnsPacket, {type Answer} from 'dns-packet'

import {announcement, asksForUs, instanceName, readSightings, SERVICE_TYPE} from '../../src/discovery/records.js'
import {deriveRoomKey, PUBLIC_ROOM} from '../../src/p2p/room.js'

const ID = 'HJANKGn8JXrEvpXUKsYsZBJwaUhuRiX047Ic6vEEzUo'
const ROOM = PUBLIC_ROOM.roomId

/** Encodes and decodes a response as the network would (TXT strings come back as Buffers, names as sent). */
function overTheWire(answers: Answer[]): Answer[] {
  const decoded = dnsPacket.decode(dnsPacket.encode({type: 'response', answers}))
  return [...(decoded.answers ?? []), ...(decoded.additionals ?? [])]
}

describe('discovery: records', () => {
  it('announces PTR, SRV, TXT (version, room id, node id, port) and A for an IPv4 listener', () => {
    const records = announcement({id: ID, host: '192.168.1.20', port: 5000, roomId: ROOM})
    const byType = Object.fromEntries(records.map((r) => [r.type, r as Answer & {data: unknown; ttl?: number}]))
    expect(byType.PTR).to.include({name: SERVICE_TYPE, data: instanceName(ID)})
    expect(byType.SRV.data).to.deep.equal({port: 5000, target: instanceName(ID).replace(`.${SERVICE_TYPE}`, '.local')})
    expect(byType.TXT.data).to.deep.equal(['v=1', `room=${ROOM}`, `id=${ID}`, 'port=5000'])
    expect(byType.A.data).to.equal('192.168.1.20')
    expect(records.every((r) => (r as {ttl?: number}).ttl === 120)).to.equal(true)
  })

  it('never publishes the secret or the room key, only the room id', async () => {
    const secret = 'correct horse battery staple, but longer'
    const room = await deriveRoomKey(secret)
    const wire = Buffer.from(
      dnsPacket.encode({
        type: 'response',
        answers: announcement({id: ID, host: '10.0.0.1', port: 5000, roomId: room.roomId}),
      }),
    )
    expect(wire.includes(Buffer.from(secret))).to.equal(false)
    expect(wire.includes(room.key)).to.equal(false)
    expect(wire.includes(Buffer.from(room.key.toString('hex')))).to.equal(false)
    expect(wire.includes(Buffer.from(room.key.toString('base64url')))).to.equal(false)
    expect(wire.includes(Buffer.from(`room=${room.roomId}`))).to.equal(true)
  })

  it('reads an announcement back after a round trip through the DNS wire format', () => {
    const sightings = readSightings(
      overTheWire(announcement({id: ID, host: '192.168.1.20', port: 5000, roomId: ROOM})),
      '192.168.1.20',
    )
    expect(sightings).to.deep.equal([{id: ID, host: '192.168.1.20', port: 5000, roomId: ROOM, ttl: 120}])
  })

  it('uses the source address for a wildcard listener, and a goodbye has TTL 0', () => {
    const records = overTheWire(announcement({id: ID, host: '0.0.0.0', port: 5001, roomId: ROOM}, 0))
    expect(records.some((r) => r.type === 'A')).to.equal(false)
    expect(readSightings(records, '192.168.1.33')).to.deep.equal([
      {id: ID, host: '192.168.1.33', port: 5001, roomId: ROOM, ttl: 0},
    ])
  })

  it('keeps a host name, and skips a loopback address heard from another machine', () => {
    const named = overTheWire(announcement({id: ID, host: 'julia.local', port: 5000, roomId: ROOM}))
    expect(readSightings(named, '192.168.1.5')[0].host).to.equal('julia.local')
    const loopback = overTheWire(announcement({id: ID, host: '127.0.0.1', port: 5000, roomId: ROOM}))
    expect(readSightings(loopback, '192.168.1.5')).to.deep.equal([])
    expect(readSightings(loopback, '127.0.0.1')[0].host).to.equal('127.0.0.1')
  })

  it('skips records that are not a chat node: other services, other versions, bad fields, a TXT under another name', () => {
    const good = announcement({id: ID, host: '10.0.0.1', port: 5000, roomId: ROOM})
    const txt = (data: string[], name = instanceName(ID)): Answer => ({name, type: 'TXT', data})
    const cases: Answer[][] = [
      [{name: 'printer._ipp._tcp.local', type: 'TXT', data: ['v=1', `room=${ROOM}`, `id=${ID}`, 'port=5000']}],
      [txt(['v=2', `room=${ROOM}`, `id=${ID}`, 'port=5000'])],
      [txt(['v=1', 'room=nothex', `id=${ID}`, 'port=5000'])],
      [txt(['v=1', `room=${ROOM}`, `id=${ID}`, 'port=70000'])],
      [txt(['v=1', `room=${ROOM}`, 'port=5000'])],
      [txt(['v=1', `room=${ROOM}`, `id=${ID}`, 'port=5000'], instanceName('someone-else'))],
      [{name: instanceName(ID), type: 'TXT', data: Buffer.from([0xff, 0x00])}],
    ]
    for (const records of cases)
      expect(readSightings(overTheWire(records), '10.0.0.1'), JSON.stringify(records)).to.deep.equal([])
    expect(readSightings(overTheWire(good), '10.0.0.1')).to.have.length(1)
  })

  it('answers queries for the service type (PTR or ANY) and for its own instance only', () => {
    expect(asksForUs([{name: SERVICE_TYPE, type: 'PTR'}], ID)).to.equal(true)
    expect(asksForUs([{name: SERVICE_TYPE.toUpperCase(), type: 'ANY'}], ID)).to.equal(true)
    expect(asksForUs([{name: instanceName(ID), type: 'SRV'}], ID)).to.equal(true)
    expect(asksForUs([{name: '_http._tcp.local', type: 'PTR'}], ID)).to.equal(false)
    expect(asksForUs([{name: instanceName('other'), type: 'SRV'}], ID)).to.equal(false)
  })
})
