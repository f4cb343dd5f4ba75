import {expect} from 'chai'

import {ansiStyle} from '../../src/repl/style.js'
import {visibleWidth, wrapLine} from '../../src/repl/wrap.js'

const plain = (text: string): string => text.replaceAll(/\u001B\[[\d;]*m|\u0007/g, '')

describe('repl wrapLine', () => {
  it('leaves a line that fits as it is', () => {
    expect(wrapLine('You: short', 20, 5)).to.equal('You: short')
    expect(wrapLine('x'.repeat(20), 20, 5)).to.equal('x'.repeat(20))
  })

  it('breaks between words, continuing under the message text', () => {
    const line = 'You: the quick brown fox jumps over the lazy dog'
    expect(wrapLine(line, 20, 5).split('\n')).to.deep.equal([
      'You: the quick brown',
      '     fox jumps over',
      '     the lazy dog',
    ])
  })

  it('cuts a word only when it is longer than a whole row', () => {
    const rows = wrapLine(`You: ${'x'.repeat(30)} end`, 20, 5).split('\n')
    expect(rows).to.deep.equal(['You: xxxxxxxxxxxxxxx', '     xxxxxxxxxxxxxxx', '     end'])
    for (const row of rows) expect(visibleWidth(row)).to.be.at.most(20)
  })

  it('indents a little when the prefix is past half the row', () => {
    const line = '[Somebody With A Long Name (127.0.0.1:5001) said]: hello there my friend'
    const rows = wrapLine(line, 40, 51).split('\n')
    expect(rows.slice(1).every((row) => row.startsWith('  ') && !row.startsWith('   '))).to.equal(true)
    expect(rows.join(' ').replaceAll(/\s+/g, ' ')).to.equal(line)
  })

  it('counts wide characters as two columns and colour codes as none, and keeps every code', () => {
    const style = ansiStyle(256)
    const line = `[${style.name('id', 'Pedro')} (127.0.0.1:5001) said]: ${style.mention(`olá 日本語 ${style.mentionMark('@Julia')} 👋 fim`)}\u0007`
    const wrapped = wrapLine(line, 36, 32)
    for (const row of wrapped.split('\n')) expect(visibleWidth(row)).to.be.at.most(36)
    expect(plain(wrapped).replaceAll(/\n +/g, ' ')).to.equal(plain(line))
    expect(wrapped.match(/\u001B\[[\d;]*m|\u0007/g)).to.deep.equal(line.match(/\u001B\[[\d;]*m|\u0007/g))
  })
})
