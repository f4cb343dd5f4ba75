import {expect} from 'chai'

import {markMentions, mentionRanges, mentions} from '../../src/repl/mention.js'

describe('repl mentions', () => {
  it('finds @Name in any case, as a whole word', () => {
    expect(mentions('hi @Julia', 'Julia')).to.equal(true)
    expect(mentions('@julia: look', 'Julia')).to.equal(true)
    expect(mentions('HEY @JULIA!', 'Julia')).to.equal(true)
    expect(mentions('(@Julia)', 'Julia')).to.equal(true)
    expect(mentions('@Julia.', 'Julia')).to.equal(true)
  })

  it('does not ring for a longer name, an e-mail address or a bare name', () => {
    expect(mentions('hi @Juliana', 'Julia')).to.equal(false)
    expect(mentions('julia@Julia.org', 'Julia')).to.equal(false)
    expect(mentions('hi Julia', 'Julia')).to.equal(false)
    expect(mentions('@@Julia', 'Julia')).to.equal(false)
    expect(mentions('@Julia_2', 'Julia')).to.equal(false)
    expect(mentions('@Julia-x', 'Julia')).to.equal(false)
  })

  it('handles accents and names with regex characters', () => {
    expect(mentions('oi @joão, tudo bem?', 'João')).to.equal(true)
    expect(mentions('oi @João2', 'João')).to.equal(false)
    expect(mentions('ping @a.b+c', 'a.b+c')).to.equal(true)
    expect(mentions('ping @aXb+c', 'a.b+c')).to.equal(false)
    expect(mentions('hi @Ana Maria', 'Ana Maria')).to.equal(true)
  })

  it('never matches an empty name', () => {
    expect(mentions('@ hello', '')).to.equal(false)
    expect(mentions('@ hello', '  ')).to.equal(false)
  })

  it('reports where the mentions are and marks each', () => {
    expect(mentionRanges('@Ana e @ana', 'Ana')).to.deep.equal([
      [0, 4],
      [7, 11],
    ])
    expect(markMentions('oi @Ana e @ana!', 'Ana', (s) => `<${s}>`)).to.equal('oi <@Ana> e <@ana>!')
    expect(markMentions('nothing here', 'Ana', (s) => `<${s}>`)).to.equal('nothing here')
  })
})
