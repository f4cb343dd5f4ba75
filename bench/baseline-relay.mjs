#!/usr/bin/env node
// @ts-check
// The baseline: the least a relay can do on this machine. Plain `net`, the chat's framing (uint16 BE length ‖ bytes),
// no crypto, no signatures, no JSON on the wire, no seen-cache, no queue. It is plain JavaScript on purpose, so it
// runs without a loader, as a real deployment of it would.
//
//   node bench/baseline-relay.mjs --graph FILE --index K
//
// FILE is JSON {ports: number[], adj: number[][]} (the same graph the chat nodes form). Without a seen-cache, a
// flood would loop in a ring and multiply in a mesh, so a message travels along the breadth-first tree rooted at its
// origin (each node forwards only to its children in that tree: "direction"), and carries a hop budget (TTL) as a
// second guard. Every node therefore receives each message exactly once, by a shortest path: the ideal flood.
//
// stdin, one line at a time (like `chat start --json`): `/connect` dials every neighbour with a smaller index,
// `/quit` leaves, any other line is a message. stdout, one JSON object a line: ready, peers, message.

import {readFileSync} from 'node:fs'
import {createConnection, createServer} from 'node:net'
import {createInterface} from 'node:readline'

const HELLO = 0
const DATA = 1

/** @param {string} name */
function arg(name) {
  const i = process.argv.indexOf(name)
  if (i < 0 || i + 1 >= process.argv.length) throw new Error(`missing ${name}`)
  return process.argv[i + 1]
}

/** @type {{ports: number[], adj: number[][]}} */
const graph = JSON.parse(readFileSync(arg('--graph'), 'utf8'))
const self = Number(arg('--index'))
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

/** @param {unknown} event */
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
  socket.setNoDelay(true)
  let remote = known
  /** @type {Buffer | undefined} */
  let pending
  if (remote >= 0) register(remote, socket)
  socket.on('error', () => socket.destroy())
  socket.on('close', () => {
    if (remote >= 0 && peers.get(remote) === socket) {
      peers.delete(remote)
      print({event: 'peers', count: peers.size})
    }
  })
  socket.on('data', (chunk) => {
    let buf = pending ? Buffer.concat([pending, chunk]) : chunk
    let at = 0
    while (buf.length - at >= 2) {
      const length = buf.readUInt16BE(at)
      if (buf.length - at - 2 < length) break
      const start = at
      at += 2 + length
      const type = buf[start + 2]
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

function connectAll() {
  for (const w of graph.adj[self]) {
    if (w >= self) continue
    const socket = createConnection({host: '127.0.0.1', port: graph.ports[w]})
    socket.once('connect', () => {
      const hello = Buffer.alloc(2)
      hello.writeUInt16BE(self, 0)
      socket.write(frame(HELLO, hello))
    })
    attach(socket, w)
  }
}

/** @param {string} text */
function originate(text) {
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
