// The DNS-SD records a chat node announces over mDNS, and reading them back. Pure functions: no sockets.
//
// One node is one service instance of `_chat._tcp.local`:
//   PTR  _chat._tcp.local               → chat-<h>._chat._tcp.local
//   SRV  chat-<h>._chat._tcp.local      → port, target chat-<h>.local
//   TXT  chat-<h>._chat._tcp.local      → v=1, room=<room id>, id=<node id>, port=<port>[, host=<name>]
//   A    chat-<h>.local                 → the listening IPv4 address (AAAA for IPv6; none for a wildcard)
// where <h> is 16 hex digits of SHA-256(node id): DNS names compare case-insensitively and a base64url id does not.
// The room id (RoomKey.roomId) is a hash of the room key, never the secret. The node's name is not published:
// in a private room names travel encrypted, and the LAN need not learn them.

import type {Answer} from 'dns-packet'

import crypto from 'node:crypto'
import {isIP} from 'node:net'

import {isLoopback} from '../p2p/address.js'

export const SERVICE_TYPE = '_chat._tcp.local'
export const DISCOVERY_VERSION = '1'
/** Seconds a record stays valid for others; we announce again long before (every query answers). */
export const RECORD_TTL_S = 120
const ROOM_ID = /^[0-9a-f]{64}$/
const MAX_ID_CHARS = 128
const MAX_HOST_CHARS = 255

/** What a node publishes about itself. */
export interface Announced {
  /** The node id (Ed25519 public key, base64url). */
  id: string
  /** The listening address as the node was started with it: an IP, a name, or a wildcard (0.0.0.0, ::). */
  host: string
  port: number
  roomId: string
}

/** A node read from the network. `ttl` 0 means it said goodbye. */
export interface Sighting {
  id: string
  /** Where to connect: the announced address, or the packet's source address for a wildcard announcement. */
  host: string
  port: number
  roomId: string
  ttl: number
}

export function instanceLabel(id: string): string {
  return `chat-${crypto.createHash('sha256').update(id, 'utf8').digest('hex').slice(0, 16)}`
}

export function instanceName(id: string): string {
  return `${instanceLabel(id)}.${SERVICE_TYPE}`
}

export function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === ''
}

/** The records of an announcement (ttl 0: a goodbye). */
export function announcement(self: Announced, ttl = RECORD_TTL_S): Answer[] {
  const label = instanceLabel(self.id)
  const instance = `${label}.${SERVICE_TYPE}`
  const target = `${label}.local`
  const txt = [`v=${DISCOVERY_VERSION}`, `room=${self.roomId}`, `id=${self.id}`, `port=${self.port}`]
  const family = isIP(self.host)
  if (family === 0 && !isWildcard(self.host)) txt.push(`host=${self.host}`)
  const records: Answer[] = [
    {name: SERVICE_TYPE, type: 'PTR', ttl, data: instance},
    {name: instance, type: 'SRV', ttl, data: {port: self.port, target}},
    {name: instance, type: 'TXT', ttl, data: txt},
  ]
  if (family === 4 && !isWildcard(self.host)) records.push({name: target, type: 'A', ttl, data: self.host})
  if (family === 6 && !isWildcard(self.host)) records.push({name: target, type: 'AAAA', ttl, data: self.host})
  return records
}

/** True when a query asks for chat services (or for this very instance). */
export function asksForUs(questions: ReadonlyArray<{name: string; type: string}>, id: string): boolean {
  const own = instanceName(id).toLowerCase()
  return questions.some((q) => {
    const name = q.name.toLowerCase()
    return (name === SERVICE_TYPE && (q.type === 'PTR' || q.type === 'ANY')) || name === own
  })
}

/**
 * The chat nodes announced in a response's records (answers and additionals together). Records that are not ours,
 * malformed or of another discovery version are skipped. `source` is the address the packet came from.
 */
export function readSightings(records: ReadonlyArray<Answer>, source: string): Sighting[] {
  const addresses = new Map<string, string>()
  for (const record of records) {
    if ((record.type === 'A' || record.type === 'AAAA') && typeof record.data === 'string') {
      addresses.set(record.name.toLowerCase(), record.data)
    }
  }

  const targets = new Map<string, string>()
  for (const record of records) {
    if (record.type === 'SRV') targets.set(record.name.toLowerCase(), record.data.target.toLowerCase())
  }

  const sightings: Sighting[] = []
  for (const record of records) {
    if (record.type !== 'TXT' || !record.name.toLowerCase().endsWith(`.${SERVICE_TYPE}`)) continue
    const txt = readTxt(record.data)
    if (txt.get('v') !== DISCOVERY_VERSION) continue
    const id = txt.get('id') ?? ''
    const roomId = txt.get('room') ?? ''
    const port = Number(txt.get('port'))
    if (
      id === '' ||
      id.length > MAX_ID_CHARS ||
      !ROOM_ID.test(roomId) ||
      !Number.isInteger(port) ||
      port < 1 ||
      port > 65_535
    )
      continue
    if (record.name.toLowerCase() !== instanceName(id).toLowerCase()) continue // a TXT naming another node's instance

    const target = targets.get(record.name.toLowerCase())
    const announced = txt.get('host') ?? (target === undefined ? undefined : addresses.get(target))
    const host = chooseHost(announced, source)
    if (host === undefined) continue
    sightings.push({id, host, port, roomId, ttl: record.ttl ?? RECORD_TTL_S})
  }

  return sightings
}

/**
 * Where to connect. No usable address announced (a wildcard listener): the packet's source. A loopback address
 * from another machine is unreachable from here (the node listens on its own loopback only): skipped.
 */
function chooseHost(announced: string | undefined, source: string): string | undefined {
  if (announced === undefined || announced.length > MAX_HOST_CHARS || isWildcard(announced)) return source || undefined
  if (isLoopback(announced) && !isLoopback(source)) return undefined
  return announced
}

function readTxt(data: unknown): Map<string, string> {
  const entries = new Map<string, string>()
  const items = Array.isArray(data) ? data : [data]
  for (const item of items) {
    const text = Buffer.isBuffer(item) ? item.toString('utf8') : typeof item === 'string' ? item : ''
    const eq = text.indexOf('=')
    if (eq <= 0) continue
    const key = text.slice(0, eq).toLowerCase()
    if (!entries.has(key)) entries.set(key, text.slice(eq + 1)) // RFC 6763 6.4: the first occurrence wins
  }

  return entries
}
