import {expect} from 'chai'
import {EventEmitter} from 'node:events'

import type {HistoryEventInput} from '../../src/history/events.js'
import type {ChatNodeEvents} from '../../src/p2p/types.js'

import {recordNodeEvents} from '../../src/history/node-events.js'

const ana = {id: 'a', name: 'Ana', host: '127.0.0.1', port: 5000}
const julia = {id: 'j', name: 'Julia', host: '127.0.0.1', port: 5001}

describe('history: node events → history events (src/history/node-events.ts)', () => {
  it('records messages, actions, replayed history, direct messages and peers as history events', () => {
    const node = new EventEmitter<ChatNodeEvents>()
    const events: HistoryEventInput[] = []
    recordNodeEvents(node, (event) => events.push(event))

    node.emit('sent', {id: 'm1', from: ana, text: 'oi', ts: 1})
    node.emit('sent', {id: 'm2', from: ana, text: 'waves', ts: 2, action: true})
    node.emit('message', {id: 'm3', from: julia, text: 'ola', ts: 3})
    node.emit('message', {id: 'm4', from: julia, text: 'old', ts: 4, history: true, action: true})
    node.emit('direct_sent', {id: 'd1', from: ana, to: julia, text: 'psst', ts: 5})
    node.emit('direct', {id: 'd2', from: julia, to: ana, text: 'hi', ts: 6})
    node.emit('message', {id: 'm5', from: julia, text: 'while away', ts: 8, late: true})
    node.emit('direct', {id: 'd3', from: julia, to: ana, text: 'psst late', ts: 9, late: true})
    node.emit('stored', {id: 'm5', ts: 8, kind: 'chat', payload: '{"p":1}', sig: 's'})
    node.emit('peer_joined', {...julia, direction: 'inbound', since: 7, transport: 'tcp'})
    node.emit('peer_left', {...julia, reason: 'quit'})
    node.emit('ready', ana)
    node.emit('warning', {code: 'x', message: 'not for the history'})

    expect(events).to.deep.equal([
      {event: 'message_sent', id: 'm1', text: 'oi'},
      {event: 'message_sent', id: 'm2', text: 'waves', kind: 'action', name: 'Ana'},
      {event: 'message_received', id: 'm3', from: julia, text: 'ola', sent_ts: 3},
      {event: 'message_received', id: 'm4', from: julia, text: 'old', sent_ts: 4, history: true, kind: 'action'},
      {event: 'dm_sent', id: 'd1', to: julia, text: 'psst'},
      {event: 'dm_received', id: 'd2', from: julia, text: 'hi', sent_ts: 6},
      {event: 'message_received', id: 'm5', from: julia, text: 'while away', sent_ts: 8, late: true},
      {event: 'dm_received', id: 'd3', from: julia, text: 'psst late', sent_ts: 9, late: true},
      {event: 'frame_stored', kind: 'chat', payload: '{"p":1}', sig: 's'},
      {event: 'peer_connected', peer: julia},
      {event: 'peer_disconnected', peer: julia, reason: 'quit'},
    ])
  })

  it('does not record what an ignored author says (messages and direct messages), only the rest', () => {
    const node = new EventEmitter<ChatNodeEvents>()
    const events: HistoryEventInput[] = []
    recordNodeEvents(
      node,
      (event) => events.push(event),
      (id) => id === julia.id,
    )
    node.emit('message', {id: 'm1', from: julia, text: 'ignored', ts: 1})
    node.emit('direct', {id: 'd1', from: julia, to: ana, text: 'ignored too', ts: 2})
    node.emit('peer_joined', {...julia, direction: 'inbound', since: 3, transport: 'tcp'})
    expect(events).to.deep.equal([{event: 'peer_connected', peer: julia}])
  })

  it('stops recording when unwired, and leaves no listener behind', () => {
    const node = new EventEmitter<ChatNodeEvents>()
    const events: HistoryEventInput[] = []
    const stop = recordNodeEvents(node, (event) => events.push(event))
    stop()
    node.emit('message', {id: 'm1', from: julia, text: 'late', ts: 1})
    expect(events).to.deep.equal([])
    expect(node.eventNames()).to.deep.equal([])
  })
})
