import {expect} from 'chai'

import {wordLeft, wordRight} from '../../src/repl/words.js'

describe('moving by word', () => {
  const text = 'oi  Ana, tudo bem?'

  it('goes to the start of the word before the cursor, over spaces first', () => {
    expect(wordLeft(text, text.length)).to.equal(14) // bem?
    expect(wordLeft(text, 14)).to.equal(9) // tudo
    expect(wordLeft(text, 5)).to.equal(4) // inside "Ana," to its start
    expect(wordLeft(text, 4)).to.equal(0) // over the two spaces to "oi"
    expect(wordLeft(text, 0)).to.equal(0)
  })

  it('goes to the end of the word after the cursor, over spaces first', () => {
    expect(wordRight(text, 0)).to.equal(2)
    expect(wordRight(text, 2)).to.equal(8) // over the spaces, to the end of "Ana,"
    expect(wordRight(text, 14)).to.equal(text.length)
    expect(wordRight(text, text.length)).to.equal(text.length)
  })

  it('never splits an emoji: surrogates are not spaces, so a word move lands beside it', () => {
    const emoji = 'ok 👍 sim'
    expect(wordLeft(emoji, 5)).to.equal(3)
    expect(wordRight(emoji, 2)).to.equal(5)
  })
})
