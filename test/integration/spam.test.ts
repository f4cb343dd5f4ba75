// Issue 17: one participant must not drown the public room. Real `chat start --json` processes A–B–C (A and C reach
// each other only through B) chat while an attacker (test/helpers/attacker.ts) that completed a real handshake floods
// B with validly signed messages, each from a fresh identity. B's budget for never-seen authors (300/s, burst 600)
// drops the excess before the signature check, and the link is cut once its score falls: within 5 s, with no honest
// message lost, no honest link cut, and the attacker put on the cool-down list (never dialled back).
// Needs the built CLI (`npm run build`). Run alone: `npx mocha test/integration/spam.test.ts` (about a minute).
import {expect} from 'chai'
import {createServer, type Server} from 'node:net'
import {performance} from 'node:perf_hooks'
import {createInterface} from 'node:readline'

import type {ChatFrame} from '../../src/p2p/protocol.js'

import {generateIdentity, type Identity} from '../../src/p2p/identity.js'
import {NEW_AUTHOR_MESSAGE_BURST, NEW_AUTHOR_MESSAGES_PER_SECOND} from '../../src/p2p/link-budget.js'
import {authorMessage} from '../../src/p2p/message-auth.js'
import {AUTHOR_MESSAGE_BURST, AUTHOR_MESSAGES_PER_SECOND} from '../../src/p2p/options.js'
import {MemberAttack, prng} from '../helpers/attacker.js'
import {ChatProcess, freePort, jsonEvents, useChatNodes} from '../helpers/cli.js'

const FLOOD_MS = 10_000
const FLOOD_MESSAGES = 20_000
/** One author's allowance over the flood: what a single identity could have shown anyway. */
const ALLOWANCE = AUTHOR_MESSAGE_BURST + AUTHOR_MESSAGES_PER_SECOND * (FLOOD_MS / 1000)
const CUT_WITHIN_MS = 5000
/** What a link's budget can let through before the cut: the burst, then the rate for as long as the link lived. */
const budgetBound = (cutAfterMs: number): number =>
  NEW_AUTHOR_MESSAGE_BURST + Math.ceil((NEW_AUTHOR_MESSAGES_PER_SECOND * cutAfterMs) / 1000)

/** `n` messages, each signed by a fresh identity (the attacker: the per-author limit never applies). */
function freshSpam(n: number, tag: string): ChatFrame[] {
  const frames: ChatFrame[] = []
  for (let i = 0; i < n; i++) {
    const identity = generateIdentity()
    const from = {id: identity.id, name: `spam${i % 1000}`, host: '127.0.0.1', port: 1}
    frames.push(authorMessage(identity, {from, text: `${tag} ${i}`, ts: Date.now(), seq: 1}).frame)
  }

  return frames
}

/** Messages all signed by one identity. */
function oneAuthor(identity: Identity, n: number, tag: string): ChatFrame[] {
  const from = {id: identity.id, name: 'loud', host: '127.0.0.1', port: 1}
  const now = Date.now()
  return Array.from(
    {length: n},
    (_, i) => authorMessage(identity, {from, text: `${tag} ${i}`, ts: now, seq: i + 1}).frame,
  )
}

/** Sends `frames` at `perSecond` (in 10 ms steps) until all are sent, `ms` passed or the node closed the socket. */
async function flood(
  attack: MemberAttack,
  frames: ChatFrame[],
  perSecond: number,
  ms = FLOOD_MS,
): Promise<{cutAfterMs?: number; sent: number}> {
  const started = performance.now()
  let sent = 0
  while (sent < frames.length && !attack.isClosed && performance.now() - started < ms) {
    const due = Math.min(frames.length, Math.floor(((performance.now() - started) / 1000) * perSecond) + 1)
    for (; sent < due; sent++) attack.send(frames[sent])
    await new Promise((resolve) => {
      setTimeout(resolve, 10)
    })
  }

  if (!attack.isClosed)
    await Promise.race([
      attack.closed,
      new Promise((resolve) => {
        setTimeout(resolve, CUT_WITHIN_MS)
      }),
    ])
  return {sent, ...(attack.isClosed ? {cutAfterMs: performance.now() - started} : {})}
}

/** When each `message` event's text was printed (read as it arrives, not after the fact). */
function arrivals(proc: ChatProcess): Map<string, number> {
  const at = new Map<string, number>()
  createInterface({input: proc.child.stdout}).on('line', (line) => {
    if (!line.startsWith('{"event":"message"')) return
    const {text} = JSON.parse(line) as {text: string}
    if (!at.has(text)) at.set(text, Date.now())
  })
  return at
}

/** A TCP port that counts who connects to it: the attacker announces it, so a redial of the attacker shows here. */
async function countingServer(): Promise<{count(): number; port: number; server: Server}> {
  let connections = 0
  const server = createServer((socket) => {
    connections++
    socket.destroy()
  })
  await new Promise<void>((resolve) => {
    server.listen(0, '127.0.0.1', resolve)
  })
  const address = server.address()
  return {count: () => connections, port: typeof address === 'object' && address ? address.port : 0, server}
}

const texts = (proc: ChatProcess, prefix: string): string[] =>
  jsonEvents(proc, 'message')
    .map((e) => String(e.text))
    .filter((t) => t.startsWith(prefix))

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN
}

describe('spam: a flood from fresh identities through one link (integration)', function () {
  this.timeout(180_000)
  const fixture = useChatNodes()
  const cleanup: Array<() => void> = []
  /** `chat start --json`, once its ready event is out. */
  const nodes = {
    start: (name: string, port: number, extra: string[] = []): Promise<ChatProcess> =>
      fixture.start(name, port, extra, {json: true}),
  }

  afterEach(() => {
    for (const fn of cleanup.splice(0)) fn()
  })

  /** A–B–C, A and C only through B (--degree 0: they never dial on their own). */
  async function line(): Promise<{a: ChatProcess; b: ChatProcess; c: ChatProcess; pb: number}> {
    const [pa, pb, pc] = [await freePort(), await freePort(), await freePort()]
    const b = await nodes.start('B', pb)
    const a = await nodes.start('A', pa, ['--degree', '0', '--join', `127.0.0.1:${pb}`])
    const c = await nodes.start('C', pc, ['--degree', '0', '--join', `127.0.0.1:${pb}`])
    await b.waitForLines(/"event":"peer_joined"/, 2)
    return {a, b, c, pb}
  }

  async function member(port: number, options: {identity?: Identity; listenPort?: number} = {}): Promise<MemberAttack> {
    const attack = new MemberAttack('member', {port, random: prng(7), name: 'Flooder', ...options})
    cleanup.push(() => attack.abort('test'))
    expect(await attack.established, 'the attacker completed the handshake').to.equal(true)
    // A fence: once B answers a ping, it has registered the attacker.
    attack.send({type: 'ping', n: 1})
    await attack.until(() => attack.lastPong >= 1)
    return attack
  }

  it('stops 20,000 messages from fresh identities within 5 s, loses no honest message, cuts no honest link, never redials the attacker', async () => {
    const {a, b, c, pb} = await line()
    const trap = await countingServer()
    cleanup.push(() => trap.server.close())
    const frames = freshSpam(FLOOD_MESSAGES, 'spam')
    const atA = arrivals(a)
    const atC = arrivals(c)
    const attacker = await member(pb, {listenPort: trap.port})
    await b.waitForLine(/"event":"peer_joined".*"name":"Flooder"/)

    // Honest chat through B for the whole flood: one message from A and one from C every 100 ms.
    const sent: string[] = []
    const chatting = (async () => {
      const started = performance.now()
      for (let i = 0; performance.now() - started < FLOOD_MS; i++) {
        for (const [proc, name] of [
          [a, 'A'],
          [c, 'C'],
        ] as const) {
          proc.type(`honest ${name} ${i}`)
          sent.push(`honest ${name} ${i}`)
        }

        await new Promise((resolve) => {
          setTimeout(resolve, 100)
        })
      }
    })()
    const result = await flood(attacker, frames, 1900)
    await chatting
    const fromA = sent.filter((t) => t.startsWith('honest A'))
    const fromC = sent.filter((t) => t.startsWith('honest C'))
    for (const t of fromA) await c.waitForLine(new RegExp(`"text":"${t}"`), {timeoutMs: 30_000})
    for (const t of fromC) await a.waitForLine(new RegExp(`"text":"${t}"`), {timeoutMs: 30_000})
    for (const t of sent) await b.waitForLine(new RegExp(`"text":"${t}"`), {timeoutMs: 30_000})

    // Latency, from the author's timestamp to the line at the other end.
    const latencies: number[] = []
    for (const [proc, at, texts_] of [
      [c, atC, fromA],
      [a, atA, fromC],
    ] as const) {
      const ts = new Map(jsonEvents(proc, 'message').map((e) => [String(e.text), Number(e.ts)]))
      for (const t of texts_) latencies.push(at.get(t)! - ts.get(t)!)
    }

    const shown = {A: texts(a, 'spam ').length, B: texts(b, 'spam ').length, C: texts(c, 'spam ').length}
    console.log(
      `      spam: ${result.sent} sent in ${Math.round(result.cutAfterMs ?? FLOOD_MS)} ms before the cut; shown A ${shown.A}, B ${shown.B}, C ${shown.C}; ` +
        `${sent.length} honest messages, p50 ${percentile(latencies, 50)} ms, p99 ${percentile(latencies, 99)} ms, max ${Math.max(...latencies)} ms`,
    )
    expect(result.cutAfterMs, 'B cut the flooder').to.not.equal(undefined)
    expect(result.cutAfterMs!).to.be.below(CUT_WITHIN_MS)
    for (const [name, n] of Object.entries(shown)) {
      expect(n, `spam shown at ${name}`).to.be.at.most(ALLOWANCE)
      expect(n, `spam shown at ${name}: within B's budget for the link`).to.be.at.most(budgetBound(result.cutAfterMs!))
    }

    // Nobody honest was dropped; the flooder was penalised once, and is on B's cool-down list.
    for (const proc of [a, b, c]) {
      const left = jsonEvents(proc, 'peer_left').filter((e) => e.name !== 'Flooder')
      expect(left, 'honest peers that left').to.deep.equal([])
    }

    const penalised = jsonEvents(b, 'peer_penalised')
    expect(penalised.map((e) => e.code)).to.deep.equal(['flooding'])
    expect(jsonEvents(b, 'error').filter((e) => e.code === 'flooding')).to.have.length(1)
    b.type('/peers')
    const peers = JSON.parse(await b.waitForLine(/"event":"peers"/)) as {
      cooldown: Array<{code: string; ids: string[]}>
      peers: Array<{name: string}>
    }
    expect(peers.peers.map((p) => p.name).sort()).to.deep.equal(['A', 'C'])
    expect(peers.cooldown.map((e) => [e.code, e.ids])).to.deep.equal([['flooding', [attacker.identity.id]]])
    // B kept dialling up to its degree all along (a tick a second): the flooder's address never got a dial.
    expect(trap.count(), 'dials to the flooder after the cut').to.equal(0)
  })

  it('refuses a flooder that comes back after the cut under the same identity, with no new line', async () => {
    const {b, pb} = await line()
    const first = await member(pb)
    const round1 = await flood(first, freshSpam(3000, 'spam'), 1900)
    expect(round1.cutAfterMs, 'cut').to.not.equal(undefined)
    // A fence: B answers /peers after it has printed everything it accepted before the cut.
    b.type('/peers')
    await b.waitForLine(/"event":"peers"/)
    const shownAfterCut = texts(b, 'spam ').length
    expect(shownAfterCut).to.be.at.most(budgetBound(round1.cutAfterMs!))
    for (let round = 0; round < 3; round++) {
      const again = new MemberAttack('member', {
        port: pb,
        random: prng(round),
        identity: first.identity,
        name: 'Flooder',
      })
      cleanup.push(() => again.abort('test'))
      const established = await again.established
      if (established) for (const frame of freshSpam(200, `again${round}`)) again.send(frame)
      const closed = await Promise.race([
        again.closed.then(() => true),
        new Promise((resolve) => {
          setTimeout(() => resolve(false), CUT_WITHIN_MS)
        }),
      ])
      expect(closed, `reconnection ${round} refused`).to.equal(true)
      expect(again.frameTypes.get('error') ?? 0, 'told why, once').to.be.at.most(1)
    }

    // A fence through an honest path: B is still alive and answering.
    const probe = await member(pb)
    probe.abort('test')
    for (let round = 0; round < 3; round++) expect(texts(b, `again${round} `), `round ${round} shown`).to.deep.equal([])
    expect(texts(b, 'spam ').length).to.equal(shownAfterCut)
    expect(jsonEvents(b, 'peer_penalised'), 'one penalty line for the offender').to.have.length(1)
  })

  it('stops a flood through two neighbours at once', async () => {
    const {a, b, c} = await line()
    const pa = Number(jsonEvents(a, 'ready')[0].port)
    const pc = Number(jsonEvents(c, 'ready')[0].port)
    const [left, right] = [await member(pa), await member(pc)]
    // Each link flooded like the first test's, for up to 5 s (a busy machine makes the nodes slower than the flood).
    const [r1, r2] = await Promise.all([
      flood(left, freshSpam(9500, 'spamL'), 1900, 5000),
      flood(right, freshSpam(9500, 'spamR'), 1900, 5000),
    ])
    expect(r1.cutAfterMs, 'A cut its flooder').to.not.equal(undefined)
    expect(r2.cutAfterMs, 'C cut its flooder').to.not.equal(undefined)
    // An honest round trip after the floods: every node still reaches every other.
    a.type('after A')
    c.type('after C')
    // (Behind whatever backlog the floods left in the nodes' buffers: generous on a busy machine.)
    await c.waitForLine(/"text":"after A"/, {timeoutMs: 60_000})
    await a.waitForLine(/"text":"after C"/, {timeoutMs: 60_000})
    for (const proc of [a, b, c]) {
      const spam = texts(proc, 'spamL ').length + texts(proc, 'spamR ').length
      expect(spam, "spam shown: at most what each flooded link's budget let through").to.be.at.most(
        budgetBound(r1.cutAfterMs!) + budgetBound(r2.cutAfterMs!),
      )
      expect(
        jsonEvents(proc, 'peer_left').filter((e) => e.name !== 'Flooder'),
        'honest links cut',
      ).to.deep.equal([])
    }
  })

  it('passes an honest bot bursting 300 messages in one second through a relay', async () => {
    const {a, b, c} = await line()
    for (let i = 0; i < 300; i++) a.type(`bot ${i}`)
    await c.waitForLine(/"text":"bot 299"/, {timeoutMs: 30_000})
    await b.waitForLine(/"text":"bot 299"/, {timeoutMs: 30_000})
    expect(texts(c, 'bot ')).to.have.length(300)
    expect(texts(b, 'bot ')).to.have.length(300)
  })

  it('does not show a replayed message again after 105,000 more messages', async () => {
    // B takes frames as fast as they come (--hop-rate), so one loud author can push 105,000 messages through the
    // seen-cache; the per-author limit drops most of them after their signature. A count-bounded cache forgot A's
    // ids; now only what was accepted is remembered, and nothing younger than the age window is ever evicted.
    const pb = await freePort()
    const b = await nodes.start('B', pb, ['--hop-rate', '200000'])
    const a = await nodes.start('A', await freePort(), ['--degree', '0', '--join', `127.0.0.1:${pb}`])
    await b.waitForLine(/"event":"peer_joined".*"name":"A"/)
    const listener = await member(pb)
    for (let i = 0; i < 40; i++) a.type(`honest ${i}`)
    await b.waitForLine(/"text":"honest 39"/)
    await listener.until(() => listener.chats.length >= 40)
    const honest = [...listener.chats]
    const loud = oneAuthor(listener.identity, 105_000, 'loud')
    let pinged = 1
    for (let i = 0; i < loud.length; i += 5000) {
      for (const frame of loud.slice(i, i + 5000)) listener.send(frame)
      // Paced by B's answers, so the socket never holds more than one slice.
      listener.send({type: 'ping', n: ++pinged})
      const n = pinged
      await listener.until(() => listener.lastPong >= n)
    }

    for (const frame of honest) listener.send(frame)
    listener.send({type: 'ping', n: ++pinged})
    const fence = pinged
    expect(await listener.until(() => listener.lastPong >= fence), 'B still answers').to.equal(true)
    const shownAtB = texts(b, 'honest ')
    for (let i = 0; i < 40; i++)
      expect(
        shownAtB.filter((t) => t === `honest ${i}`),
        `honest ${i} shown at B`,
      ).to.have.length(1)
    console.log(
      `      replay: ${loud.length} messages from one author, ${texts(b, 'loud ').length} shown; ${honest.length} replays shown again: 0`,
    )
  })
})
