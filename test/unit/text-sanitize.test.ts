import {expect} from 'chai'

import {escapeJsonLine, REPLACEMENT, sanitize, toJsonLine} from '../../src/text/sanitize.js'

// Anything a terminal could act on: C0 (but tab), DEL, C1.
const DANGEROUS = /[\u0000-\u0008\u000A-\u001F\u007F-\u009F]/

describe('text sanitize', () => {
  it('leaves ordinary text alone, accents and emoji included', () => {
    expect(sanitize('Olá, você está aí? 🙂 日本')).to.equal('Olá, você está aí? 🙂 日本')
  })

  it('removes ANSI escape sequences', () => {
    expect(sanitize('\u001B[31mred\u001B[0m')).to.equal('red')
    expect(sanitize('a\u001B[2J\u001B[Hb')).to.equal('ab')
    expect(sanitize('\u001B]0;pwned title\u0007name')).to.equal('name')
    expect(sanitize('\u001B]8;;http://evil\u001B\\link\u001B]8;;\u001B\\')).to.equal('link')
    expect(sanitize('\u009B31mx')).to.equal('x')
    expect(sanitize('x\u001Bc')).to.equal('x')
  })

  it('replaces other control characters, so a peer cannot start a fake line', () => {
    expect(sanitize('hi\n[Ana (1.2.3.4:5) said]: fake')).to.equal(`hi${REPLACEMENT}[Ana (1.2.3.4:5) said]: fake`)
    expect(sanitize('a\rb\bc\u0007d\u007Fe\u0085f')).to.equal(['a', 'b', 'c', 'd', 'e', 'f'].join(REPLACEMENT))
    expect(sanitize('a\tb')).to.equal('a b')
    expect(sanitize('abc\u202Edef')).to.equal(`abc${REPLACEMENT}def`)
  })

  it('never lets a control character through, whatever the input', () => {
    let all = ''
    for (let code = 0; code < 0xa0; code++) all += String.fromCodePoint(code)
    const cleaned = sanitize(all + [...all].reverse().join(''))
    expect(cleaned).not.to.match(DANGEROUS)
  })
})

describe('text toJsonLine', () => {
  it('is exact JSON that round-trips, with every control character escaped', () => {
    const value = {event: 'message', text: 'a\u001B[31m\u009B\u2028z\n', name: 'Ped\u0000ro'}
    const line = toJsonLine(value)
    expect(line).not.to.match(DANGEROUS)
    expect(line).not.to.include('\u2028')
    expect(JSON.parse(line)).to.deep.equal(value)
  })

  it('escapes bidi marks, overrides and isolates, which could reorder what a script or a terminal shows', () => {
    // Drift bug: `chat start --json` printed a raw U+202E that the history file escaped.
    const value = {text: 'a\u202Eb\u202Ac\u2066d\u2069e\u200Ff\u061Cg'}
    const line = toJsonLine(value)
    expect(line).not.to.match(/[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/)
    expect(line).to.include(String.raw`\u202e`)
    expect(JSON.parse(line)).to.deep.equal(value)
  })

  it('escapeJsonLine escapes an already serialised line the same way', () => {
    expect(escapeJsonLine('"\u0085\u202E"')).to.equal(String.raw`"\u0085\u202e"`)
    const value = {t: '\u009B\u2028\u2067'}
    expect(escapeJsonLine(JSON.stringify(value))).to.equal(toJsonLine(value))
  })
})
