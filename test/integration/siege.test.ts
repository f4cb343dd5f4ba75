// The siege (issue 4, "Proof"): three honest `chat start --json` processes chat over 127.0.0.1 while hostile
// connections pour into one of them (A) in waves: random bytes, a 0xFFFF length, a 4 GiB length, truncated frames,
// a version-1 hello, oversized handshake messages, resets, half-open sockets, dribblers, and members of the room that
// stop reading, replay every message, forge one, or send garbage once encrypted. Then:
//   - every honest message arrived at every honest node exactly once (NDJSON `message` events);
//   - A never exited, and its RSS before/after/peak is printed and stays under a generous bound;
//   - every attacker socket was closed by A itself, within the handshake deadline plus a margin (raw attacks), or on
//     its own schedule (members); the test only closes what A forgot, and that fails the test.
// Needs the built CLI (`npm run build`). The second suite runs nodes in-process: a member flooding history requests
// or pings, and one that stops reading while the node has megabytes to send it.
// Run alone: `npx mocha test/integration/siege.test.ts` (about 30 s; it prints its summary line).
import {expect} from 'chai'
import {readFileSync} from 'node:fs'
import {performance} from 'node:perf_hooks'

import type {NodeWarning} from '../../src/p2p/types.js'

import {
  HANDSHAKE_TIMEOUT_MS,
  HEARTBEAT_INTERVAL_MS,
  HOP_FRAME_BURST,
  PEER_DEAD_AFTER_MS,
} from '../../src/p2p/connection.js'
import {type ChatNode, DEFAULT_HISTORY_MESSAGES} from '../../src/p2p/node.js'
import {
  type Attack,
  type AttackKind,
  type AttackResult,
  launch,
  type MemberAttack,
  prng,
  QUICK_KINDS,
  SLOW_KINDS,
} from '../helpers/attacker.js'
import {ChatProcess, freePort, type JsonEvent, jsonEvents, tempDir} from '../helpers/cli.js'
import {useNodes} from '../helpers/nodes.js'

/** Total attacker connections, in waves; each wave waits for the previous one to be cleaned up. */
const WAVES = 4
const PER_WAVE = 75
const MESSAGES_PER_NODE = 50
/** A raw attacker socket must be closed by the node within the handshake deadline plus this (a busy machine). */
const CLOSE_MARGIN_MS = 7000
const RSS_LIMIT_MIB = 200
const SEED = 0x5_1e_9e

const events = jsonEvents

/** VmRSS and VmHWM (peak) of a process, in MiB. */
function memory(pid: number): {peak: number; rss: number} {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kib = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN)
  return {rss: kib('VmRSS') / 1024, peak: kib('VmHWM') / 1024}
}

const mib = (n: number): string => `${n.toFixed(1)} MiB`

/** `promise`, or `fallback` after `ms`. */
async function within<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms)
  })
  try {
    return await Promise.race([promise, late])
  } finally {
    clearTimeout(timer)
  }
}

describe('siege: hostile connections against a running node (integration)', function () {
  this.timeout(300_000)
  let procs: ChatProcess[] = []
  let attacks: Attack[] = []
  let logs: ReturnType<typeof tempDir>

  beforeEach(() => {
    logs = tempDir('chat-siege-')
  })

  afterEach(async () => {
    for (const a of attacks) a.abort('test')
    attacks = []
    await Promise.all(procs.map((p) => p.kill('SIGKILL')))
    procs = []
    logs.remove()
  })

  async function startNode(
    name: string,
    port: number,
    extra: string[] = [],
  ): Promise<{proc: ChatProcess; ready: JsonEvent}> {
    const proc = new ChatProcess([
      'start',
      '--port',
      String(port),
      '--name',
      name,
      '--log-dir',
      logs.path,
      '--json',
      ...extra,
    ])
    procs.push(proc)
    const ready = JSON.parse(await proc.waitForLine(/"event":"ready"/)) as JsonEvent
    return {proc, ready}
  }

  it('keeps three honest nodes chatting, bounded, while 300 hostile connections hit one of them', async () => {
    const startedAt = performance.now()
    const random = prng(SEED)
    const [pa, pb, pc] = await Promise.all([freePort(), freePort(), freePort()])
    const {proc: a} = await startNode('A', pa)
    const {proc: b, ready: readyB} = await startNode('B', pb, ['--join', `127.0.0.1:${pa}`])
    const {proc: c} = await startNode('C', pc, ['--join', `127.0.0.1:${pa}`, '--join', `127.0.0.1:${pb}`])
    await a.waitForLines(/"event":"peer_joined"/, 2)
    await b.waitForLine(/"event":"peer_joined".*"name":"C"/)
    const honest = [
      {name: 'A', proc: a},
      {name: 'B', proc: b},
      {name: 'C', proc: c},
    ]
    const pid = a.child.pid!
    const before = memory(pid)

    // --- members of the room first, so the pending cap cannot keep them out ---
    const members = [
      'stuck-reader',
      'stuck-reader',
      'replayer',
      'replayer',
      'garbage-after-handshake',
      'garbage-after-handshake',
    ].map((kind, i) => launch(kind as AttackKind, {port: pa, random, name: `${kind}-${i}`}) as MemberAttack)
    attacks.push(...members)
    const established = await Promise.all(
      members.map((m) => within(m.established, HANDSHAKE_TIMEOUT_MS + CLOSE_MARGIN_MS, false)),
    )
    expect(established, 'members completed the handshake').to.deep.equal(members.map(() => true))
    const garbageClosed = members
      .filter((m) => m.kind === 'garbage-after-handshake')
      .map((m) => m.deadline(HANDSHAKE_TIMEOUT_MS + CLOSE_MARGIN_MS))

    // --- waves of raw attacks, with the honest chat going on ---
    const texts = new Map<string, string[]>(honest.map((h) => [h.name, []]))
    const results: AttackResult[] = []
    const versionReplies: Buffer[] = []
    let typed = 0
    for (let wave = 0; wave < WAVES; wave++) {
      for (const h of honest) {
        const share = Math.ceil((MESSAGES_PER_NODE - (texts.get(h.name)?.length ?? 0)) / (WAVES - wave))
        for (let i = 0; i < share; i++) {
          const n = texts.get(h.name)!.length
          const text = `siege ${h.name} #${n} ${'~'.repeat(100 + ((n * 37) % 300))}`
          texts.get(h.name)!.push(text)
          h.proc.type(text)
          typed++
        }
      }

      const quick: AttackKind[] = QUICK_KINDS.flatMap((kind) => Array.from({length: 5}, () => kind))
      const slowCount = PER_WAVE - quick.length - (wave === 0 ? members.length : 0)
      const slow: AttackKind[] = Array.from({length: slowCount}, (_, i) => SLOW_KINDS[i % SLOW_KINDS.length])
      // Quick ones in small batches, each answered before the next: they test the node's answers, not its cap.
      for (let i = 0; i < quick.length; i += 5) {
        const batch = quick.slice(i, i + 5).map((kind) => launch(kind, {port: pa, random}))
        attacks.push(...batch)
        results.push(...(await Promise.all(batch.map((x) => x.deadline(HANDSHAKE_TIMEOUT_MS + CLOSE_MARGIN_MS)))))
        for (const x of batch) if (x.kind === 'version1' && x.reply.length > 0) versionReplies.push(x.reply)
      }

      // Slow ones all at once: the pending cap refuses most at once, the deadline ends the rest.
      const burst = slow.map((kind) => launch(kind, {port: pa, random}))
      attacks.push(...burst)
      results.push(...(await Promise.all(burst.map((x) => x.deadline(HANDSHAKE_TIMEOUT_MS + CLOSE_MARGIN_MS)))))
      expect(a.child.exitCode, `A exited during wave ${wave}`).to.equal(null)
    }

    expect(typed).to.equal(3 * MESSAGES_PER_NODE)
    results.push(...(await Promise.all(garbageClosed)))

    // --- every honest message, everywhere, once: wait for them all, then a fence from each node ---
    for (const h of honest) {
      await h.proc.waitForLines(/"event":"message"/, 2 * MESSAGES_PER_NODE, {timeoutMs: 60_000})
      await h.proc.waitForLines(/"event":"sent"/, MESSAGES_PER_NODE, {timeoutMs: 60_000})
    }

    // The replayers had every message to replay; now they forge one in B's name and address.
    const replayers = members.filter((m) => m.kind === 'replayer')
    const forged = 'I am B, honestly (forged)'
    for (const r of replayers) r.forge({id: String(readyB.id), name: 'B', host: '127.0.0.1', port: pb}, forged)
    results.push(...(await Promise.all(replayers.map((r) => r.deadline(HANDSHAKE_TIMEOUT_MS + CLOSE_MARGIN_MS)))))

    for (const h of honest) h.proc.type(`fence ${h.name}`)
    for (const h of honest) {
      for (const other of honest.filter((o) => o !== h))
        await h.proc.waitForLine(new RegExp(`"text":"fence ${other.name}"`), {timeoutMs: 60_000})
    }

    // --- the stuck readers: the node must give up on them (heartbeat, or an outbox that does not drain) ---
    const stuck = members.filter((m) => m.kind === 'stuck-reader')
    const givenUp = PEER_DEAD_AFTER_MS + HEARTBEAT_INTERVAL_MS + CLOSE_MARGIN_MS
    const leftLines = await a.waitForLines(/"event":"peer_left".*"name":"stuck-reader-/, stuck.length, {
      timeoutMs: givenUp,
    })
    for (const s of stuck) s.drain()
    results.push(...(await Promise.all(stuck.map((s) => s.deadline(CLOSE_MARGIN_MS)))))
    const after = memory(pid)

    // --- delivery ---
    const delivery: string[] = []
    for (const h of honest) {
      const got = new Map<string, number>()
      for (const e of events(h.proc, 'message')) got.set(String(e.text), (got.get(String(e.text)) ?? 0) + 1)
      const expected = honest.filter((o) => o !== h).flatMap((o) => [...texts.get(o.name)!, `fence ${o.name}`])
      const missing = expected.filter((t) => !got.has(t))
      const twice = [...got].filter(([, n]) => n > 1).map(([t]) => t)
      const unexpected = [...got.keys()].filter((t) => !expected.includes(t))
      delivery.push(`${h.name} ${expected.length - missing.length}/${expected.length}`)
      expect(missing, `missing at ${h.name}`).to.deep.equal([])
      expect(twice, `shown twice at ${h.name}`).to.deep.equal([])
      expect(unexpected, `unexpected messages at ${h.name}`).to.deep.equal([])
      // "siege B #3 ~~~" and "fence B" are B's: the author shown is the one that signed.
      for (const e of events(h.proc, 'message'))
        expect((e.from as {name: string}).name, String(e.text)).to.equal(String(e.text).split(' ')[1])

      expect(events(h.proc, 'sent').map((e) => e.text)).to.deep.equal([...texts.get(h.name)!, `fence ${h.name}`])
    }

    // --- the node's side of the story ---
    const warnings = new Map<string, number>()
    for (const e of events(a, 'error')) warnings.set(String(e.code), (warnings.get(String(e.code)) ?? 0) + 1)
    // A replayer sends each message back twice on its link: cut for that (duplicate_flood) once its score falls, or
    // for its forgery if it gets that far first. Either way one cut, one line, one error frame each.
    const cut = (warnings.get('bad_signature') ?? 0) + (warnings.get('duplicate_flood') ?? 0)
    expect(cut, 'the replayers were cut, for their repeats or their forgeries').to.equal(replayers.length)
    expect(warnings.get('decrypt_failed'), 'garbage after the handshake').to.be.at.least(2)
    expect(warnings.get('not_chat_protocol'), 'oversized lengths').to.be.at.least(1)
    expect(warnings.get('room_mismatch'), 'random first messages').to.be.at.least(1)
    expect(warnings.get('timeout'), 'half-open, dribbling and truncated sockets').to.be.at.least(1)
    expect(warnings.get('version'), 'version-1 hellos').to.be.at.least(1)
    for (const line of leftLines)
      expect((JSON.parse(line) as {reason: string}).reason).to.match(/heartbeat timeout|not reading/)
    for (const r of replayers) {
      expect(r.chats.length, 'a replayer received the chat to replay').to.be.greaterThan(0)
      expect(r.frameTypes.get('error'), 'the forger was told why').to.equal(1)
    }

    // --- every socket closed by the node, in time; silence towards non-members ---
    expect(results).to.have.length(WAVES * PER_WAVE)
    const byKind = new Map<string, {closedBy: Record<string, number>; maxMs: number; n: number}>()
    for (const r of results) {
      const k = byKind.get(r.kind) ?? {n: 0, closedBy: {}, maxMs: 0}
      k.n++
      k.closedBy[r.closedBy] = (k.closedBy[r.closedBy] ?? 0) + 1
      k.maxMs = Math.max(k.maxMs, r.lifetimeMs)
      byKind.set(r.kind, k)
    }

    for (const r of results) {
      expect(r.closedBy, `${r.kind} closed by`).to.equal(r.kind === 'reset' ? 'attacker' : 'node')
      const member = r.kind === 'stuck-reader' || r.kind === 'replayer' || r.kind === 'garbage-after-handshake'
      // Not a byte for a non-member, except the one answer a version-1 node can read.
      if (!member && r.kind !== 'version1') expect(r.received, `${r.kind} got bytes back`).to.equal(0)
    }

    expect(versionReplies.length, 'version-1 nodes answered').to.be.greaterThan(0)
    for (const reply of versionReplies) {
      expect(reply.readUInt32BE(0)).to.equal(reply.length - 4)
      expect(JSON.parse(reply.subarray(4).toString('utf8'))).to.include({type: 'error', code: 'version'})
    }

    expect(a.child.exitCode, 'A is still running').to.equal(null)
    expect(after.rss, 'RSS after').to.be.below(RSS_LIMIT_MIB)
    expect(after.peak, 'peak RSS').to.be.below(RSS_LIMIT_MIB)

    const closedByNode = results.filter((r) => r.closedBy === 'node').length
    const refusedFast = results.filter(
      (r) => (SLOW_KINDS as readonly string[]).includes(r.kind) && r.lifetimeMs < HANDSHAKE_TIMEOUT_MS / 2,
    ).length
    const maxRaw = Math.max(
      ...results
        .filter((r) => !['garbage-after-handshake', 'replayer', 'stuck-reader'].includes(r.kind))
        .map((r) => r.lifetimeMs),
    )
    console.log(
      `      siege: ${results.length} attacker connections in ${WAVES} waves; closed by the node ${closedByNode}, ` +
        `by the attacker (RST) ${results.length - closedByNode - results.filter((r) => r.closedBy === 'test').length}, by the test ${results.filter((r) => r.closedBy === 'test').length}; ` +
        `slow ones refused at once ${refusedFast}; longest raw socket ${(maxRaw / 1000).toFixed(1)} s; ` +
        `A RSS before ${mib(before.rss)}, after ${mib(after.rss)}, peak ${mib(after.peak)}; ` +
        `delivery ${delivery.join(', ')} exactly once; warnings at A ${[...warnings].map(([k, n]) => `${k}×${n}`).join(' ')}; ` +
        `${((performance.now() - startedAt) / 1000).toFixed(0)} s`,
    )
    console.log(
      `      by kind: ${[...byKind]
        .map(
          ([kind, k]) =>
            `${kind} ${k.n} (${Object.entries(k.closedBy)
              .map(([who, n]) => `${who} ${n}`)
              .join(', ')}; ≤${(k.maxMs / 1000).toFixed(1)} s)`,
        )
        .join('; ')}`,
    )

    // --- and everyone leaves cleanly ---
    for (const h of honest) h.proc.type('/quit')
    for (const h of honest) expect(await h.proc.exited, `${h.name} exit`).to.deep.equal({code: 0, signal: null})
  })
})

// One member of the room against the per-connection limits: requests that cost more to answer than to send, a flood
// of pings (every frame costs the node a decryption), and a reader that stops reading. In-process nodes: no CLI.
describe('siege: one member against the per-connection limits (in-process)', function () {
  this.timeout(60_000)
  let attacks: Attack[] = []

  afterEach(() => {
    for (const a of attacks) a.abort('test')
    attacks = []
  })
  // Declared after the attacks' hook: the attackers stop first, then the nodes.
  const nodes = useNodes()
  const node = (name: string): Promise<ChatNode> => nodes.start(name)

  async function member(port: number): Promise<MemberAttack> {
    const m = launch('member', {port, random: prng(SEED), name: 'flooder'}) as MemberAttack
    attacks.push(m)
    expect(await within(m.established, 10_000, false), 'handshake').to.equal(true)
    return m
  }

  it('answers history once per connection, not once per request (a 40-byte request buys up to 50 messages)', async () => {
    const a = await node('A')
    const b = await node('B')
    await b.connect('127.0.0.1', a.info.port)
    const atA: string[] = []
    a.on('message', (m) => atA.push(m.text))
    for (let i = 0; i < DEFAULT_HISTORY_MESSAGES; i++) b.send(`remember me ${i} ${'r'.repeat(300)}`)
    expect(
      await within(
        new Promise<boolean>((resolve) => {
          a.on('message', () => atA.length === DEFAULT_HISTORY_MESSAGES && resolve(true))
        }),
        20_000,
        false,
      ),
    ).to.equal(true)

    const m = await member(a.info.port)
    const requests = 100
    for (let i = 0; i < requests; i++) {
      m.send({type: 'history_request', n: DEFAULT_HISTORY_MESSAGES})
      // A fence per request: the pong comes after whatever the node wrote for the request.
      m.send({type: 'ping', n: i})
      if (
        !(await within(
          m.until(() => m.lastPong >= i),
          10_000,
          false,
        ))
      )
        break
    }

    const answered = m.historyMessages
    console.log(
      `      history flood: ${requests} requests of ~40 bytes → ${answered} signed messages, ${m.receivedBytes.toLocaleString('en')} bytes; closed by the node: ${m.isClosed}`,
    )
    // Bounded: one answer (a newcomer asks once), or the connection closed for asking again.
    expect(answered, 'history messages served to one connection').to.be.at.most(DEFAULT_HISTORY_MESSAGES)
  })

  it('drops a member that stops reading once 1 MiB waits for it, instead of buffering', async () => {
    // No heartbeat drop here (dead after 2 min): only the outbox cap can end this connection.
    const a = await nodes.start('A', {connection: {deadAfterMs: 120_000}})
    const stuck = launch('stuck-reader', {port: a.info.port, random: prng(SEED), name: 'stuck'}) as MemberAttack
    attacks.push(stuck)
    expect(await within(stuck.established, 10_000, false)).to.equal(true)
    await within(
      new Promise((resolve) => {
        if (a.peers().length > 0) resolve(true)
        else a.once('peer_joined', resolve)
      }),
      10_000,
      false,
    )
    const left = new Promise<string>((resolve) => {
      a.on('peer_left', (p) => resolve(p.reason))
    })
    // ~4 KiB per message; the kernel takes a few MB on loopback before Node's own buffer grows at all.
    const text = 'x'.repeat(3990)
    let sent = 0
    let reason: string | undefined
    while (reason === undefined && sent < 5000) {
      for (let i = 0; i < 100; i++) a.send(`${text} ${sent++}`)
      await a.flush()
      reason = await within(left, 0, undefined)
    }

    reason ??= await within(left, 10_000, undefined)
    console.log(
      `      stuck reader: dropped after ${sent} messages (~${((sent * 4.1) / 1024).toFixed(1)} MiB) with "${reason}"`,
    )
    expect(reason).to.match(/not reading/)
    stuck.drain()
    expect((await stuck.deadline(10_000)).closedBy).to.equal('node')
  })

  it('counts pings against the per-connection frame limit: a burst far over it is cut off', async () => {
    const a = await node('A')
    const warnings: NodeWarning[] = []
    a.on('warning', (w) => warnings.push(w))
    const m = await member(a.info.port)
    const burst = 5 * HOP_FRAME_BURST
    for (let i = 0; i < burst; i++) m.send({type: 'ping', n: i})
    // Either every ping was answered (the last pong arrives) or the node cut the connection.
    await within(
      m.until(() => m.lastPong >= burst - 1),
      30_000,
      false,
    )
    // The node logs the cut once its side of the socket has closed too.
    if (m.isClosed)
      await within(
        new Promise((resolve) => {
          if (warnings.length > 0) resolve(true)
          else a.once('warning', resolve)
        }),
        10_000,
        false,
      )
    console.log(
      `      ping flood: ${burst.toLocaleString('en')} pings → ${(m.frameTypes.get('pong') ?? 0).toLocaleString('en')} pongs; closed by the node: ${m.isClosed}; warnings ${warnings.map((w) => w.code).join(' ') || 'none'}`,
    )
    expect(m.isClosed, 'the flooder was disconnected').to.equal(true)
    expect(warnings.map((w) => w.code)).to.include('rate_limited')
  })
})
