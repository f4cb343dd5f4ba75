import {expect} from 'chai'

import {type HistoryEventInput, historyPath, parseHistoryLine, serializeEvent} from '../../src/history/events.js'

const stamp = {ts: '2026-11-25T17:20:01.000Z', session: 'abc', seq: 7}
const node = {id: 'n', name: 'Ana', host: '127.0.0.1', port: 5002}

describe('history events (line format)', () => {
  const inputs: HistoryEventInput[] = [
    {event: 'session_start', node},
    {event: 'session_end'},
    {event: 'peer_connected', peer: node},
    {event: 'peer_disconnected', peer: node, reason: 'heartbeat timeout'},
    {event: 'message_sent', id: 'm1', text: 'oi\nthere'},
    {event: 'message_received', id: 'm2', from: node, text: 'ola', sent_ts: 1_764_000_000_000, history: true},
    {event: 'message_received', id: 'm3', from: node, text: 'no optional fields'},
    {event: 'message_received', id: 'm4', from: node, text: 'acena', sent_ts: 1_764_000_000_000, kind: 'action'},
    {event: 'message_sent', id: 'm5', text: 'acena', kind: 'action', name: 'Julia'},
  ]

  for (const input of inputs) {
    it(`round-trips ${input.event}${'id' in input ? ` ${input.id}` : ''}`, () => {
      const line = serializeEvent(input, stamp)
      expect(line).to.not.include('\n')
      expect(line.startsWith(`{"ts":"${stamp.ts}","event":"${input.event}","session":"abc","seq":7`)).to.equal(true)
      expect(parseHistoryLine(line)).to.deep.equal({...stamp, ...input})
    })
  }

  it('rejects lines that are not valid events', () => {
    const good = JSON.parse(serializeEvent({event: 'peer_connected', peer: node}, stamp)) as Record<string, unknown>
    const bad: unknown[] = [
      'garbage',
      '',
      'null',
      '[]',
      {...good, event: 'peer_vanished'},
      {...good, ts: 'not a date'},
      {...good, seq: 0},
      {...good, seq: 1.5},
      {...good, session: 3},
      {...good, peer: {...node, port: '5002'}},
      {...good, peer: null},
      {...good, event: 'message_received', id: 'x', text: 't', from: node, sent_ts: 'soon'},
      {...good, event: 'message_received', id: 'x', text: 't', from: node, history: 'yes'},
      {...good, event: 'message_sent', id: 1, text: 't'},
      {...good, event: 'message_sent', id: 'x', text: 't', kind: 'shout'},
      {...good, event: 'message_sent', id: 'x', text: 't', kind: 'action', name: 5},
      {...good, event: 'message_received', id: 'x', text: 't', from: node, kind: true},
    ]
    for (const b of bad)
      expect(parseHistoryLine(typeof b === 'string' ? b : JSON.stringify(b)), JSON.stringify(b)).to.equal(undefined)
  })

  it('parses into fresh objects: a __proto__ key does not change the prototype, unknown fields are dropped', () => {
    const line =
      '{"ts":"2026-11-25T17:20:01Z","event":"session_end","session":"s","seq":1,"__proto__":{"polluted":true},"extra":1}'
    const e = parseHistoryLine(line)
    expect(e).to.deep.equal({ts: '2026-11-25T17:20:01Z', event: 'session_end', session: 's', seq: 1})
    expect(Object.getPrototypeOf(e)).to.equal(Object.prototype)
    expect((e as unknown as {polluted?: boolean}).polluted).to.equal(undefined)
  })

  it('escapes the characters JSON leaves raw that a terminal would act on', () => {
    const text = 'a\u009B31mb\u2028c\u202Ed\u007F'
    const line = serializeEvent({event: 'message_sent', id: 'x', text}, stamp)
    expect(line).to.not.match(/[\u007F-\u009F\u2028\u202E]/)
    expect(line).to.include(String.raw`\u009b`)
    expect(parseHistoryLine(line)).to.include({text})
  })

  it('names the file after the port', () => {
    expect(historyPath('/var/chat', 5000)).to.equal('/var/chat/chat_history_5000.log')
  })
})
