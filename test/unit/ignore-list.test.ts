import {expect} from 'chai'
import {mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {parseLine} from '../../src/repl/commands.js'
import {complete} from '../../src/repl/complete.js'
import {IgnoreList, ignoreListPath, type IgnoreProblem, MAX_IGNORED} from '../../src/repl/ignore-list.js'

describe('ignore list', () => {
  let dir = ''

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'chat-ignore-'))
  })

  afterEach(() => rmSync(dir, {recursive: true, force: true}))

  it('lives beside the identity file', () => {
    expect(ignoreListPath('/x/identities/node-5000.pem')).to.equal('/x/identities/node-5000.ignored.json')
    expect(ignoreListPath('/x/me.key')).to.equal('/x/me.key.ignored.json')
  })

  it('is kept across instances (a restart), privately, and forgets on /unignore', () => {
    const path = join(dir, 'sub', 'node-1.ignored.json')
    const first = new IgnoreList({path})
    expect(first.add({id: 'id-eve', name: 'Eve'})).to.equal(true)
    expect(first.add({id: 'id-eve', name: 'Eve'}), 'twice').to.equal(false)
    expect(statSync(path).mode & 0o777).to.equal(0o600)
    const second = new IgnoreList({path})
    expect(second.has('id-eve')).to.equal(true)
    expect(second.list()).to.deep.equal([{id: 'id-eve', name: 'Eve'}])
    expect(second.remove('id-eve')).to.equal(true)
    expect(new IgnoreList({path}).size).to.equal(0)
  })

  it('reports a damaged file and starts empty; a missing one is simply empty', () => {
    const problems: IgnoreProblem[] = []
    const path = join(dir, 'bad.json')
    writeFileSync(path, '{"ignored": 42')
    expect(new IgnoreList({path, onProblem: (m) => problems.push(m)}).size).to.equal(0)
    expect(problems[0]).to.include({kind: 'corrupt', path})
    expect(new IgnoreList({path: join(dir, 'none.json'), onProblem: (m) => problems.push(m)}).size).to.equal(0)
    expect(problems).to.have.length(1)
  })

  it('is bounded', () => {
    const list = new IgnoreList({path: join(dir, 'big.json')})
    for (let i = 0; i < MAX_IGNORED + 5; i++) list.add({id: `id-${i}`, name: `n${i}`})
    expect(list.size).to.equal(MAX_IGNORED)
    expect(JSON.parse(readFileSync(join(dir, 'big.json'), 'utf8')).ignored).to.have.length(MAX_IGNORED)
  })
})

describe('/ignore, /unignore, /retry parsing and completion', () => {
  it('parses them', () => {
    expect(parseLine('/ignore')).to.deep.equal({kind: 'ignore'})
    expect(parseLine('/ignore  Eve ')).to.deep.equal({kind: 'ignore', who: 'Eve'})
    expect(parseLine('/ignore "Ana Maria"')).to.deep.equal({kind: 'ignore', who: 'Ana Maria'})
    expect(parseLine('/ignore @ab12:cd34')).to.deep.equal({kind: 'ignore', who: 'ab12:cd34'})
    expect(parseLine('/unignore')).to.deep.equal({kind: 'usage', command: 'unignore'})
    expect(parseLine('/UNIGNORE Eve')).to.deep.equal({kind: 'unignore', who: 'Eve'})
    expect(parseLine('/retry')).to.deep.equal({kind: 'retry'})
    expect(parseLine('/retry 127.0.0.1:22')).to.deep.equal({kind: 'retry', host: '127.0.0.1', port: 22})
    expect(parseLine('/retry 127.0.0.1 22')).to.deep.equal({kind: 'retry', host: '127.0.0.1', port: 22})
    expect(parseLine('/retry nonsense')).to.deep.equal({kind: 'usage', command: 'retry'})
  })

  it('completes /ignore with peer names and /unignore with the ignored ones', () => {
    const sources = {
      commands: [
        {name: 'ignore', args: ['peer'] as const},
        {name: 'unignore', args: ['ignored'] as const},
      ],
      peers: ['Pedro', 'Eve'],
      ignored: ['Mallory'],
    }
    expect(complete('/ignore Pe', 10, sources).text).to.equal('/ignore Pedro ')
    expect(complete('/unignore M', 11, sources).text).to.equal('/unignore Mallory ')
    expect(complete('/unignore Pe', 12, sources).candidates).to.deep.equal([])
  })
})

describe('human output of /peers with a cool-down list, and of /ignore', () => {
  it('lists the cool-down entries after the peers, and the ignored authors, in both languages', async () => {
    const {HumanSink} = await import('../../src/repl/human-sink.js')
    const {catalogs} = await import('../../src/repl/i18n.js')
    const lines: string[] = []
    const printer = {out: (line: string) => lines.push(line), err: (line: string) => lines.push(`ERR ${line}`)}
    const entry = {
      target: '127.0.0.1:22',
      code: 'bad_length',
      addresses: ['127.0.0.1:22'],
      ids: [],
      ips: [],
      until: 61_000,
      strikes: 1,
    }
    for (const lang of ['en', 'pt'] as const)
      new HumanSink(catalogs[lang], printer, {now: () => 1000}).peers([], [entry])
    expect(lines).to.deep.equal([
      'No peers connected.',
      'Cooling down (1): not redialled nor let in; /retry clears.',
      '  127.0.0.1:22: bad_length, 60 s left',
      'Nenhum peer conectado.',
      'Em espera (1): não rediscados nem aceitos; /retry esvazia.',
      '  127.0.0.1:22: bad_length, faltam 60 s',
    ])
    lines.length = 0
    const sink = new HumanSink(catalogs.en, printer)
    sink.ignoreList([], 0)
    sink.ignoreList([{id: 'not-a-key', name: 'Eve\u001B[31m'}], 1)
    expect(lines).to.deep.equal([
      'Nobody is ignored. /ignore NAME ignores an author.',
      'Ignored (1): Eve ?. 1 message hidden this session.',
    ])
  })
})
