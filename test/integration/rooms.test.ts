// Private rooms and encryption, with real `chat start` processes and a recording TCP proxy between two of them.
import {expect} from 'chai'
import {createServer, connect as netConnect, type Server, type Socket} from 'node:net'

import {type ChatProcess, freePort, runChat, useChatNodes} from '../helpers/cli.js'

/** Forwards every connection to `target` and keeps a copy of all the bytes, both ways. */
async function recordingProxy(
  target: number,
): Promise<{port: number; recorded: Buffer[]; server: Server; sockets: Socket[]}> {
  const recorded: Buffer[] = []
  const sockets: Socket[] = []
  const server = createServer((client) => {
    const upstream = netConnect(target, '127.0.0.1')
    sockets.push(client, upstream)
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      from.on('data', (chunk) => {
        recorded.push(Buffer.from(chunk))
        to.write(chunk)
      })
      from.on('error', () => to.destroy())
      from.on('close', () => to.destroy())
    }
  })
  const port = await freePort()
  await new Promise<void>((resolve) => {
    server.listen(port, '127.0.0.1', resolve)
  })
  return {port, recorded, server, sockets}
}

describe('private rooms and encryption (integration)', function () {
  this.timeout(60_000)
  const nodes = useChatNodes()
  let proxy: Awaited<ReturnType<typeof recordingProxy>> | undefined

  afterEach(() => {
    for (const s of proxy?.sockets ?? []) s.destroy()
    proxy?.server.close()
    proxy = undefined
  })

  function startNode(
    name: string,
    port: number,
    secret: string | undefined,
    extra: string[] = [],
  ): Promise<ChatProcess> {
    return nodes.start(name, port, extra, {env: secret === undefined ? {} : {CHAT_SECRET: secret}})
  }

  it('lets two nodes with the same secret chat through a proxy that sees no name and no text', async () => {
    const {stdout, code} = await runChat(['room', 'invite'])
    expect(code).to.equal(0)
    const invite = stdout.trim()
    expect(invite).to.match(/^chat-invite-[\w-]{43}$/)
    const [pa, pb] = await Promise.all([freePort(), freePort()])
    const a = await startNode('Bartholomew', pa, invite)
    proxy = await recordingProxy(pa)
    const b = await startNode('Philippa', pb, invite, ['--join', `127.0.0.1:${proxy.port}`])
    await a.waitForLine(`* Philippa (127.0.0.1:${pb}) joined.`)
    b.type('the eagle lands at midnight')
    await a.waitForLine(`[Philippa (127.0.0.1:${pb}) said]: the eagle lands at midnight`)
    a.type('understood, over')
    await b.waitForLine(`[Bartholomew (127.0.0.1:${pa}) said]: understood, over`)
    const wire = Buffer.concat(proxy.recorded)
    expect(wire.length).to.be.greaterThan(200)
    for (const secret of ['Bartholomew', 'Philippa', 'eagle', 'midnight', 'understood', invite, '"type"', String(pb)]) {
      expect(wire.includes(Buffer.from(secret)), `"${secret}" crossed the wire in clear`).to.equal(false)
    }
  })

  it('refuses a node with the wrong secret and one with none: both sides say why, and nothing crosses', async () => {
    const [pa, pb, pc, pd] = await Promise.all([freePort(), freePort(), freePort(), freePort()])
    const a = await startNode('A', pa, 'a long shared room passphrase')
    const b = await startNode('B', pb, 'a long shared room passphrase', ['--join', `127.0.0.1:${pa}`])
    const c = await startNode('C', pc, 'a wrong but long passphrase', ['--join', `127.0.0.1:${pa}`])
    const d = await startNode('D', pd, undefined, ['--join', `127.0.0.1:${pa}`])
    for (const outsider of [c, d]) {
      await outsider.waitForLine(
        /^Could not connect: the room secret does not match at 127\.0\.0\.1:\d+: check the invite code or passphrase/,
      )
    }

    await a.waitForLines(/^warning: a connection from 127\.0\.0\.1:\d+ used another room secret\.$/, 2, {stream: 'err'})
    b.type('members only')
    await a.waitForLine(`[B (127.0.0.1:${pb}) said]: members only`)
    for (const outsider of [c, d]) {
      outsider.type('/peers')
      await outsider.waitForLine('No peers connected.')
      expect(outsider.lines.filter((l) => l.startsWith('[') || l.startsWith('*'))).to.deep.equal([])
    }

    expect(a.lines.some((l) => l.includes('C (') || l.includes('D ('))).to.equal(false)
  })

  it('warns about a weak passphrase but still starts', async () => {
    const port = await freePort()
    const node = await startNode('W', port, 'secret')
    await node.waitForLine(/^warning: weak room passphrase \(fewer than 12 characters\): .*chat room invite/, {
      stream: 'err',
    })
  })

  it('says secret problems in Portuguese with --lang pt', async () => {
    const weak = await nodes.start('W', await freePort(), [], {lang: 'pt', env: {CHAT_SECRET: 'secret'}})
    await weak.waitForLine(/^aviso: frase secreta fraca \(menos de 12 caracteres\): .*chat room invite/, {
      stream: 'err',
    })
    const empty = await runChat([
      'start',
      '--name',
      'X',
      '--port',
      String(await freePort()),
      '--lang',
      'pt',
      '--secret',
      '  ',
    ])
    expect(empty.code).to.equal(2)
    expect(empty.stderr.replaceAll(/\s*›\s*/g, ' ')).to.include('o segredo da sala está vazio')
  })

  it('refuses an unusable identity file with a clear error', async () => {
    const bad = `${nodes.logDir}/not-a-key.pem`
    await import('node:fs/promises').then((fs) => fs.writeFile(bad, 'garbage'))
    const result = await runChat(['start', '--name', 'X', '--port', String(await freePort()), '--identity', bad])
    expect(result.code).to.equal(2)
    expect(result.stderr).to.include('not-a-key.pem')
    expect(result.stderr).to.match(/not a chat identity/)
  })
})
