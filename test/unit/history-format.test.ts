import {expect} from 'chai'

import type {HistoryEvent} from '../../src/history/events.js'

import {formatEvent as format, formatTimestamp, type LogTexts} from '../../src/history/format.js'
import {catalogs} from '../../src/repl/i18n.js'
import {REPLACEMENT, sanitize} from '../../src/text/sanitize.js'

const formatEvent = (event: Parameters<typeof format>[0], texts: LogTexts = catalogs.en.log): string =>
  format(event, texts)

const stamp = {ts: '2026-11-25T20:20:01.000Z', session: 's', seq: 1}
const pedro = {id: 'p', name: 'Pedro', host: '127.0.0.1', port: 5001}

describe('history formatter', () => {
  // Local time, checked in a fixed zone: São Paulo is UTC-3 all year (no DST since 2019).
  let savedTz: string | undefined

  before(() => {
    savedTz = process.env.TZ
    process.env.TZ = 'America/Sao_Paulo'
  })

  after(() => {
    if (savedTz === undefined) delete process.env.TZ
    else process.env.TZ = savedTz
  })

  const cases: Array<[string, HistoryEvent, string]> = [
    [
      // shown at the author's time (sent_ts), not when it was logged
      'message_received',
      {
        ...stamp,
        event: 'message_received',
        id: 'x',
        from: pedro,
        text: 'ola',
        sent_ts: Date.parse('2026-11-25T20:19:58.000Z'),
      },
      '2026-11-25 17:19:58  Pedro (127.0.0.1:5001): ola',
    ],
    [
      'message_received without sent_ts',
      {...stamp, event: 'message_received', id: 'x', from: pedro, text: 'ola'},
      '2026-11-25 17:20:01  Pedro (127.0.0.1:5001): ola',
    ],
    [
      'message_received from history',
      {
        ...stamp,
        event: 'message_received',
        id: 'x',
        from: pedro,
        text: 'antes',
        sent_ts: Date.parse('2026-11-25T20:10:00.000Z'),
        history: true,
      },
      '2026-11-25 17:10:00  (history) Pedro (127.0.0.1:5001): antes',
    ],
    [
      'an action received',
      {
        ...stamp,
        event: 'message_received',
        id: 'x',
        from: pedro,
        text: 'acena',
        sent_ts: Date.parse('2026-11-25T20:20:00.000Z'),
        kind: 'action',
      },
      '2026-11-25 17:20:00  * Pedro acena',
    ],
    ['message_sent', {...stamp, event: 'message_sent', id: 'y', text: 'ola'}, '2026-11-25 17:20:01  You: ola'],
    [
      'an action sent',
      {...stamp, event: 'message_sent', id: 'y', text: 'acena', kind: 'action', name: 'Julia'},
      '2026-11-25 17:20:01  * Julia acena',
    ],
    [
      'dm_received',
      {
        ...stamp,
        event: 'dm_received',
        id: 'd',
        from: pedro,
        text: 'psst',
        sent_ts: Date.parse('2026-11-25T20:19:00.000Z'),
      },
      '2026-11-25 17:19:00  Pedro (127.0.0.1:5001) → you (private): psst',
    ],
    [
      'peer_connected',
      {...stamp, event: 'peer_connected', peer: pedro},
      '2026-11-25 17:20:01  * Pedro (127.0.0.1:5001) connected',
    ],
    [
      'peer_disconnected',
      {...stamp, event: 'peer_disconnected', peer: pedro, reason: 'quit'},
      '2026-11-25 17:20:01  * Pedro (127.0.0.1:5001) disconnected (quit)',
    ],
    [
      'session_start',
      {...stamp, event: 'session_start', node: {id: 'j', name: 'Julia', host: '127.0.0.1', port: 5000}},
      '2026-11-25 17:20:01  -- session started: Julia on 127.0.0.1:5000',
    ],
    ['session_end', {...stamp, event: 'session_end'}, '2026-11-25 17:20:01  -- session ended'],
  ]

  for (const [name, event, expected] of cases) {
    it(`formats ${name}`, () => {
      expect(formatEvent(event)).to.equal(expected)
    })
  }

  it('uses local time', () => {
    process.env.TZ = 'Asia/Kolkata'
    try {
      expect(formatTimestamp('2026-11-25T20:20:01.000Z')).to.equal('2026-11-26 01:50:01')
    } finally {
      process.env.TZ = 'America/Sao_Paulo'
    }
  })

  it('leaves out empty disconnect reasons and brackets IPv6 hosts', () => {
    const v6 = {...pedro, host: '::1'}
    expect(formatEvent({...stamp, event: 'peer_disconnected', peer: v6, reason: ''})).to.equal(
      '2026-11-25 17:20:01  * Pedro ([::1]:5001) disconnected',
    )
  })

  it('neutralises control characters in remote names and texts as the REPL does', () => {
    const evil = {
      ...pedro,
      name: 'Pe\u001B]0;pwned\u0007dro\u009B2J',
      host: '127.0.0.1\u001B[2K',
    }
    const line = formatEvent({
      ...stamp,
      event: 'message_received',
      id: 'x',
      from: evil,
      text: 'red \u001B[31malert\u001B[0m\r\nfake line\u202Eevil\u0000!',
    })
    const R = REPLACEMENT
    expect(line).to.equal(`2026-11-25 17:20:01  Pedro (127.0.0.1:5001): red alert${R}${R}fake line${R}evil${R}!`)
    expect(line).to.not.match(/[\u0000-\u001F\u007F-\u009F\u202A-\u202E]/)
  })

  it('shows a coloured text without its escape sequence, exactly as the REPL shows it', () => {
    // Drift bug: log tail printed `\e[31mred` as `[31mred` (the ESC dropped, the rest of the sequence kept).
    for (const text of [
      '\u001B[31mred\u001B[0m',
      'a\u001B]8;;http://x\u001B\\link',
      'tab\there',
      'olá 👋 日本 — ção',
      'x\u061Cy\u2066z',
    ]) {
      const line = formatEvent({...stamp, event: 'message_sent', id: 'x', text})
      expect(line).to.equal(`2026-11-25 17:20:01  You: ${sanitize(text)}`)
    }

    expect(formatEvent({...stamp, event: 'message_sent', id: 'x', text: '\u001B[31mred'})).to.match(/You: red$/)
  })
})
