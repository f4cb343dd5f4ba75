import {expect} from 'chai'

import {catalogs, formatAddress, helpLines, resolveLang} from '../../src/repl/i18n.js'

const pedro = {name: 'Pedro', host: '127.0.0.1', port: 5001}

describe('i18n', () => {
  describe('pt', () => {
    const t = catalogs.pt

    it('has the exact sentences of the design', () => {
      expect(t.readyHint).to.equal('Interface pronta. Digite /help para ver os comandos disponíveis.')
      expect(t.received(pedro, 'ola')).to.equal('[Pedro (127.0.0.1:5001) disse]: ola')
      expect(t.own('ola')).to.equal('Você: ola')
      expect(t.prompt('Julia')).to.equal('Julia> ')
      expect(t.peerJoined(pedro)).to.equal('* Pedro (127.0.0.1:5001) entrou.')
      expect(t.peerLeft(pedro, 'quit')).to.equal('* Pedro (127.0.0.1:5001) saiu (quit).')
      expect(t.peersHeader(2)).to.equal('Peers conectados (2):')
      expect(t.peerLine(pedro)).to.equal('  Pedro (127.0.0.1:5001)')
      expect(t.noPeers).to.equal('Nenhum peer conectado.')
      expect(t.unknownCommand('foo')).to.equal(
        'Comando desconhecido: /foo. Digite /help para ver os comandos disponíveis.',
      )
      expect(t.connectUsage).to.equal('Uso: /connect HOST PORT (porta de 1 a 65535)')
      expect(t.connected(pedro)).to.equal('Conectado a Pedro (127.0.0.1:5001).')
      expect(t.connectFailed('could not reach 127.0.0.1:5009: connection refused')).to.equal(
        'Não foi possível conectar: could not reach 127.0.0.1:5009: connection refused',
      )
      expect(t.warning('peer dropped')).to.equal('aviso: peer dropped')
    })

    it('translates send errors, numbers in the Brazilian format', () => {
      const engine = 'message too long: 4,500 characters (the limit is 4,000)'
      expect(t.sendFailed('TOO_LONG', engine, 'x'.repeat(4500))).to.equal(
        'Mensagem longa demais: 4.500 caracteres (o limite é 4.000).',
      )
      expect(t.sendFailed('EMPTY', 'an empty message is not sent', ' ')).to.equal('Mensagem vazia não é enviada.')
      expect(t.sendFailed('WHATEVER', 'disk on fire', 'x')).to.equal('Não foi possível enviar: disk on fire')
    })
  })

  describe('en', () => {
    const t = catalogs.en

    it('has the exact sentences of the design', () => {
      expect(t.readyHint).to.equal('Interface ready. Type /help to see the available commands.')
      expect(t.received(pedro, 'hi')).to.equal('[Pedro (127.0.0.1:5001) said]: hi')
      expect(t.own('hi')).to.equal('You: hi')
      expect(t.prompt('Julia')).to.equal('Julia> ')
      expect(t.peerJoined(pedro)).to.equal('* Pedro (127.0.0.1:5001) joined.')
      expect(t.peerLeft(pedro, 'quit')).to.equal('* Pedro (127.0.0.1:5001) left (quit).')
      expect(t.peersHeader(2)).to.equal('Connected peers (2):')
      expect(t.peerLine(pedro)).to.equal('  Pedro (127.0.0.1:5001)')
      expect(t.noPeers).to.equal('No peers connected.')
      expect(t.unknownCommand('foo')).to.equal('Unknown command: /foo. Type /help to see the available commands.')
      expect(t.connectUsage).to.equal('Usage: /connect HOST PORT (port 1-65535)')
      expect(t.connected(pedro)).to.equal('Connected to Pedro (127.0.0.1:5001).')
      expect(t.connectFailed('could not reach 127.0.0.1:5009: connection refused')).to.equal(
        'Could not connect: could not reach 127.0.0.1:5009: connection refused',
      )
      expect(t.warning('peer dropped')).to.equal('warning: peer dropped')
    })

    it('translates send errors', () => {
      const engine = 'message too long: 4,500 characters (the limit is 4,000)'
      expect(t.sendFailed('TOO_LONG', engine, 'x'.repeat(4500))).to.equal(
        'Message too long: 4,500 characters (the limit is 4,000).',
      )
      expect(t.sendFailed('EMPTY', 'an empty message is not sent', ' ')).to.equal('An empty message is not sent.')
      expect(t.sendFailed(undefined, 'disk on fire', 'x')).to.equal('Could not send: disk on fire')
    })
  })

  it('lists one line per command, with its usage, in both languages', () => {
    for (const t of [catalogs.pt, catalogs.en]) {
      const lines = helpLines(t)
      expect(lines).to.have.length(4)
      expect(lines[0]).to.match(/^\/help {2,}\S/)
      expect(lines[1]).to.match(/^\/connect HOST PORT {2,}\S/)
      expect(lines[2]).to.match(/^\/peers {2,}\S/)
      expect(lines[3]).to.match(/^\/quit {2,}\S/)
      // the descriptions start in one column
      expect(new Set(lines.map((line) => line.search(/(?<= {2})\S/))).size).to.equal(1)
    }
  })

  it('brackets IPv6 hosts so the port stays readable', () => {
    expect(formatAddress({host: '127.0.0.1', port: 5001})).to.equal('127.0.0.1:5001')
    expect(formatAddress({host: '::1', port: 5001})).to.equal('[::1]:5001')
  })

  describe('resolveLang', () => {
    it('prefers the flag', () => {
      expect(resolveLang('en', {LANG: 'pt_BR.UTF-8'})).to.equal('en')
      expect(resolveLang('pt', {LANG: 'en_US.UTF-8'})).to.equal('pt')
      expect(resolveLang('pt', {})).to.equal('pt')
    })

    it('speaks Portuguese when the locale is Portuguese', () => {
      expect(resolveLang(undefined, {LANG: 'pt_BR.UTF-8'})).to.equal('pt')
      expect(resolveLang(undefined, {LANG: 'pt_PT'})).to.equal('pt')
      expect(resolveLang(undefined, {LC_ALL: 'pt_BR.UTF-8'})).to.equal('pt')
      expect(resolveLang(undefined, {LC_MESSAGES: 'pt_BR.UTF-8'})).to.equal('pt')
    })

    it('speaks English otherwise', () => {
      expect(resolveLang(undefined, {})).to.equal('en')
      expect(resolveLang(undefined, {LANG: 'en_US.UTF-8'})).to.equal('en')
      expect(resolveLang(undefined, {LANG: 'C.UTF-8'})).to.equal('en')
      expect(resolveLang(undefined, {LANG: 'de_DE.UTF-8'})).to.equal('en')
      expect(resolveLang(undefined, {LANG: ''})).to.equal('en')
    })

    it('follows POSIX precedence: LC_ALL, then LC_MESSAGES, then LANG', () => {
      expect(resolveLang(undefined, {LC_ALL: 'C', LANG: 'pt_BR.UTF-8'})).to.equal('en')
      expect(resolveLang(undefined, {LC_MESSAGES: 'pt_BR.UTF-8', LANG: 'en_US.UTF-8'})).to.equal('pt')
      expect(resolveLang(undefined, {LC_ALL: '', LANG: 'pt_BR.UTF-8'})).to.equal('pt')
    })

    it('reads process.env by default', () => {
      const saved = {LANG: process.env.LANG, LC_ALL: process.env.LC_ALL, LC_MESSAGES: process.env.LC_MESSAGES}
      try {
        delete process.env.LC_ALL
        delete process.env.LC_MESSAGES
        process.env.LANG = 'pt_BR.UTF-8'
        expect(resolveLang()).to.equal('pt')
        process.env.LANG = 'en_GB.UTF-8'
        expect(resolveLang()).to.equal('en')
      } finally {
        for (const [key, value] of Object.entries(saved)) {
          if (value === undefined) delete process.env[key]
          else process.env[key] = value
        }
      }
    })
  })
})
