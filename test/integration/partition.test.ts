// Partition and heal with real `chat start` processes: six nodes in two halves joined through one link the test
// controls. While the link is cut each half says 20 messages; after it heals every node shows every one of the 40
// exactly once, within 30 s (reconciliation over the healed link, then late messages passed on through each half),
// and the six history files hold the same messages.
import {expect} from 'chai'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {type ChatProcess, freePort, useChatNodes} from '../helpers/cli.js'
import {ControlledLink} from '../helpers/link.js'

describe('partition and heal (integration)', function () {
  this.timeout(120_000)
  // Degree 0: nobody dials what it learns, so the halves meet only through the controlled link.
  const nodes = useChatNodes({extra: ['--degree', '0']})
  const startNode = nodes.start.bind(nodes)
  let link: ControlledLink | undefined

  afterEach(async () => {
    await link?.cut()
    link = undefined
  })

  /** Lines showing `text` as said by someone or as one's own. */
  const shown = (proc: ChatProcess, text: string): number =>
    proc.lines.filter((line) => line.endsWith(`said]: ${text}`) || line === `You: ${text}`).length

  it('six nodes in two halves: 20 messages each side while cut; after the heal every node shows all 40 once', async () => {
    const ports = await Promise.all(Array.from({length: 7}, () => freePort()))
    const [pa1, pa2, pa3, pb1, pb2, pb3, plink] = ports
    const a1 = await startNode('A1', pa1)
    const a2 = await startNode('A2', pa2, ['--join', `127.0.0.1:${pa1}`])
    const a3 = await startNode('A3', pa3, ['--join', `127.0.0.1:${pa1}`])
    link = await ControlledLink.open(plink, {host: '127.0.0.1', port: pa1})
    const b1 = await startNode('B1', pb1, ['--join', `127.0.0.1:${plink}`])
    const b2 = await startNode('B2', pb2, ['--join', `127.0.0.1:${pb1}`])
    const b3 = await startNode('B3', pb3, ['--join', `127.0.0.1:${pb1}`])
    const halfA = [a1, a2, a3]
    const halfB = [b1, b2, b3]
    const all = [...halfA, ...halfB]
    await b1.waitForLine(`* B3 (127.0.0.1:${pb3}) joined.`)
    await a1.waitForLine(`* A3 (127.0.0.1:${pa3}) joined.`)
    a2.type('before the cut')
    for (const proc of [a1, a3, ...halfB]) await proc.waitForLine(/said\]: before the cut$/)

    await link.cut()
    // A cut link reaches each end as a close (a leave) or a reset (a peer lost to the network): either line says it.
    await a1.waitForLine(/^\* (?:B1 .* left|Lost B1 )/)
    await b1.waitForLine(/^\* (?:A1 .* left|Lost A1 )/)
    const texts: string[] = []
    for (let i = 0; i < 20; i++) {
      halfA[i % 3].type(`a ${i}`)
      halfB[i % 3].type(`b ${i}`)
      texts.push(`a ${i}`, `b ${i}`)
    }

    for (const proc of halfA) await proc.waitForLine(/: a 19$/)
    for (const proc of halfB) await proc.waitForLine(/: b 19$/)

    const healedAt = Date.now()
    await link.heal()
    for (const proc of all) {
      for (const text of texts)
        await proc.waitForLine(new RegExp(`(said\\]|^You): ${text}$`), {
          timeoutMs: Math.max(1000, healedAt + 30_000 - Date.now()),
        })
    }

    console.log(`      all 40 messages on all six nodes ${Date.now() - healedAt} ms after the heal`)
    // One more live message through the healed mesh: anything still in flight arrived before it.
    b3.type('after the heal')
    for (const proc of [...halfA, b1, b2]) await proc.waitForLine(/said\]: after the heal$/)
    for (const proc of all)
      for (const text of texts) expect(shown(proc, text), `${text} on node ${all.indexOf(proc)}`).to.equal(1)
    // What crossed the cut is marked late, with its author's time.
    expect(a3.lines.filter((line) => /^\(\d\d:\d\d, late\) \[B\d .* said\]: b \d+$/.test(line))).to.have.length(20)

    // The history files agree: the same message ids on every node.
    await Promise.all(
      all.map(async (proc) => {
        proc.type('/quit')
        await proc.exited
      }),
    )
    const idsOf = (port: number): string[] =>
      readFileSync(join(nodes.logDir, `chat_history_${port}.log`), 'utf8')
        .split('\n')
        .filter((line) => line.includes('"message_'))
        .map((line) => (JSON.parse(line) as {id: string}).id)
        .sort()
    const reference = idsOf(pa1)
    expect(reference).to.have.length(42)
    for (const port of [pa2, pa3, pb1, pb2, pb3]) expect(idsOf(port)).to.deep.equal(reference)
  })
})
