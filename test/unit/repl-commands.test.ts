import {expect} from 'chai'

import {explainBadAddress, parseAddress, parsePort} from '../../src/p2p/address.js'
import {COMMANDS, isCommandName, isQuitLine, parseLine} from '../../src/repl/commands.js'

const usage = {kind: 'usage', command: 'connect'}

describe('repl parseLine', () => {
  it('ignores blank lines', () => {
    expect(parseLine('')).to.deep.equal({kind: 'empty'})
    expect(parseLine('   ')).to.deep.equal({kind: 'empty'})
    expect(parseLine('\t \r')).to.deep.equal({kind: 'empty'})
  })

  it('takes any line not starting with / as a message, as typed', () => {
    expect(parseLine('ola')).to.deep.equal({kind: 'message', text: 'ola'})
    expect(parseLine('  hello  there ')).to.deep.equal({kind: 'message', text: '  hello  there '})
    expect(parseLine(' /help')).to.deep.equal({kind: 'message', text: ' /help'})
    expect(parseLine('a/b')).to.deep.equal({kind: 'message', text: 'a/b'})
  })

  it('drops only the trailing CR of a CRLF line', () => {
    expect(parseLine('ola\r')).to.deep.equal({kind: 'message', text: 'ola'})
    expect(parseLine('a\rb')).to.deep.equal({kind: 'message', text: 'a\rb'})
    expect(parseLine('/peers\r')).to.deep.equal({kind: 'peers'})
  })

  it('sends //text as a message starting with a slash', () => {
    expect(parseLine('//shrug')).to.deep.equal({kind: 'message', text: '/shrug'})
  })

  it('parses the commands, case-insensitively', () => {
    expect(parseLine('/help')).to.deep.equal({kind: 'help'})
    expect(parseLine('/HELP')).to.deep.equal({kind: 'help'})
    expect(parseLine('/peers')).to.deep.equal({kind: 'peers'})
    expect(parseLine('/Peers  ')).to.deep.equal({kind: 'peers'})
    expect(parseLine('/quit')).to.deep.equal({kind: 'quit'})
    expect(parseLine('/QUIT')).to.deep.equal({kind: 'quit'})
    expect(parseLine('/quit  ')).to.deep.equal({kind: 'quit'})
    expect(parseLine('/quit até  mais, pessoal ')).to.deep.equal({kind: 'quit', message: 'até  mais, pessoal'})
  })

  it('parses /connect HOST PORT', () => {
    expect(parseLine('/connect 127.0.0.1 5000')).to.deep.equal({kind: 'connect', host: '127.0.0.1', port: 5000})
    expect(parseLine('/CONNECT 127.0.0.1 5000')).to.deep.equal({kind: 'connect', host: '127.0.0.1', port: 5000})
    expect(parseLine('/connect   localhost   1  ')).to.deep.equal({kind: 'connect', host: 'localhost', port: 1})
    expect(parseLine('/connect ::1 65535')).to.deep.equal({kind: 'connect', host: '::1', port: 65_535})
  })

  it('parses /connect HOST:PORT as one argument', () => {
    expect(parseLine('/connect 127.0.0.1:5000')).to.deep.equal({kind: 'connect', host: '127.0.0.1', port: 5000})
    expect(parseLine('/connect [::1]:5000')).to.deep.equal({kind: 'connect', host: '::1', port: 5000})
  })

  it('answers /connect with bad arguments with its usage', () => {
    expect(parseLine('/connect')).to.deep.equal(usage)
    expect(parseLine('/connect 127.0.0.1')).to.deep.equal(usage)
    expect(parseLine('/connect 127.0.0.1 0')).to.deep.equal(usage)
    expect(parseLine('/connect 127.0.0.1 70000')).to.deep.equal(usage)
    expect(parseLine('/connect 127.0.0.1 65536')).to.deep.equal(usage)
    expect(parseLine('/connect 127.0.0.1 abc')).to.deep.equal(usage)
    expect(parseLine('/connect 127.0.0.1 50.5')).to.deep.equal(usage)
    expect(parseLine('/connect 127.0.0.1 -1')).to.deep.equal(usage)
    expect(parseLine('/connect 127.0.0.1 5000 extra')).to.deep.equal(usage)
    expect(parseLine('/connect 127.0.0.1:0')).to.deep.equal(usage)
    expect(parseLine('/connect 127.0.0.1:')).to.deep.equal(usage)
    expect(parseLine('/connect :5000')).to.deep.equal(usage)
    expect(parseLine('/connect ::1')).to.deep.equal(usage)
  })

  it('parses /help with an optional command to explain', () => {
    expect(parseLine('/help connect')).to.deep.equal({kind: 'help', topic: 'connect'})
    expect(parseLine('/help /CONNECT')).to.deep.equal({kind: 'help', topic: 'connect'})
    expect(parseLine('/help nope')).to.deep.equal({kind: 'help', topic: 'nope'})
    expect(parseLine('/help   ')).to.deep.equal({kind: 'help'})
  })

  it('parses /me ACTION, keeping the action as typed', () => {
    expect(parseLine('/me waves')).to.deep.equal({kind: 'me', action: 'waves'})
    expect(parseLine('/ME waves  at   everyone  ')).to.deep.equal({kind: 'me', action: 'waves  at   everyone'})
    expect(parseLine('/me')).to.deep.equal({kind: 'usage', command: 'me'})
    expect(parseLine('/me    ')).to.deep.equal({kind: 'usage', command: 'me'})
    expect(parseLine('/mewaves')).to.deep.equal({kind: 'unknown', name: 'mewaves'})
  })

  it('parses /history [N], N from 1 to 1000, 20 by default', () => {
    expect(parseLine('/history')).to.deep.equal({kind: 'history', count: 20})
    expect(parseLine('/history 5')).to.deep.equal({kind: 'history', count: 5})
    expect(parseLine('/HISTORY 1000')).to.deep.equal({kind: 'history', count: 1000})
    for (const bad of ['0', '1001', '-3', 'abc', '2.5', '5 6', '99999999999']) {
      expect(parseLine(`/history ${bad}`)).to.deep.equal({kind: 'usage', command: 'history'})
    }
  })

  it('knows its commands by name, in /help order', () => {
    expect(COMMANDS.map((c) => c.name)).to.deep.equal([
      'help',
      'connect',
      'peers',
      'who',
      'msg',
      'me',
      'history',
      'ignore',
      'unignore',
      'retry',
      'quit',
    ])
    expect(parseLine('/who')).to.deep.equal({kind: 'who'})
    expect(parseLine('/NAMES')).to.deep.equal({kind: 'who'})
    expect(isCommandName('peers')).to.equal(true)
    expect(isCommandName('msg')).to.equal(true)
    expect(isCommandName('nope')).to.equal(false)
    expect(isQuitLine('/quit')).to.equal(true)
    expect(isQuitLine('/Quit bye')).to.equal(true)
    expect(isQuitLine('quit')).to.equal(false)
  })

  it('reports anything else after a slash as unknown, with the name as typed', () => {
    expect(parseLine('/foo')).to.deep.equal({kind: 'unknown', name: 'foo'})
    expect(parseLine('/Foo bar baz')).to.deep.equal({kind: 'unknown', name: 'Foo'})
    expect(parseLine('/')).to.deep.equal({kind: 'unknown', name: ''})
    expect(parseLine('/ help')).to.deep.equal({kind: 'unknown', name: ''})
  })
})

describe('address parsing (p2p/address)', () => {
  it('accepts decimal ports 1 to 65535 only', () => {
    expect(parsePort('1')).to.equal(1)
    expect(parsePort('65535')).to.equal(65_535)
    expect(parsePort('0')).to.equal(undefined)
    expect(parsePort('65536')).to.equal(undefined)
    expect(parsePort('1e3')).to.equal(undefined)
    expect(parsePort('0x10')).to.equal(undefined)
    expect(parsePort('+80')).to.equal(undefined)
    expect(parsePort('')).to.equal(undefined)
  })

  it('splits HOST:PORT', () => {
    expect(parseAddress('127.0.0.1:5000')).to.deep.equal({host: '127.0.0.1', port: 5000})
    expect(parseAddress('[fe80::1]:80')).to.deep.equal({host: 'fe80::1', port: 80})
    expect(parseAddress('127.0.0.1')).to.equal(undefined)
    expect(parseAddress('a:b:1')).to.equal(undefined)
    expect(parseAddress('[]:80')).to.equal(undefined)
  })
})

describe('explainBadAddress', () => {
  it('says whether the port or the whole address is wrong', () => {
    expect(explainBadAddress('127.0.0.1:0')).to.match(/no valid port/)
    expect(explainBadAddress('nohost')).to.match(/expected HOST:PORT/)
    expect(explainBadAddress('a:b:c')).to.match(/expected HOST:PORT/)
  })
})
