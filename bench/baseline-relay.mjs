#!/usr/bin/env node
// @ts-check
// The baseline: the least a relay can do on this machine. Plain `net`, the chat's framing (uint16 BE length ‖ bytes),
// no crypto, no signatures, no JSON on the wire, no seen-cache, no queue. It is plain JavaScript on purpose, so it
// runs without a loader, as a real deployment of it would.
//
//   node bench/baseline-relay.mjs --graph FILE --index K [--crypto]
//
// --crypto is the floor: the least the chat's security design needs per hop, and nothing else (issue 16). The author
// signs once (Ed25519 over origin ‖ sequence ‖ text, its raw public key in the message; a hop caches one KeyObject
// per author key); every link frame is sealed with ChaCha20-Poly1305 under a per-direction key from an X25519
// exchange in the hellos, with a counter nonce; a message floods to every neighbour but the one it came from, and a
// bounded seen-set of ids (origin ‖ sequence) drops the copies, as the chat's seen-cache does; a hop verifies the
// signature of a new id before it forwards or shows it. No JSON on the wire, no queue, no timers.
//
// FILE is JSON {ports: number[], adj: number[][]} (the same graph the chat nodes form). Without a seen-cache, a
// flood would loop in a ring and multiply in a mesh, so a message travels along the breadth-first tree rooted at its
// origin (each node forwards only to its children in that tree: "direction"), and carries a hop budget (TTL) as a
// second guard. Every node therefore receives each message exactly once, by a shortest path: the ideal flood.
//
// stdin, one line at a time (like `chat start --json`): `/connect` dials every neighbour with a smaller index,
// `/quit` leaves, any other line is a message. stdout, one JSON object a line: ready, peers, message.

import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  sign,
  verify,
} from 'node:crypto'
import {readFileSync} from 'node:fs'
import {createConnection, createServer} from 'node:net'
import {createInterface} from 'node:readline'

const HELLO = 0
const DATA = 1

/** @param {string} name the flag (e.g. --port) whose value follows it on the command line */
function arg(name) {
  const i = process.argv.indexOf(name)
  if (i === -1 || i + 1 >= process.argv.length) throw new Error(`missing ${name}`)
  return process.argv[i + 1]
}

/** @type {{ports: number[], adj: number[][]}} */
const graph = JSON.parse(readFileSync(arg('--graph'), 'utf8'))
const self = Number(arg('--index'))
const crypto = process.argv.includes('--crypto')
const n = graph.ports.length
const port = graph.ports[self]

/** children[o]: the neighbours this node forwards to for messages that started at node o (BFS tree rooted at o). */
const children = Array.from({length: n}, (_, origin) => {
  const parent = Array.from({length: n}, () => -1)
  const seen = Array.from({length: n}, () => false)
  seen[origin] = true
  const queue = [origin]
  for (let head = 0; head < queue.length; head++) {
    const v = queue[head]
    for (const w of graph.adj[v]) {
      if (seen[w]) continue
      seen[w] = true
      parent[w] = v
      queue.push(w)
    }
  }

  return graph.adj[self].filter((w) => parent[w] === self)
})

/** @type {Map<number, import('node:net').Socket>} neighbour index → socket */
const peers = new Map()

/** @param {unknown} event one JSON line for the bench runner */
function print(event) {
  process.stdout.write(JSON.stringify(event) + '\n')
}

/** @param {number} type @param {Buffer} body */
function frame(type, body) {
  const out = Buffer.allocUnsafe(3 + body.length)
  out.writeUInt16BE(1 + body.length, 0)
  out[2] = type
  body.copy(out, 3)
  return out
}

/** @param {Buffer} bytes a whole DATA frame (header included), its TTL already decremented @param {number} origin */
function forward(bytes, origin) {
  for (const w of children[origin]) peers.get(w)?.write(bytes)
}

/** @param {import('node:net').Socket} socket @param {number} known the neighbour's index, or −1 until its hello */
function attach(socket, known) {
  if (crypto) {
    attachSealed(socket, known)
    return
  }

  socket.setNoDelay(true)
  let remote = known
  if (remote >= 0) register(remote, socket)
  socket.on('error', () => socket.destroy())
  socket.on('close', () => {
    if (remote >= 0 && peers.get(remote) === socket) {
      peers.delete(remote)
      print({event: 'peers', count: peers.size})
    }
  })
  readFrames(socket, (type, buf, start, at) => {
    if (type === HELLO) {
      remote = buf.readUInt16BE(start + 3)
      register(remote, socket)
    } else if (type === DATA) {
      const ttl = buf[start + 3]
      const origin = buf.readUInt16BE(start + 4)
      if (ttl > 1 && origin < n) {
        const bytes = buf.subarray(start, at)
        bytes[3] = ttl - 1
        forward(bytes, origin)
      }

      print({event: 'message', from: origin, text: buf.toString('utf8', start + 6, at)})
    }

    return true
  })
}

/**
 * Calls `handle(type, buf, start, end)` for every whole frame the socket delivers (uint16 BE length ‖ type ‖ body,
 * the frame at buf[start, end)); `handle` returns false once it has destroyed the socket.
 * @param {import('node:net').Socket} socket
 * @param {(type: number, buf: Buffer, start: number, end: number) => boolean} handle
 */
function readFrames(socket, handle) {
  /** @type {Buffer | undefined} */
  let pending
  socket.on('data', (chunk) => {
    const buf = pending ? Buffer.concat([pending, chunk]) : chunk
    let at = 0
    while (buf.length - at >= 2) {
      const length = buf.readUInt16BE(at)
      if (buf.length - at - 2 < length) break
      const start = at
      at += 2 + length
      if (!handle(buf[start + 2], buf, start, at)) return
    }

    pending = at < buf.length ? buf.subarray(at) : undefined
  })
}

/** @param {number} index @param {import('node:net').Socket} socket */
function register(index, socket) {
  peers.set(index, socket)
  print({event: 'peers', count: peers.size})
}

const server = createServer((socket) => attach(socket, -1))
server.listen({host: '127.0.0.1', port}, () => print({event: 'ready', index: self, port}))

/** index ‖ (floor) this node's X25519 public key */
function hello() {
  const index = Buffer.alloc(2)
  index.writeUInt16BE(self, 0)
  return frame(HELLO, crypto ? Buffer.concat([index, linkKeys.raw]) : index)
}

function connectAll() {
  for (const w of graph.adj[self]) {
    if (w >= self) continue
    const socket = createConnection({host: '127.0.0.1', port: graph.ports[w]})
    socket.once('connect', () => socket.write(hello()))
    attach(socket, w)
  }
}

// ---- the floor (--crypto) ----

const TAG_BYTES = 16
const SIG_BYTES = 64
const KEY_BYTES = 32
/** The seen-set's bound (the chat's seen-cache keeps 100,000 ids). */
const SEEN_MAX = 100_000
/** DER prefix of an Ed25519 SubjectPublicKeyInfo: prefix ‖ 32 raw bytes. */
const ED25519_SPKI = Buffer.from('302a300506032b6570032100', 'hex')
const X25519_SPKI = Buffer.from('302a300506032b656e032100', 'hex')

const signing = generateKeyPairSync('ed25519')
const signingRaw = signing.publicKey.export({format: 'der', type: 'spki'}).subarray(ED25519_SPKI.length)
const link = generateKeyPairSync('x25519')
const linkKeys = {
  private: link.privateKey,
  raw: link.publicKey.export({format: 'der', type: 'spki'}).subarray(X25519_SPKI.length),
}
/** @type {Map<string, import('node:crypto').KeyObject>} an author's raw key (latin1) → its parsed key, parsed once */
const authorKeys = new Map()
/** @type {Set<number>} ids seen: origin × 2³² + sequence; insertion order makes the oldest the first */
const seen = new Set()
let sequence = 0

/** @typedef {{socket: import('node:net').Socket, sendKey: Buffer, recvKey: Buffer, sendNonce: bigint, recvNonce: bigint}} SealedLink */
/** @type {Map<number, SealedLink>} neighbour index → its sealed link */
const links = new Map()

/** @param {bigint} counter */
function nonce(counter) {
  const out = Buffer.alloc(12)
  out.writeBigUInt64BE(counter, 4)
  return out
}

/** @param {SealedLink} l @param {Buffer} plain a DATA frame's plaintext @returns {Buffer} the whole frame */
function seal(l, plain) {
  const cipher = createCipheriv('chacha20-poly1305', l.sendKey, nonce(l.sendNonce++), {authTagLength: TAG_BYTES})
  const out = Buffer.allocUnsafe(3 + plain.length + TAG_BYTES)
  out.writeUInt16BE(1 + plain.length + TAG_BYTES, 0)
  out[2] = DATA
  cipher.update(plain).copy(out, 3)
  cipher.final()
  cipher.getAuthTag().copy(out, 3 + plain.length)
  return out
}

/** @param {SealedLink} l @param {Buffer} body ciphertext ‖ tag @returns {Buffer | undefined} the plaintext; undefined if forged */
function open(l, body) {
  if (body.length < TAG_BYTES) return undefined
  const decipher = createDecipheriv('chacha20-poly1305', l.recvKey, nonce(l.recvNonce++), {authTagLength: TAG_BYTES})
  decipher.setAuthTag(body.subarray(body.length - TAG_BYTES))
  const plain = decipher.update(body.subarray(0, body.length - TAG_BYTES))
  try {
    decipher.final()
  } catch {
    return undefined
  }

  return plain
}

/** @param {number} from @param {number} to @param {Buffer} shared */
function directionKey(from, to, shared) {
  return createHash('sha256').update(`floor link ${from}>${to}`).update(shared).digest()
}

/** @param {import('node:net').Socket} socket @param {number} known the neighbour's index, or −1 until its hello */
function attachSealed(socket, known) {
  socket.setNoDelay(true)
  let remote = known
  /** @type {SealedLink | undefined} */
  let l
  socket.on('error', () => socket.destroy())
  socket.on('close', () => {
    if (remote >= 0 && links.get(remote)?.socket === socket) {
      links.delete(remote)
      print({event: 'peers', count: links.size})
    }
  })
  readFrames(socket, (type, buf, start, at) => {
    if (type === HELLO && !l && at - start === 3 + 2 + KEY_BYTES) {
      const index = buf.readUInt16BE(start + 3)
      if (known >= 0 && index !== known) {
        socket.destroy()
        return false
      }

      if (known < 0) socket.write(hello()) // the acceptor answers with its own key
      remote = index
      const peerKey = createPublicKey({
        key: Buffer.concat([X25519_SPKI, buf.subarray(start + 5, at)]),
        format: 'der',
        type: 'spki',
      })
      const shared = diffieHellman({privateKey: linkKeys.private, publicKey: peerKey})
      l = {
        socket,
        sendKey: directionKey(self, remote, shared),
        recvKey: directionKey(remote, self, shared),
        sendNonce: 0n,
        recvNonce: 0n,
      }
      links.set(remote, l)
      print({event: 'peers', count: links.size})
    } else if (type === DATA && l) {
      const plain = open(l, buf.subarray(start + 3, at))
      if (!plain) {
        socket.destroy() // a forged or reordered frame: the link is not trusted any more
        return false
      }

      receive(plain, remote)
    }

    return true
  })
}

// A message's plaintext: signature (64) ‖ author key (32) ‖ origin (uint16) ‖ sequence (uint32) ‖ text; the signature
// covers everything after it.
const SIGNED_AT = SIG_BYTES
const ORIGIN_AT = SIG_BYTES + KEY_BYTES
const TEXT_AT = ORIGIN_AT + 6

/** @param {Buffer} plain @param {number} from the neighbour it came from */
function receive(plain, from) {
  if (plain.length < TEXT_AT) return
  const origin = plain.readUInt16BE(ORIGIN_AT)
  const id = origin * 2 ** 32 + plain.readUInt32BE(ORIGIN_AT + 2)
  if (seen.has(id)) return // a copy from another path: decrypted, not verified again
  const authorRaw = plain.toString('latin1', SIGNED_AT, ORIGIN_AT)
  let key = authorKeys.get(authorRaw)
  if (!key) {
    key = createPublicKey({
      key: Buffer.concat([ED25519_SPKI, plain.subarray(SIGNED_AT, ORIGIN_AT)]),
      format: 'der',
      type: 'spki',
    })
    authorKeys.set(authorRaw, key)
  }

  if (!verify(null, plain.subarray(SIGNED_AT), key, plain.subarray(0, SIG_BYTES))) return
  remember(id)
  for (const [w, l] of links) if (w !== from) l.socket.write(seal(l, plain))
  print({event: 'message', from: origin, text: plain.toString('utf8', TEXT_AT)})
}

/** @param {number} id the message's id, kept until SEEN_MAX newer ones push it out */
function remember(id) {
  seen.add(id)
  // A Set iterates in insertion order: its first value is the oldest.
  if (seen.size > SEEN_MAX) seen.delete(/** @type {number} */ (seen.values().next().value))
}

/** @param {string} text */
function originateSigned(text) {
  const body = Buffer.from(text, 'utf8')
  const plain = Buffer.allocUnsafe(TEXT_AT + body.length)
  signingRaw.copy(plain, SIGNED_AT)
  plain.writeUInt16BE(self, ORIGIN_AT)
  const seq = sequence++
  plain.writeUInt32BE(seq, ORIGIN_AT + 2)
  body.copy(plain, TEXT_AT)
  sign(null, plain.subarray(SIGNED_AT), signing.privateKey).copy(plain, 0)
  remember(self * 2 ** 32 + seq)
  for (const l of links.values()) l.socket.write(seal(l, plain))
  print({event: 'sent', text})
}

/** @param {string} text */
function originate(text) {
  if (crypto) {
    originateSigned(text)
    return
  }

  const header = Buffer.alloc(3)
  header[0] = Math.min(255, n) // TTL: no shortest path is longer than n − 1 hops
  header.writeUInt16BE(self, 1)
  const bytes = frame(DATA, Buffer.concat([header, Buffer.from(text, 'utf8')]))
  for (const w of graph.adj[self]) peers.get(w)?.write(bytes)
  print({event: 'sent', text})
}

function quit() {
  server.close()
  for (const socket of peers.values()) socket.end()
  for (const l of links.values()) l.socket.end()
  setTimeout(() => process.exit(0), 200).unref()
}

const lines = createInterface({input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY, terminal: false})
lines.on('line', (line) => {
  if (line === '/connect') connectAll()
  else if (line === '/quit') quit()
  else if (line.length > 0) originate(line)
})
process.on('SIGTERM', quit)
process.on('SIGINT', quit)
