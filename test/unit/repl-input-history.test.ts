import {expect} from 'chai'
import {chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {basename, dirname, join} from 'node:path'

import {
  InputHistory,
  inputHistoryPath,
  isRecallable,
  loadHistoryFile,
  MAX_INPUT_HISTORY,
  parseHistory,
  remember,
  saveHistoryFile,
  serializeHistory,
} from '../../src/repl/input-history.js'

describe('repl input history', () => {
  let dir: string

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'chat-input-history-'))
  })

  afterEach(() => {
    rmSync(dir, {recursive: true, force: true})
  })

  describe('what is remembered', () => {
    it('keeps typed lines and commands, not blanks nor /quit', () => {
      expect(isRecallable('hello')).to.equal(true)
      expect(isRecallable('/connect 127.0.0.1 5000')).to.equal(true)
      expect(isRecallable('   ')).to.equal(false)
      expect(isRecallable('/quit')).to.equal(false)
      expect(isRecallable('/QUIT now')).to.equal(false)
      expect(isRecallable('x'.repeat(9000))).to.equal(false)
    })

    it('moves a repeated line to the end instead of storing it twice', () => {
      expect(remember(['a', 'b', 'c'], 'a')).to.deep.equal(['b', 'c', 'a'])
      expect(remember(['a'], '/quit')).to.deep.equal(['a'])
    })

    it('is bounded, dropping the oldest lines', () => {
      let lines: string[] = []
      for (let i = 0; i < MAX_INPUT_HISTORY + 100; i++) lines = remember(lines, `line ${i}`)
      expect(lines).to.have.length(MAX_INPUT_HISTORY)
      expect(lines[0]).to.equal('line 100')
      expect(lines.at(-1)).to.equal(`line ${MAX_INPUT_HISTORY + 99}`)
      expect(remember(['a', 'b', 'c'], 'd', 2)).to.deep.equal(['c', 'd'])
    })
  })

  describe('the file', () => {
    it('is one JSON string per line, and reads back what was written', () => {
      const lines = ['plain', 'with "quotes" and \\ and \u001B[31m', 'ção 日本']
      expect(serializeHistory(['a', 'b'])).to.equal('"a"\n"b"\n')
      expect(parseHistory(serializeHistory(lines))).to.deep.equal(lines)
    })

    it('skips garbage, cut lines and what is not worth recalling', () => {
      expect(parseHistory('"ok"\nnot json\n42\n"/quit"\n{"a":1}\n"also ok"\n"cut')).to.deep.equal(['ok', 'also ok'])
      expect(parseHistory(serializeHistory(['a', 'b', 'c']), 2)).to.deep.equal(['b', 'c'])
    })

    it('gives every name one plain file under input-history/', () => {
      expect(inputHistoryPath('/data', 'Julia')).to.equal('/data/input-history/Julia.jsonl')
      for (const name of ['../etc/passwd', 'a/b', '.', '..', '', 'Ju*lia', 'João 👍', 'x'.repeat(64)]) {
        const path = inputHistoryPath('/data', name)
        expect(dirname(path)).to.equal('/data/input-history')
        expect(basename(path)).not.to.match(/^\.|[/*]/)
        expect(basename(path).length).to.be.below(120)
      }

      expect(inputHistoryPath('/data', 'a/b')).not.to.equal(inputHistoryPath('/data', 'a_b'))
      expect(inputHistoryPath('/data', 'x'.repeat(64))).not.to.equal(inputHistoryPath('/data', `${'x'.repeat(63)}y`))
    })

    it('is written atomically and privately, leaving no temporary file', () => {
      const path = inputHistoryPath(dir, 'Julia')
      saveHistoryFile(path, ['one', 'two'])
      expect(loadHistoryFile(path)).to.deep.equal(['one', 'two'])
      expect(readdirSync(dirname(path))).to.deep.equal(['Julia.jsonl'])
      expect(statSync(path).mode & 0o777).to.equal(0o600)
      expect(loadHistoryFile(join(dir, 'missing.jsonl'))).to.deep.equal([])
    })
  })

  describe('InputHistory', () => {
    it('is in memory only without a path', () => {
      const history = new InputHistory()
      history.add('a')
      history.add('')
      expect(history.lines).to.deep.equal(['a'])
      expect(readdirSync(dir)).to.deep.equal([])
    })

    it('keeps lines across sessions, bounded on disk too', () => {
      const path = inputHistoryPath(dir, 'Julia')
      const first = new InputHistory({path, max: 3})
      for (const line of ['a', 'b', '/quit', 'c', 'd']) first.add(line)
      expect(first.lines).to.deep.equal(['b', 'c', 'd'])
      expect(readFileSync(path, 'utf8')).to.equal('"b"\n"c"\n"d"\n')
      expect(new InputHistory({path, max: 3}).lines).to.deep.equal(['b', 'c', 'd'])
    })

    it('merges two sessions under the same name instead of one overwriting the other', () => {
      const path = inputHistoryPath(dir, 'Julia')
      const one = new InputHistory({path})
      const two = new InputHistory({path})
      one.add('from one')
      two.add('from two')
      expect(new InputHistory({path}).lines).to.deep.equal(['from one', 'from two'])
    })

    it('recalls /msg lines in this session but never writes them, and scrubs them from an older file', () => {
      const path = inputHistoryPath(dir, 'Julia')
      const history = new InputHistory({path})
      for (const line of ['hello', '/msg Pedro the secret', '/MSG "Ana Maria" psst', '/msg', 'bye']) history.add(line)
      expect(history.lines).to.deep.equal(['hello', '/msg Pedro the secret', '/MSG "Ana Maria" psst', '/msg', 'bye'])
      const onDisk = readFileSync(path, 'utf8')
      expect(onDisk).to.equal('"hello"\n"bye"\n')
      // a file an older version wrote, with a private line in it
      writeFileSync(path, '"hello"\n"/msg Pedro old secret"\n"bye"\n', {mode: 0o600})
      expect(new InputHistory({path}).lines).to.deep.equal(['hello', 'bye'])
      expect(readFileSync(path, 'utf8')).to.equal('"hello"\n"bye"\n')
    })

    it('reports a file it cannot write once, and keeps working in memory', () => {
      if (process.getuid?.() === 0) {
        // root writes through permissions: make the directory a file instead
        writeFileSync(join(dir, 'input-history'), 'not a directory')
      } else {
        mkdirSync(join(dir, 'input-history'))
        chmodSync(join(dir, 'input-history'), 0o500)
      }

      const problems: string[] = []
      const history = new InputHistory({path: inputHistoryPath(dir, 'Julia'), onProblem: (m) => problems.push(m)})
      history.add('a')
      history.add('b')
      expect(history.lines).to.deep.equal(['a', 'b'])
      expect(problems).to.have.length(1)
    })
  })
})
