import {expect} from 'chai'

import {type ArgKind, COMMANDS} from '../../src/repl/commands.js'
import {complete} from '../../src/repl/complete.js'

const peers = ['Pedro', 'Paula', 'Ana']
const sources = {commands: COMMANDS, peers}
const at = (text: string) => complete(text, text.length, sources)

describe('repl complete', () => {
  it('completes a unique command and adds a space', () => {
    expect(at('/pe')).to.deep.equal({text: '/peers ', cursor: 7, candidates: ['/peers']})
    expect(at('/q')).to.deep.equal({text: '/quit ', cursor: 6, candidates: ['/quit']})
    expect(at('/CO').text).to.equal('/connect ')
  })

  it('extends to the common prefix of several commands and lists them', () => {
    expect(at('/h')).to.deep.equal({text: '/h', cursor: 2, candidates: ['/help', '/history']})
    expect(at('/')).to.include({text: '/', cursor: 1})
    expect(at('/').candidates).to.deep.equal(COMMANDS.map((c) => `/${c.name}`))
    expect(at('/hi').text).to.equal('/history ')
  })

  it('leaves a line alone when nothing matches', () => {
    expect(at('/zz')).to.deep.equal({text: '/zz', cursor: 3, candidates: []})
    expect(at('hello')).to.deep.equal({text: 'hello', cursor: 5, candidates: []})
    expect(at('')).to.deep.equal({text: '', cursor: 0, candidates: []})
    // a leading space or a double slash makes a message, not a command
    expect(at(' /pe').candidates).to.deep.equal([])
    expect(at('//pe').candidates).to.deep.equal([])
  })

  it('completes command names after /help', () => {
    expect(at('/help co').text).to.equal('/help connect ')
    expect(at('/help ').candidates).to.deep.equal(COMMANDS.map((c) => c.name))
    expect(at('/connect 127').candidates).to.deep.equal([])
  })

  it('completes @names anywhere in a message, case-insensitively', () => {
    expect(at('hi @pe')).to.deep.equal({text: 'hi @Pedro ', cursor: 10, candidates: ['@Pedro']})
    expect(at('@a').text).to.equal('@Ana ')
    expect(at('hi @P')).to.deep.equal({text: 'hi @P', cursor: 5, candidates: ['@Pedro', '@Paula']})
    expect(at('/me waves at @Ana').text).to.equal('/me waves at @Ana ')
  })

  it('completes the word at the cursor, keeping what follows', () => {
    expect(complete('hi @Pe there', 6, sources)).to.deep.equal({
      text: 'hi @Pedro there',
      cursor: 10,
      candidates: ['@Pedro'],
    })
    expect(complete('/pe xyz', 3, sources)).to.deep.equal({text: '/peers xyz', cursor: 7, candidates: ['/peers']})
  })

  it('is driven by the command table: a command taking a peer completes names', () => {
    const commands: Array<{name: string; args: readonly ArgKind[]}> = [
      ...COMMANDS,
      {name: 'msg', args: ['peer', 'text']},
    ]
    const withMsg = {commands, peers}
    expect(complete('/ms', 3, withMsg).text).to.equal('/msg ')
    expect(complete('/msg pe', 7, withMsg).text).to.equal('/msg Pedro ')
    expect(complete('/msg ', 5, withMsg).candidates).to.deep.equal(peers)
    // the text after the name is a message: only @names complete there
    expect(complete('/msg Pedro Pa', 13, withMsg).candidates).to.deep.equal([])
    expect(complete('/msg Pedro @Pa', 14, withMsg).text).to.equal('/msg Pedro @Paula ')
  })

  it('completes a name with spaces after /msg, in quotes, from the whole argument typed so far', () => {
    const names = {commands: COMMANDS, peers: ['Ana', 'Ana Maria', 'Pedro']}
    expect(complete('/msg Ana M', 10, names)).to.deep.equal({
      text: '/msg "Ana Maria" ',
      cursor: 17,
      candidates: ['Ana Maria'],
    })
    expect(complete('/msg "ana m', 11, names).text).to.equal('/msg "Ana Maria" ')
    expect(complete('/msg Pe', 7, names).text).to.equal('/msg Pedro ')
    // "Ana" is a whole name and the start of another: Tab lists both and leaves the line
    expect(complete('/msg Ana', 8, names)).to.deep.equal({
      text: '/msg Ana',
      cursor: 8,
      candidates: ['Ana', 'Ana Maria'],
    })
    // a common prefix with a space opens the quote
    const two = {commands: COMMANDS, peers: ['Ana Maria', 'Ana Marta']}
    expect(complete('/msg An', 7, two).text).to.equal('/msg "Ana Mar')
    // past the quoted name is the text: only @names there
    expect(complete('/msg "Ana Maria" Pe', 19, names).candidates).to.deep.equal([])
    expect(complete('/msg "Ana Maria" @Pe', 20, names).text).to.equal('/msg "Ana Maria" @Pedro ')
  })

  it('lists a name once even when two peers share it', () => {
    expect(complete('@Pe', 3, {commands: COMMANDS, peers: ['Pedro', 'Pedro']}).candidates).to.deep.equal(['@Pedro'])
  })
})
