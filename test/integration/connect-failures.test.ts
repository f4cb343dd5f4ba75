// Connection failures in a user's terms: a dialler learns by a stable code (and a sentence) that the other end is
// not a chat node, is in another room, refused or never answered; a listener says the same of who connected to it.
// Real in-process nodes and real fake servers over loopback.
import {expect} from 'chai'
import {createServer as createHttpServer, request} from 'node:http'
import {createServer, type Server} from 'node:net'

import type {ConnectFailure, NodeWarning} from '../../src/p2p/types.js'

import {type ChatNode, ChatNodeError} from '../../src/p2p/node.js'
import {deriveRoomKey} from '../../src/p2p/room.js'
import {catalogs} from '../../src/repl/i18n.js'
import {useNodes} from '../helpers/nodes.js'
import {nextEvent} from '../helpers/wait.js'

describe('connection failures, classified', function () {
  this.timeout(20_000)
  const nodes = useNodes({degree: 0})
  const node = nodes.start.bind(nodes)
  const servers: Array<{close(): unknown}> = []

  afterEach(() => {
    for (const server of servers.splice(0)) server.close()
  })

  async function listen(server: Server | ReturnType<typeof createHttpServer>): Promise<number> {
    servers.push(server)
    await new Promise<void>((resolve) => {
      server.listen(0, '127.0.0.1', resolve)
    })
    return (server.address() as {port: number}).port
  }

  async function dialFailure(from: ChatNode, port: number): Promise<{failure: ConnectFailure; message: string}> {
    try {
      await from.connect('127.0.0.1', port, {persistent: false})
    } catch (error) {
      expect(error).to.be.instanceOf(ChatNodeError)
      const {detail, message} = error as ChatNodeError
      if (detail.code !== 'unreachable') throw new Error(`not an unreachable error: ${message}`)
      return {failure: detail.failure, message}
    }

    throw new Error(`connected to ${port}`)
  }

  it('an SSH server "does not speak the chat protocol" (not a frame length)', async () => {
    const port = await listen(createServer((socket) => socket.end('SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13\r\n')))
    const julia = await node('Julia')
    const {failure, message} = await dialFailure(julia, port)
    expect(failure).to.deep.equal({code: 'not_chat_protocol', direction: 'outbound', host: '127.0.0.1', port})
    expect(message).to.equal(
      `could not reach 127.0.0.1:${port}: it does not speak the chat protocol: check the address and port`,
    )
    expect(message).to.not.match(/frame length/)
    expect(catalogs.en.connectionFailure(failure)).to.equal(
      `127.0.0.1:${port} does not speak the chat protocol: check the address and port.`,
    )
    expect(catalogs.pt.connectionFailure(failure)).to.equal(
      `127.0.0.1:${port} não fala o protocolo do chat: confira o endereço e a porta.`,
    )
  })

  it('an HTTP server is not a room mismatch: it does not speak the chat protocol', async () => {
    const port = await listen(createHttpServer((_req, res) => res.end('hello')))
    const julia = await node('Julia')
    const {failure, message} = await dialFailure(julia, port)
    expect(failure.code).to.equal('not_chat_protocol')
    expect(message).to.not.match(/room secret/)
  })

  it('a node with another secret is a room mismatch, on both sides', async () => {
    const pedro = await node('Pedro', {room: await deriveRoomKey('another long room passphrase')})
    const warned = nextEvent<[NodeWarning]>(pedro, 'warning')
    const julia = await node('Julia')
    const {failure, message} = await dialFailure(julia, pedro.info.port)
    expect(failure).to.deep.equal({
      code: 'room_mismatch',
      direction: 'outbound',
      host: '127.0.0.1',
      port: pedro.info.port,
    })
    expect(message).to.match(/the room secret does not match: check the invite code/)
    const [warning] = await warned
    expect(warning.code).to.equal('room_mismatch')
    expect(warning.failure).to.deep.include({code: 'room_mismatch', direction: 'inbound', host: '127.0.0.1'})
    expect(warning.message).to.match(/^a connection from 127\.0\.0\.1:\d+ used another room secret$/)
    expect(catalogs.pt.connectionFailure(warning.failure!)).to.match(
      /^uma conexão de 127\.0\.0\.1:\d+ usou outro segredo de sala\.$/,
    )
  })

  it('a closed port is refused, and a silent server times out', async () => {
    const julia = await node('Julia', {connection: {handshakeTimeoutMs: 300}})
    const closed = await listen(createServer())
    servers.pop()!.close()
    expect((await dialFailure(julia, closed)).failure).to.deep.equal({
      code: 'refused',
      direction: 'outbound',
      host: '127.0.0.1',
      port: closed,
      errno: 'ECONNREFUSED',
    })
    const silent = await listen(createServer(() => {}))
    expect((await dialFailure(julia, silent)).failure.code).to.equal('timeout')
  })

  it('a listener says an HTTP client "does not speak the chat protocol", by code', async () => {
    const julia = await node('Julia')
    const warned = nextEvent<[NodeWarning]>(julia, 'warning')
    const req = request({host: '127.0.0.1', port: julia.info.port, path: '/'})
    req.on('error', () => {})
    req.end()
    const [warning] = await warned
    expect(warning.code).to.equal('not_chat_protocol')
    expect(warning.message).to.match(/^a connection from 127\.0\.0\.1:\d+ does not speak the chat protocol$/)
    expect(warning.failure).to.deep.include({code: 'not_chat_protocol', direction: 'inbound'})
  })
})
