// Protocol version 2 against real ChatNodes over loopback: what a member, a non-member, an old node and a
// malicious member can and cannot do. The raw clients here speak the protocol with the engine's own SecureSession.
import {expect} from 'chai'
import {createServer, connect as netConnect, type Server, type Socket} from 'node:net'

import type {ChatNode, ChatNodeError} from '../../src/p2p/node.js'
import type {ChatMessage, NodeWarning} from '../../src/p2p/types.js'

import {generateIdentity, type Identity} from '../../src/p2p/identity.js'
import {authorMessage} from '../../src/p2p/message-auth.js'
import {type ChatFrame, encodeBody, type Frame} from '../../src/p2p/protocol.js'
import {deriveRoomKey, PUBLIC_ROOM, type RoomKey} from '../../src/p2p/room.js'
import {SecureSession} from '../../src/p2p/secure-session.js'
import {rejection} from '../helpers/errors.js'
import {useNodes} from '../helpers/nodes.js'
import {nextEvent, waitFor} from '../helpers/wait.js'

/** A hand-driven member of the room: completes the handshake, then sends whatever frames the test wants. */
class RawMember {
  readonly identity: Identity = generateIdentity()
  readonly socket: Socket
  readonly session: SecureSession
  readonly received: Buffer[] = []
  readonly closed: Promise<void>
  readonly established: Promise<void>

  constructor(port: number, room: RoomKey = PUBLIC_ROOM) {
    this.socket = netConnect(port, '127.0.0.1')
    this.socket.on('error', () => {})
    this.session = new SecureSession({
      initiator: true,
      identity: this.identity,
      name: 'Raw',
      listen: {host: '127.0.0.1', port: 1},
      room,
    })
    this.closed = new Promise((resolve) => {
      this.socket.on('close', () => resolve())
    })
    this.established = new Promise((resolve, reject) => {
      this.socket.on('data', (chunk) => {
        this.received.push(chunk)
        try {
          const out = this.session.receive(chunk)
          for (const bytes of out.write) this.socket.write(bytes)
          if (out.established) resolve()
        } catch (error) {
          reject(error)
        }
      })
      this.socket.on('close', () => reject(new Error('closed before the handshake completed')))
    })
    for (const bytes of this.session.start()) this.socket.write(bytes)
  }

  send(frame: Frame): void {
    this.socket.write(this.session.seal(encodeBody(frame)))
  }

  chat(text: string, identity: Identity = this.identity, claimedId = identity.id, seq = 1): ChatFrame {
    return authorMessage(identity, {
      from: {id: claimedId, name: 'Raw', host: '127.0.0.1', port: 1},
      text,
      ts: Date.now(),
      seq,
    }).frame
  }
}

describe('protocol v2 over loopback (in-process nodes)', function () {
  this.timeout(20_000)
  const sockets: Socket[] = []
  const servers: Server[] = []

  afterEach(() => {
    for (const s of sockets) s.destroy()
    for (const s of servers) s.close()
  })
  // Declared after the sockets' hook: raw sockets and servers go first, then the nodes stop.
  const nodes = useNodes()
  const startNode = nodes.start

  function collect<T>(node: ChatNode, event: 'message' | 'warning'): T[] {
    const got: T[] = []
    node.on(event, (value: unknown) => got.push(value as T))
    return got
  }

  it('lets members of a private room chat and refuses non-members on both sides, clearly', async () => {
    const room = await deriveRoomKey('a long and private room passphrase')
    const wrong = await deriveRoomKey('some other long room passphrase')
    const a = await startNode('A', {room})
    const b = await startNode('B', {room})
    await b.connect('127.0.0.1', a.info.port)
    const warnings = collect<NodeWarning>(a, 'warning')
    for (const outsider of [await startNode('C', {room: wrong}), await startNode('D')]) {
      expect((await rejection(outsider.connect('127.0.0.1', a.info.port))).message).to.match(
        /room secret does not match/,
      )

      expect(outsider.peers()).to.have.length(0)
    }

    await waitFor(
      'two refusals at A',
      (recheck) => {
        a.on('warning', recheck)
        return () => a.off('warning', recheck)
      },
      () => warnings.length >= 2 || undefined,
    )
    for (const w of warnings) {
      expect(w.code).to.equal('room_mismatch')
      expect(w.message).to.match(/^a connection from \S+ used another room secret$/)
    }

    const atB = collect<ChatMessage>(b, 'message')
    a.send('members only')
    await waitFor(
      'the message at B',
      (recheck) => {
        b.on('message', recheck)
        return () => b.off('message', recheck)
      },
      () => atB.length === 1 || undefined,
    )
    expect(a.peers().map((p) => p.name)).to.deep.equal(['B'])
  })

  it("answers a non-member's first message with silence: not one byte back", async () => {
    const a = await startNode('A', {room: await deriveRoomKey('a long and private room passphrase')})
    const member = new RawMember(a.info.port) // public room: a non-member here
    sockets.push(member.socket)
    await member.closed
    expect(Buffer.concat(member.received).length).to.equal(0)
  })

  it('drops a forged or altered message and disconnects the hop that sent it', async () => {
    const a = await startNode('A')
    const victim = generateIdentity()
    const member = new RawMember(a.info.port)
    sockets.push(member.socket)
    await member.established
    const messages = collect<ChatMessage>(a, 'message')
    const warned = nextEvent(a, 'warning')
    // Signed with the member's key but claiming the victim's id.
    member.send(member.chat('I am the victim', member.identity, victim.id))
    const [warning] = (await warned) as [NodeWarning]
    expect(warning.code).to.equal('bad_signature')
    await member.closed
    expect(messages).to.have.length(0)

    const second = new RawMember(a.info.port)
    sockets.push(second.socket)
    await second.established
    const good = second.chat('original text')
    second.send({...good, payload: good.payload.replace('original', 'altered!')})
    await second.closed
    expect(messages).to.have.length(0)
  })

  it('shows a signed message re-sent by a member (or relayed back) only once', async () => {
    const a = await startNode('A')
    const b = await startNode('B')
    await b.connect('127.0.0.1', a.info.port)
    const member = new RawMember(a.info.port)
    sockets.push(member.socket)
    await member.established
    const atA = collect<ChatMessage>(a, 'message')
    const atB = collect<ChatMessage>(b, 'message')
    const frame = member.chat('say it once')
    for (let i = 0; i < 5; i++) member.send(frame)
    member.send(member.chat('fence', member.identity, member.identity.id, 2))
    await waitFor(
      'the fence at B',
      (recheck) => {
        b.on('message', recheck)
        return () => b.off('message', recheck)
      },
      () => atB.some((m) => m.text === 'fence') || undefined,
    )
    expect(atA.map((m) => m.text)).to.deep.equal(['say it once', 'fence'])
    expect(atB.map((m) => m.text)).to.deep.equal(['say it once', 'fence'])
    expect(atA[0].from.id).to.equal(member.identity.id)
  })

  it('makes a recorded connection useless when replayed on a new one', async () => {
    const a = await startNode('A')
    const member = new RawMember(a.info.port)
    sockets.push(member.socket)
    const sent: Buffer[] = []
    const write = member.socket.write.bind(member.socket)
    member.socket.write = ((chunk: Buffer) => {
      sent.push(Buffer.from(chunk))
      return write(chunk)
    }) as typeof member.socket.write
    await member.established
    member.send(member.chat('recorded'))
    await nextEvent(a, 'message')
    const messages = collect<ChatMessage>(a, 'message')
    const replay = netConnect(a.info.port, '127.0.0.1')
    sockets.push(replay)
    replay.on('error', () => {})
    replay.resume()
    const warned = nextEvent(a, 'warning')
    replay.write(Buffer.concat(sent))
    await new Promise((resolve) => {
      replay.on('close', resolve)
    })
    await warned
    expect(messages).to.have.length(0)
  })

  it('closes a connection that sends a plaintext frame after the handshake', async () => {
    const a = await startNode('A')
    const member = new RawMember(a.info.port)
    sockets.push(member.socket)
    await member.established
    const warned = nextEvent(a, 'warning')
    const body = encodeBody({type: 'ping', n: 1})
    const frame = Buffer.alloc(2 + body.length)
    frame.writeUInt16BE(body.length)
    body.copy(frame, 2)
    member.socket.write(frame)
    const [warning] = (await warned) as [NodeWarning]
    expect(warning.code).to.equal('decrypt_failed')
    await member.closed
  })

  it('tells a version-1 node why it is refused, and refuses to join one', async () => {
    const a = await startNode('A')
    const old = netConnect(a.info.port, '127.0.0.1')
    sockets.push(old)
    old.on('error', () => {})
    const chunks: Buffer[] = []
    old.on('data', (c) => chunks.push(c))
    const hello = Buffer.from(
      JSON.stringify({type: 'hello', v: 1, id: 'old', name: 'Old', listen: {host: '127.0.0.1', port: 1}}),
    )
    const header = Buffer.alloc(4)
    header.writeUInt32BE(hello.length)
    old.write(Buffer.concat([header, hello]))
    await new Promise((resolve) => {
      old.on('close', resolve)
    })
    const reply = Buffer.concat(chunks)
    expect(JSON.parse(reply.subarray(4).toString())).to.include({type: 'error', code: 'version'})

    // The other way round: a version-1 node speaks first when it accepts a connection.
    const server = createServer((socket) => socket.end(Buffer.concat([header, hello])))
    servers.push(server)
    await new Promise<void>((resolve) => {
      server.listen(0, '127.0.0.1', resolve)
    })
    const {port} = server.address() as {port: number}
    const error = await rejection(a.connect('127.0.0.1', port))
    expect(error.message).to.match(/speaks another version of the chat protocol/)
    expect((error as ChatNodeError).detail)
      .to.deep.include({code: 'unreachable'})
      .and.nested.property('failure.code', 'version')
  })

  it('gives up on a peer that accepts but never answers the handshake', async () => {
    const a = await startNode('A', {connection: {handshakeTimeoutMs: 300}})
    const server = createServer((socket) => {
      socket.on('error', () => {})
      socket.resume()
    })
    servers.push(server)
    await new Promise<void>((resolve) => {
      server.listen(0, '127.0.0.1', resolve)
    })
    const {port} = server.address() as {port: number}
    const error = await rejection(a.connect('127.0.0.1', port))
    expect(error.message).to.match(/no answer to the handshake within 300 ms/)
    expect((error as ChatNodeError).detail)
      .to.deep.include({code: 'unreachable'})
      .and.nested.property('failure.code', 'timeout')
  })
})
