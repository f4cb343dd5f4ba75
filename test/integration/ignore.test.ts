// /ignore with real `chat start --json` processes: an ignored author's messages are not printed, not logged and not
// notified, are still relayed, and the list survives a restart of the same identity (a file beside its key).
import {expect} from 'chai'
import {readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {ChatProcess, freePort, jsonEvents, tempDir, useChatNodes} from '../helpers/cli.js'

interface Ignored {
  authors: Array<{fingerprint: string; id: string; name: string}>
  count: number
  hidden: number
}

describe('/ignore (integration)', function () {
  this.timeout(60_000)
  const fixture = useChatNodes()

  /** `chat start --json`, once its ready event is out. */
  const start = (name: string, port: number, extra: string[] = []): Promise<ChatProcess> =>
    fixture.start(name, port, extra, {json: true})

  /** Asks /ignore until `check` holds for its answer. */
  async function ignoredUntil(proc: ChatProcess, check: (answer: Ignored) => boolean): Promise<Ignored> {
    const deadline = Date.now() + 15_000
    while (Date.now() < deadline) {
      const asked = jsonEvents(proc, 'ignored').length + 1
      proc.type('/ignore')
      await proc.waitForLines(/"event":"ignored"/, asked)
      const answer = jsonEvents(proc, 'ignored').at(-1) as unknown as Ignored
      if (check(answer)) return answer
      await new Promise((resolve) => {
        setTimeout(resolve, 200)
      })
    }

    throw new Error(`/ignore never answered as expected:\n${proc.lines.join('\n')}`)
  }

  it('hides an author in --json, keeps it out of the history, still relays it, and remembers it after a restart', async () => {
    const keys = tempDir('chat-ignore-')
    try {
      const identity = join(keys.path, 'a.pem')
      const [pa, pb, pc] = [await freePort(), await freePort(), await freePort()]
      const b = await start('B', pb)
      let a = await start('A', pa, ['--identity', identity, '--degree', '0', '--join', `127.0.0.1:${pb}`])
      // C hears B only through A: what A ignores it still relays.
      const c = await start('C', pc, ['--degree', '0', '--join', `127.0.0.1:${pa}`])
      b.type('hello 1')
      await a.waitForLine(/"text":"hello 1"/)

      a.type('/ignore B')
      await a.waitForLine(/"event":"notice".*Ignoring B/)
      const added = JSON.parse(await a.waitForLine(/"event":"ignored"/)) as Ignored
      expect(added.count).to.equal(1)
      expect(added.authors.map((x) => x.name)).to.deep.equal(['B'])
      b.type('hello 2')
      await c.waitForLine(/"text":"hello 2"/)
      await ignoredUntil(a, (answer) => answer.hidden >= 1)
      expect(jsonEvents(a, 'message').map((e) => e.text)).to.deep.equal(['hello 1'])

      a.type('/quit')
      await a.exited
      const log = readFileSync(join(fixture.logDir, `chat_history_${pa}.log`), 'utf8')
      // The message store keeps every signed frame for reconciliation (`frame_stored`, relayed to others as any frame);
      // what the user's history shows is the message events, and the ignored author is not among them.
      const shown = log
        .split('\n')
        .filter((line) => line !== '' && !line.includes('"event":"frame_stored"'))
        .join('\n')
      expect(shown).to.include('hello 1')
      expect(shown, 'an ignored message is not logged').to.not.include('hello 2')
      const file = join(keys.path, 'a.ignored.json')
      expect(statSync(file).mode & 0o777, 'the ignore file is private').to.equal(0o600)

      // The same identity again: B is still ignored.
      a = await start('A', pa, ['--identity', identity, '--degree', '0', '--join', `127.0.0.1:${pb}`])
      await b.waitForLines(/"event":"peer_joined".*"name":"A"/, 2, {timeoutMs: 15_000})
      const again = await ignoredUntil(a, (answer) => answer.count === 1)
      expect(again.authors[0].id).to.equal(added.authors[0].id)
      // C redials A (it was pinned); B's message reaches C only through A, which hides it but relays it.
      await a.waitForLine(/"event":"peer_joined".*"name":"C"/, {timeoutMs: 15_000})
      b.type('hello 3')
      await c.waitForLine(/"text":"hello 3"/)
      await ignoredUntil(a, (answer) => answer.hidden >= 1)
      expect(jsonEvents(a, 'message'), "B's messages (live or as history) at A after the restart").to.deep.equal([])
      a.type('/unignore B')
      await a.waitForLine(/"event":"notice".*B \([\da-f]{4}:[\da-f]{4}\) is no longer ignored/)
      b.type('hello 4')
      await a.waitForLine(/"text":"hello 4"/)
      expect(jsonEvents(a, 'message').map((e) => e.text)).to.deep.equal(['hello 4'])
    } finally {
      keys.remove()
    }
  })

  it("says a damaged ignore file in the reader's language, and starts with an empty list", async () => {
    const keys = tempDir('chat-ignore-')
    try {
      const identity = join(keys.path, 'a.pem')
      const file = join(keys.path, 'a.ignored.json')
      writeFileSync(file, '{"ignored": 42')
      const a = await fixture.start('A', await freePort(), ['--identity', identity], {json: true, lang: 'pt'})
      const problem = JSON.parse(await a.waitForLine(/"code":"ignore_list"/)) as {message: string}
      expect(
        problem.message.startsWith(`aviso: lista de ignorados: ${file} não é uma lista de ignorados (`),
        problem.message,
      ).to.equal(true)
      expect(problem.message).to.match(/\): começando com uma vazia$/)
      expect((await ignoredUntil(a, () => true)).count).to.equal(0)
    } finally {
      keys.remove()
    }
  })

  it('explains an unknown name and refuses to ignore yourself', async () => {
    const a = await start('A', await freePort())
    a.type('/ignore Nobody')
    expect(JSON.parse(await a.waitForLine(/"event":"error"/)).code).to.equal('unknown_author')
    a.type('/ignore A')
    expect(JSON.parse(await a.waitForLine(/"code":"ignore_self"/)).message).to.equal('You cannot ignore yourself.')
    a.type('/unignore Nobody')
    expect(JSON.parse(await a.waitForLine(/"code":"not_ignored"/)).message).to.match(/not on the ignore list/)
  })
})
