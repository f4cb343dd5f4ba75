// The stable codes of a connection that failed before its hello, from what the connection saw.
import {expect} from 'chai'

import {classifyClose, CONNECT_FAILURE_CODES, describeFailure} from '../../src/p2p/connect-failure.js'
import {catalogs, LANGS} from '../../src/repl/i18n.js'

describe('connection failures', () => {
  it('classifies socket errors, handshake errors and a silent close', () => {
    const cases: Array<[Parameters<typeof classifyClose>[0], string | undefined]> = [
      [{errno: 'ECONNREFUSED'}, 'refused'],
      [{errno: 'EHOSTUNREACH'}, 'unreachable'],
      [{errno: 'ENOTFOUND'}, 'unreachable'],
      [{errno: 'ETIMEDOUT'}, 'timeout'],
      [{errno: 'ECONNRESET'}, 'closed'],
      [{}, 'closed'],
      [{silentClose: true}, 'room_mismatch'],
      [{protocolCode: 'bad_length'}, 'not_chat_protocol'], // an SSH banner, an HTTP answer
      [{protocolCode: 'handshake_failed'}, 'not_chat_protocol'],
      [{protocolCode: 'bad_json'}, 'not_chat_protocol'],
      [{protocolCode: 'handshake_timeout'}, 'timeout'],
      [{protocolCode: 'room_mismatch'}, 'room_mismatch'],
      [{protocolCode: 'version'}, 'version'],
      [{protocolCode: 'bad_identity'}, 'bad_identity'],
      [{protocolCode: 'bad_signature'}, undefined], // a later misbehaviour keeps its own code
      [{protocolCode: 'decrypt_failed'}, undefined], // garbage after a complete handshake
    ]
    for (const [cause, code] of cases) expect(classifyClose(cause), JSON.stringify(cause)).to.equal(code)
  })

  it('words every code, both ways, in English and in both catalogues', () => {
    for (const code of CONNECT_FAILURE_CODES) {
      for (const direction of ['inbound', 'outbound'] as const) {
        const failure = {code, direction, host: '::1', port: 5000}
        expect(describeFailure(failure)).to.include('[::1]:5000')
        for (const lang of LANGS)
          expect(catalogs[lang].connectionFailure(failure), `${lang} ${code} ${direction}`).to.include('[::1]:5000')
      }
    }
  })
})
