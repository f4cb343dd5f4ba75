// `chat send`: one message into a running network, confirmed, then exit; and the failures a cron job must notice.
import {expect} from 'chai'
import {createServer, type Server} from 'node:net'
import {join} from 'node:path'
import {PassThrough} from 'node:stream'

import type {ChatNode} from '../../src/p2p/node.js'
import type {ChatMessage, PeerLeft} from '../../src/p2p/types.js'

import {saveLastName} from '../../src/identity/last-name.js'
import {deriveRoomKey} from '../../src/p2p/room.js'
import {Repl} from '../../src/repl/repl.js'
import {freePort, runChat, tempDir} from '../helpers/cli.js'
import {useNodes} from '../helpers/nodes.js'
import {nextEvent} from '../helpers/wait.js'

/** oclif wraps an error to the terminal's width, with ` ›` at the start of every line: one line again. */
const unwrap = (stderr: string): string =>
  stderr
    .replaceAll(/\s*\n\s*(›\s*)?/g, ' ')
    .replace(/^\s*›\s*/, '')
    .trim()

describe('chat send', function () {
  this.timeout(30_000)
  const servers: Server[] = []

  afterEach(async () => {
    for (const server of servers.splice(0)) server.close()
  })

  const nodes = useNodes()
  const node = async (name: string, options: {secret?: string} = {}): Promise<ChatNode> =>
    nodes.start(name, {room: await deriveRoomKey(options.secret)})

  it('delivers one message through the node it joins to the whole network, then exits 0', async () => {
    const julia = await node('Julia')
    const pedro = await node('Pedro')
    await pedro.connect('127.0.0.1', julia.info.port)
    const atPedro = nextEvent<[ChatMessage]>(pedro, 'message', (m) => m.text === 'build 421 passed')
    const left = nextEvent<[PeerLeft]>(julia, 'peer_left', (p) => p.name === 'ci')

    const result = await runChat(['send', '--join', `127.0.0.1:${julia.info.port}`, '--name', 'ci', 'build 421 passed'])
    expect(result.code, result.stderr).to.equal(0)
    expect(result.stdout).to.equal(`delivered to Julia (127.0.0.1:${julia.info.port})`)
    const [message] = await atPedro // relayed by Julia
    expect(message.from.name).to.equal('ci')
    const [peer] = await left
    expect(peer.reason).to.equal('quit') // it left politely
  })

  it('prints one JSON object with --json, and one confirming peer is enough', async () => {
    const julia = await node('Julia')
    const dead = await freePort()
    const result = await runChat([
      'send',
      '-j',
      `127.0.0.1:${dead}`,
      '-j',
      `127.0.0.1:${julia.info.port}`,
      '-n',
      'bot',
      '--json',
      'hi',
    ])
    expect(result.code, result.stderr).to.equal(0)
    const out = JSON.parse(result.stdout) as {event: string; text: string; peers: Array<{name: string; port: number}>}
    expect(out).to.include({event: 'delivered', text: 'hi'})
    expect(out.peers).to.have.length(1)
    expect(out.peers[0]).to.include({name: 'Julia', port: julia.info.port})
  })

  it('joins a private room with --secret or CHAT_SECRET', async () => {
    const secret = 'a private room for the send test'
    const julia = await node('Julia', {secret})
    const got = nextEvent<[ChatMessage]>(julia, 'message', (m) => m.text === 'psst')
    const result = await runChat(['send', '-j', `127.0.0.1:${julia.info.port}`, 'psst'], {env: {CHAT_SECRET: secret}})
    expect(result.code, result.stderr).to.equal(0)
    await got
    const wrong = await runChat([
      'send',
      '-j',
      `127.0.0.1:${julia.info.port}`,
      '--secret',
      'another room entirely',
      'psst',
    ])
    expect(wrong.code).to.equal(1)
    expect(unwrap(wrong.stderr)).to.match(
      /^Error: could not reach any peer, the message was not sent: the room secret does not match at 127\.0\.0\.1:\d+/,
    )
  })

  it('exits 1 with a clear error when no peer can be reached', async () => {
    const port = await freePort()
    const result = await runChat(['send', '--join', `127.0.0.1:${port}`, 'anyone?'])
    expect(result.code).to.equal(1)
    expect(unwrap(result.stderr)).to.equal(
      `Error: could not reach any peer, the message was not sent: 127.0.0.1:${port} refused the connection: is a chat node running there?`,
    )
    expect(result.stderr).to.not.match(/\n\s+at /)
  })

  it('speaks Portuguese with a Portuguese locale or --lang pt, and --json stays the same', async () => {
    const julia = await node('Julia')
    const result = await runChat(['send', '-j', `127.0.0.1:${julia.info.port}`, '-n', 'ci', 'ola'], {
      env: {LANG: 'pt_BR.UTF-8'},
    })
    expect(result.code, result.stderr).to.equal(0)
    expect(result.stdout).to.equal(`entregue a Julia (127.0.0.1:${julia.info.port})`)
    const json = await runChat(['send', '-j', `127.0.0.1:${julia.info.port}`, '--lang', 'pt', '--json', 'ola'])
    expect(JSON.parse(json.stdout)).to.include({event: 'delivered', text: 'ola'})

    const port = await freePort()
    const refused = await runChat(['send', '--join', `127.0.0.1:${port}`, '--lang', 'pt', 'alguém?'])
    expect(refused.code).to.equal(1)
    const error = unwrap(refused.stderr)
    expect(error).to.match(
      new RegExp(
        `^Error: não foi possível alcançar nenhum peer, a mensagem não foi enviada: .*127\\.0\\.0\\.1:${port}`,
      ),
    )
    expect(error).to.not.match(/could not|connection refused/)
  })

  it('exits 1 when a peer accepts the connection but never completes the handshake, within --timeout', async () => {
    const silent = createServer(() => {}) // accepts and says nothing
    servers.push(silent)
    await new Promise<void>((resolve) => {
      silent.listen(0, '127.0.0.1', resolve)
    })
    const {port} = silent.address() as {port: number}
    const started = Date.now()
    const result = await runChat(['send', '--join', `127.0.0.1:${port}`, '--timeout', '2', 'hello?'])
    expect(result.code).to.equal(1)
    expect(Date.now() - started).to.be.below(8000)
    expect(unwrap(result.stderr)).to.equal(
      `Error: could not reach any peer, the message was not sent: 127.0.0.1:${port}: no answer within 2 s`,
    )
  })

  it('refuses an empty message with exit 2 (bad flags: test/integration/commands.test.ts)', async () => {
    const julia = await node('Julia')
    const empty = await runChat(['send', '--join', `127.0.0.1:${julia.info.port}`, '   '])
    expect(empty.code).to.equal(2)
    expect(empty.stderr).to.match(/an empty message is not sent/i)
    expect(empty.stderr).to.not.match(/\n\s+at /)
  })

  it("shows a sender's message but no join or leave line for it: it says it is short-lived in its hello", async () => {
    const julia = await node('Julia')
    const output = new PassThrough()
    let screen = ''
    output.on('data', (chunk: Buffer) => {
      screen += chunk.toString('utf8')
    })
    const repl = new Repl({
      node: julia,
      lang: 'en',
      input: new PassThrough(),
      output,
      errorOutput: output,
      color: false,
    })
    try {
      const joined = nextEvent<[{transient?: true}]>(julia, 'peer_joined')
      const left = nextEvent<[PeerLeft]>(julia, 'peer_left', (p) => p.name === 'cron')
      const result = await runChat(['send', '--join', `127.0.0.1:${julia.info.port}`, '--name', 'cron', 'backup done'])
      expect(result.code, result.stderr).to.equal(0)
      expect((await joined)[0].transient).to.equal(true)
      expect((await left)[0].transient).to.equal(true)
      // The Repl's listeners ran before ours: everything it would print for the sender is on the screen now.
      expect(screen).to.match(/\[cron \(127\.0\.0\.1:\d+\) said\]: backup done/)
      expect(screen).to.not.match(/joined|left/)
      expect(
        julia.knownPeers().map((p) => p.id),
        'nobody is told to dial it',
      ).to.deep.equal([])
    } finally {
      repl.close()
    }
  })

  it('sends under the name last used with its --identity by chat start, not the OS user', async () => {
    const tmp = tempDir()
    try {
      const key = join(tmp.path, 'node-7000.pem')
      await saveLastName(key, 'Julia')
      const pedro = await node('Pedro')
      const got = nextEvent<[ChatMessage]>(pedro, 'message', (m) => m.text === 'from cron')
      const result = await runChat(['send', '--join', `127.0.0.1:${pedro.info.port}`, '--identity', key, 'from cron'])
      expect(result.code, result.stderr).to.equal(0)
      expect((await got)[0].from.name).to.equal('Julia')
    } finally {
      tmp.remove()
    }
  })
})
