import {expect} from 'chai'
import * as fc from 'fast-check'

import {charWidth, displayWidth, fitLine, padEnd} from '../../src/repl/width.js'

/** The character drawn at a terminal column of `text`, if any starts there. */
function charAtColumn(text: string, column: number): string | undefined {
  let at = 0
  for (const ch of text) {
    if (at === column) return ch
    at += displayWidth(ch)
  }

  return undefined
}

describe('repl width', () => {
  it('counts terminal columns: wide CJK and emoji take two, combining marks none', () => {
    expect(displayWidth('abc')).to.equal(3)
    expect(displayWidth('não')).to.equal(3)
    expect(displayWidth('na\u0303o')).to.equal(3)
    expect(displayWidth('日本語')).to.equal(6)
    expect(displayWidth('ok 👍')).to.equal(5)
    expect(charWidth('\u200D')).to.equal(0)
  })

  it('pads to a width in columns and never truncates', () => {
    expect(padEnd('日本', 6)).to.equal('日本  ')
    expect(padEnd('abcdef', 3)).to.equal('abcdef')
  })

  describe('fitLine', () => {
    it('shows a line that fits whole, the cursor at its column', () => {
      expect(fitLine('hello', 5, 20)).to.deep.equal({text: 'hello', cursor: 5})
      expect(fitLine('日本', 1, 20)).to.deep.equal({text: '日本', cursor: 2})
    })

    it('cuts a long line on the right while the cursor is near the start', () => {
      expect(fitLine('abcdefghijklmnop', 2, 10)).to.deep.equal({text: 'abcdefghi…', cursor: 2})
    })

    it('scrolls so the cursor stays visible, with an ellipsis where text is cut', () => {
      expect(fitLine('abcdefghijklmnop', 16, 10)).to.deep.equal({text: '…ijklmnop', cursor: 9})
      expect(fitLine('abcdefghijklmnop', 12, 10)).to.deep.equal({text: '…fghijklm…', cursor: 8})
    })

    it('never hides a wide character under the cursor behind the ellipsis', () => {
      const view = fitLine('abcdefgh日本語xyz', 9, 10)
      expect(view).to.deep.equal({text: '…efgh日本…', cursor: 7})
      expect(charAtColumn(view.text, view.cursor)).to.equal('本')
    })

    it('always fits the width, keeps the cursor inside it and shows the character under it', () => {
      const char = fc.constantFrom('a', 'b', ' ', 'ã', '日', '語', '👍')
      fc.assert(
        fc.property(fc.array(char, {maxLength: 80}), fc.nat(), fc.integer({min: 4, max: 60}), (chars, c, width) => {
          const text = chars.join('')
          const cursor = chars.length === 0 ? 0 : c % (chars.length + 1)
          const view = fitLine(text, cursor, width)
          expect(displayWidth(view.text)).to.be.at.most(width)
          expect(view.cursor).to.be.below(width)
          // the column of the cursor in the view holds the character under the cursor
          expect(charAtColumn(view.text, view.cursor)).to.equal(cursor < chars.length ? chars[cursor] : undefined)
        }),
      )
    })
  })
})
