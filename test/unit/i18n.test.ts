import {expect} from 'chai'

import {ChatNodeError} from '../../src/p2p/errors.js'
import {COMMANDS} from '../../src/repl/commands.js'
import {leaveReasonText, nodeErrorText, reasonText, warningText} from '../../src/repl/engine-text.js'
import {actionText, catalogs, helpLines, helpTopicLines, resolveLang} from '../../src/repl/i18n.js'

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
      expect(t.peerLine(pedro, 'ab12:cd34')).to.equal('  Pedro (127.0.0.1:5001) ab12:cd34')
      expect(t.noPeers).to.equal('Nenhum peer conectado.')
      expect(t.historyMark('17:20')).to.equal('(histórico 17:20) ')
      expect(t.lateMark('14:02')).to.equal('(14:02, atrasada) ')
      expect(t.clockSkew(pedro, 600_000)).to.match(
        /^! O relógio de Pedro \(127\.0\.0\.1:5001\) está 10 min adiantado em relação ao seu: /,
      )
      expect(t.clockSkew(pedro, -45_000)).to.match(/ está 45 s atrasado /)
      expect(t.nameClash('Pedro', ['ab12:cd34', 'ef56:7890'])).to.match(
        /^! O nome "Pedro" é usado por chaves diferentes \(ab12:cd34, ef56:7890\)/,
      )
      expect(t.unknownCommand('foo')).to.equal(
        'Comando desconhecido: /foo. Digite /help para ver os comandos disponíveis.',
      )
      expect(t.connectUsage).to.equal('Uso: /connect HOST PORTA (porta de 1 a 65535)')
      expect(t.connected(pedro)).to.equal('Conectado a Pedro (127.0.0.1:5001).')
      expect(t.connectFailed('could not reach 127.0.0.1:5009: connection refused')).to.equal(
        'Não foi possível conectar: could not reach 127.0.0.1:5009: connection refused',
      )
      expect(t.warning('peer dropped')).to.equal('aviso: peer dropped')
    })

    it('translates send errors from their detail, numbers in the Brazilian format', () => {
      expect(nodeErrorText(t.engine, new ChatNodeError({code: 'too_long', length: 4500, limit: 4000}))).to.equal(
        'Mensagem longa demais: 4.500 caracteres (o limite é 4.000).',
      )
      expect(nodeErrorText(t.engine, new ChatNodeError({code: 'empty'}))).to.equal('Mensagem vazia não é enviada.')
      expect(nodeErrorText(t.engine, new ChatNodeError({code: 'not_running'}))).to.equal('o nó não está em execução')
      expect(nodeErrorText(t.engine, Object.assign(new Error('disk on fire'), {code: 'WHATEVER'}))).to.equal(undefined)
      expect(t.sendFailed('disk on fire')).to.equal('Não foi possível enviar: disk on fire')
    })

    it('says connection errors in Portuguese', () => {
      const refused = new ChatNodeError({
        code: 'unreachable',
        host: '127.0.0.1',
        port: 5009,
        failure: {code: 'refused', direction: 'outbound', host: '127.0.0.1', port: 5009},
      })
      expect(nodeErrorText(t.engine, refused)).to.equal(
        '127.0.0.1:5009 recusou a conexão: há um nó do chat rodando ali?',
      )
      expect(nodeErrorText(t.engine, new ChatNodeError({code: 'self', host: '127.0.0.1', port: 5000}))).to.equal(
        '127.0.0.1:5000 é o endereço deste próprio nó',
      )
      const inUse = new ChatNodeError({code: 'address_in_use', host: '127.0.0.1', port: 5000})
      expect(nodeErrorText(t.engine, inUse)).to.equal(
        'a porta 5000 em 127.0.0.1 já está em uso: escolha outra com --port',
      )
      expect(reasonText(t.engine, 'quit')).to.equal('encerrou a sessão')
      expect(reasonText(t.engine, 'heartbeat timeout (silent for more than 15 s)')).to.equal(
        'sem resposta (em silêncio por mais de 15 s)',
      )
      expect(reasonText(t.engine, 'something new')).to.equal('something new')
      // Worded by the engine's stable code, not its English phrase; the seconds of a heartbeat come from the reason.
      expect(
        leaveReasonText(t.engine, {reason: 'a message whose signature does not match', reasonCode: 'bad_signature'}),
      ).to.equal('uma mensagem cuja assinatura não confere com o autor (forjada ou alterada)')
      expect(leaveReasonText(t.engine, {reason: 'on the cool-down list', reasonCode: 'cooling_down'})).to.equal(
        'na lista de espera, por erros anteriores',
      )
      expect(
        leaveReasonText(t.engine, {reason: 'heartbeat timeout (silent for more than 15 s)', reasonCode: 'heartbeat'}),
      ).to.equal('sem resposta (em silêncio por mais de 15 s)')
      expect(leaveReasonText(t.engine, {reason: 'quit'})).to.equal('encerrou a sessão')
      const warning = {
        code: 'bad_signature',
        message:
          'disconnected Ana (127.0.0.1:5002): a message whose signature does not match its author (forged or altered) (bad_signature)',
      }
      expect(warningText(t.engine, warning)).to.equal(
        'desconectado de Ana (127.0.0.1:5002): uma mensagem cuja assinatura não confere com o autor (forjada ou alterada) (bad_signature)',
      )
      expect(
        warningText(t.engine, {code: 'bad_field', message: 'x', peer: {name: 'Ana', host: '::1', port: 5002}}),
      ).to.equal('desconectado de Ana ([::1]:5002): um quadro com um campo inválido (bad_field)')
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
      expect(t.peerLine(pedro, 'ab12:cd34')).to.equal('  Pedro (127.0.0.1:5001) ab12:cd34')
      expect(t.noPeers).to.equal('No peers connected.')
      expect(t.historyMark('17:20')).to.equal('(history 17:20) ')
      expect(t.lateMark('14:02')).to.equal('(14:02, late) ')
      expect(t.clockSkew(pedro, 600_000)).to.match(/^! Pedro \(127\.0\.0\.1:5001\)'s clock is 10 min ahead of yours: /)
      expect(t.clockSkew(pedro, -3 * 3_600_000)).to.match(/ is 3 h behind yours/)
      expect(t.nameClash('Pedro', ['ab12:cd34', 'ef56:7890'])).to.match(
        /^! The name "Pedro" is used by different keys \(ab12:cd34, ef56:7890\)/,
      )
      expect(t.unknownCommand('foo')).to.equal('Unknown command: /foo. Type /help to see the available commands.')
      expect(t.connectUsage).to.equal('Usage: /connect HOST PORT (port 1-65535)')
      expect(t.connected(pedro)).to.equal('Connected to Pedro (127.0.0.1:5001).')
      expect(t.connectFailed('could not reach 127.0.0.1:5009: connection refused')).to.equal(
        'Could not connect: could not reach 127.0.0.1:5009: connection refused',
      )
      expect(t.warning('peer dropped')).to.equal('warning: peer dropped')
    })

    it('translates send errors from their detail', () => {
      expect(nodeErrorText(t.engine, new ChatNodeError({code: 'too_long', length: 4500, limit: 4000}))).to.equal(
        'Message too long: 4,500 characters (the limit is 4,000).',
      )
      expect(nodeErrorText(t.engine, new ChatNodeError({code: 'empty'}))).to.equal('An empty message is not sent.')
      expect(t.sendFailed('disk on fire')).to.equal('Could not send: disk on fire')
    })
  })

  it('lists one line per command, with its usage in the same language as its usage errors', () => {
    const words = {
      pt: ['COMANDO', 'HOST PORTA', 'NOME TEXTO', 'AÇÃO'],
      en: ['COMMAND', 'HOST PORT', 'NAME TEXT', 'ACTION'],
    }
    for (const lang of ['pt', 'en'] as const) {
      const t = catalogs[lang]
      const [command, hostPort, nameText, action] = words[lang]
      const lines = helpLines(t)
      expect(lines).to.have.length(12)
      expect(lines[0]).to.match(new RegExp(`^/help \\[${command}\\] {2,}\\S`))
      expect(lines[1]).to.match(new RegExp(`^/connect ${hostPort} {2,}\\S`))
      expect(lines[2]).to.match(/^\/peers {2,}\S/)
      expect(lines[3]).to.match(/^\/who {2,}\S/)
      expect(lines[4]).to.match(new RegExp(`^/msg ${nameText} {2,}\\S`))
      expect(lines[5]).to.match(new RegExp(`^/me ${action} {2,}\\S`))
      expect(lines[6]).to.match(/^\/history \[N\] {2,}\S/)
      expect(lines[7]).to.match(/^\/ignore \[(NAME|NOME)\] {2,}\S/)
      expect(lines[8]).to.match(/^\/unignore (NAME|NOME) {2,}\S/)
      expect(lines[9]).to.match(/^\/retry \[HOST:PORTA?\] {2,}\S/)
      expect(lines[10]).to.match(/^\/quit \[TEXTO?\] {2,}\S/)
      expect(lines[11]).to.match(/\/help CO/)
      // the usage errors use the same words as /help
      expect(t.msgUsage).to.include(`/msg ${nameText}`)
      expect(t.connectUsage).to.include(`/connect ${hostPort}`)
      expect(t.meUsage).to.include(`/me ${action}`)
      // the descriptions start in one column
      expect(new Set(lines.slice(0, 7).map((line) => line.search(/(?<= {2})\S/))).size).to.equal(1)
    }
  })

  it('explains every command in both languages, with the same usages', () => {
    for (const t of [catalogs.pt, catalogs.en]) {
      expect(t.help.map((entry) => entry.command)).to.deep.equal(COMMANDS.map((c) => c.name))
      for (const entry of t.help) {
        expect(entry.description).to.match(/\S/)
        expect(entry.details.length).to.be.above(entry.description.length)
      }
    }

    // The same commands, the argument words translated.
    expect(catalogs.pt.help.map((e) => e.usage.split(' ')[0])).to.deep.equal(
      catalogs.en.help.map((e) => e.usage.split(' ')[0]),
    )
    expect(helpTopicLines(catalogs.en, 'connect')).to.deep.equal([
      '/connect HOST PORT  connect to another node (HOST:PORT works too)',
      `  ${catalogs.en.help[1].details}`,
    ])
    expect(helpTopicLines(catalogs.pt, 'connect')?.[1]).to.match(/^ {2}Conecta ao endereço/)
    expect(helpTopicLines(catalogs.en, 'nope')).to.equal(undefined)
  })

  it('has the new sentences in both languages', () => {
    const {pt} = catalogs
    const {en} = catalogs
    expect(pt.meUsage).to.equal('Uso: /me AÇÃO (por exemplo: /me acena)')
    expect(en.meUsage).to.equal('Usage: /me ACTION (for example: /me waves)')
    expect(pt.historyUsage).to.equal('Uso: /history [N] (N de 1 a 1000)')
    expect(en.historyUsage).to.equal('Usage: /history [N] (N from 1 to 1000)')
    expect(pt.receivedFrom('Pedro', 'ola')).to.equal('[Pedro disse]: ola')
    expect(en.receivedFrom('Pedro', 'hi')).to.equal('[Pedro said]: hi')
    expect(pt.historyHeader(3)).to.equal('Últimas 3 mensagens:')
    expect(pt.historyHeader(1)).to.equal('Última mensagem:')
    expect(en.historyHeader(3)).to.equal('Last 3 messages:')
    expect(en.historyHeader(1)).to.equal('Last message:')
    expect(pt.direction('inbound')).to.equal('entrada')
    expect(pt.direction('outbound')).to.equal('saída')
    expect(en.direction('inbound')).to.equal('in')
    expect(en.direction('outbound')).to.equal('out')
    for (const t of [pt, en]) {
      for (const text of [
        t.helpMore,
        t.historyEmpty,
        t.historyUnavailable,
        t.historyFailed('x'),
        t.inputHistoryFailed('x'),
      ]) {
        expect(text).to.match(/\S/)
      }

      expect(Object.values(t.peerColumns)).to.have.length(7)
      for (const text of [t.via('tcp'), t.via('swarm', 'relayed'), t.relayRunning('k')]) {
        expect(text).to.match(/\S/)
      }
    }

    expect(pt.via('swarm', 'relayed')).to.not.equal(en.via('swarm', 'relayed'))
    const dht = {code: 'dht_unreachable', message: 'the DHT cannot be reached (127.0.0.1:9): …', subject: '127.0.0.1:9'}
    expect(pt.warning(warningText(pt.engine, dht))).to.match(/^aviso: a DHT .*127\.0\.0\.1:9/)
    expect(en.warning(warningText(en.engine, dht))).to.match(/^warning: the DHT .*127\.0\.0\.1:9/)

    expect(pt.inputHistoryFailed('EACCES')).to.match(/^aviso: .*EACCES$/)
    expect(en.inputHistoryFailed('EACCES')).to.match(/^warning: .*EACCES$/)
  })

  it('words /me the same in every language', () => {
    expect(actionText('Julia', 'waves')).to.equal('* Julia waves')
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
