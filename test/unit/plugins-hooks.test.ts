// wirePluginHooks over a real oclif Config: a throwaway CLI whose two plugins (in its own node_modules) implement
// the chat hooks, driven by a fake node. The hook modules record their calls on globalThis.
import {Config} from '@oclif/core'
import {expect} from 'chai'
import {EventEmitter} from 'node:events'
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type {ChatMessage, ChatNodeEvents, NodeInfo, PeerSummary} from '../../src/p2p/types.js'

import {
  type ChatMessageHookOptions,
  type ChatPeerHookOptions,
  type ChatReadyHookOptions,
  type PluginProblem,
  wirePluginHooks,
} from '../../src/plugins/hooks.js'
import {pluginProblemText} from '../../src/repl/i18n-cli.js'
import {catalogs} from '../../src/repl/i18n.js'
import {poll} from '../helpers/wait.js'

interface Call {
  plugin: string
  event: string
  options: Record<string, unknown>
}

declare global {
  var chatHookTest: {calls: Call[]; behaviour: Record<string, string>; release?: () => void} | undefined
}

const SELF: NodeInfo = {id: 'self-id', name: 'Bot', host: '127.0.0.1', port: 5000}
const PEDRO: NodeInfo = {id: 'pedro-id', name: 'Pedro', host: '127.0.0.1', port: 5001}
const peer = (info: NodeInfo): PeerSummary => ({...info, direction: 'inbound', since: 1, transport: 'tcp'})
let counter = 0
const message = (text: string, extra: Partial<ChatMessage> = {}): ChatMessage => ({
  id: `m${++counter}`,
  from: PEDRO,
  text,
  ts: 1,
  ...extra,
})

class FakeNode extends EventEmitter<ChatNodeEvents> {
  readonly info = SELF
  running = true
  readonly sent: string[] = []

  send(text: string): ChatMessage {
    if (!this.running) throw new Error('the node is not running')
    this.sent.push(text)
    return {id: `s${this.sent.length}`, from: SELF, text, ts: 2}
  }

  peers(): PeerSummary[] {
    return [peer(PEDRO)]
  }
}

// What a hook does is chosen per plugin by globalThis.chatHookTest.behaviour[plugin]: ok, throw, hang, wait, spam.
const hookSource = (plugin: string, event: string): string => `
export default async function (options) {
  const t = globalThis.chatHookTest
  t.calls.push({plugin: ${JSON.stringify(plugin)}, event: ${JSON.stringify(event)}, options})
  switch (t.behaviour[${JSON.stringify(plugin)}] ?? 'ok') {
    case 'throw': throw new Error('boom from ${plugin}')
    case 'hang': return new Promise(() => {})
    case 'wait': return new Promise((resolve) => { const prev = t.release; t.release = () => { prev?.(); resolve() } })
    case 'spam': for (let i = 0; i < 100; i++) options.chat.send('spam ' + i); return
    default: if (${JSON.stringify(event)} === 'chat:message' && options.message.text === '!ping') options.chat.send('pong')
  }
}
`

function makeCli(): {root: string; remove(): void} {
  const root = mkdtempSync(join(tmpdir(), 'chat-hooks-'))
  const plugins = ['good-plugin', 'bad-plugin']
  writeFileSync(
    join(root, 'package.json'),
    JSON.stringify({
      name: 'fake-chat',
      version: '1.0.0',
      type: 'module',
      dependencies: Object.fromEntries(plugins.map((p) => [p, '1.0.0'])),
      oclif: {bin: 'fake', plugins},
    }),
  )
  for (const name of plugins) {
    const dir = join(root, 'node_modules', name)
    mkdirSync(join(dir, 'hooks'), {recursive: true})
    const hooks: Record<string, string> = {}
    for (const event of ['chat:ready', 'chat:message', 'chat:peer']) {
      const file = `./hooks/${event.replace(':', '-')}.js`
      hooks[event] = file
      writeFileSync(join(dir, file), hookSource(name, event))
    }

    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({name, version: '1.0.0', type: 'module', main: 'index.js', oclif: {hooks}}),
    )
    writeFileSync(join(dir, 'index.js'), 'export {}\n')
  }

  return {root, remove: () => rmSync(root, {force: true, recursive: true})}
}

describe('plugins: wirePluginHooks', function () {
  this.timeout(20_000)
  let cli: {root: string; remove(): void}
  let config: Config
  let node: FakeNode
  let reports: string[]
  let unwire: (() => void) | undefined

  const calls = (plugin?: string, event?: string): Call[] =>
    globalThis.chatHookTest!.calls.filter(
      (c) => (plugin === undefined || c.plugin === plugin) && (event === undefined || c.event === event),
    )
  const until = (what: string, check: () => boolean, timeoutMs?: number): Promise<boolean> =>
    poll(what, check, {intervalMs: 5, timeoutMs})

  beforeEach(async () => {
    globalThis.chatHookTest = {calls: [], behaviour: {}}
    cli = makeCli()
    // A fresh Config per test: disabling a plugin edits its loaded hooks.
    config = await Config.load({root: cli.root, userPlugins: false})
    expect(config.plugins.has('good-plugin') && config.plugins.has('bad-plugin'), 'both plugins load').to.equal(true)
    node = new FakeNode()
    reports = []
  })

  afterEach(() => {
    unwire?.()
    unwire = undefined
    globalThis.chatHookTest?.release?.()
    globalThis.chatHookTest = undefined
    cli.remove()
  })

  it('fires chat:ready at once for a running node, then chat:message and chat:peer with the event and the API', async () => {
    unwire = wirePluginHooks(config, node, (m) => reports.push(m))
    await until('chat:ready', () => calls('good-plugin', 'chat:ready').length === 1)
    const ready = calls('good-plugin', 'chat:ready')[0].options as unknown as ChatReadyHookOptions & {config: Config}
    expect(ready.node).to.deep.equal(SELF)
    expect(ready.chat.node).to.deep.equal(SELF)
    expect(ready.chat.peers()).to.deep.equal([peer(PEDRO)])
    expect(ready.config.root).to.equal(cli.root)

    // A `chat send` node coming and going fires nothing, as it shows nothing.
    node.emit('peer_joined', {...peer(PEDRO), name: 'cron', transient: true})
    node.emit('peer_left', {...PEDRO, name: 'cron', reason: 'quit', transient: true})
    node.emit('peer_joined', peer(PEDRO))
    node.emit('message', message('!ping'))
    node.emit('peer_left', {...PEDRO, reason: 'quit'})
    await until('every hook', () => calls('bad-plugin').length === 4 && calls('good-plugin').length === 4)
    const msg = calls('good-plugin', 'chat:message')[0].options as unknown as ChatMessageHookOptions
    expect(msg.message.text).to.equal('!ping')
    const changes = calls('good-plugin', 'chat:peer').map((c) => (c.options as unknown as ChatPeerHookOptions).change)
    expect(changes.sort()).to.deep.equal(['joined', 'left'])
    await until('both pongs', () => node.sent.length === 2) // each plugin answers
    expect(node.sent).to.deep.equal(['pong', 'pong'])
    expect(
      calls('good-plugin', 'chat:peer').map((c) => (c.options as unknown as ChatPeerHookOptions).peer.name),
    ).to.not.include('cron')
    expect(reports).to.deep.equal([])
  })

  it('fires chat:ready on the ready event of a node that is not running yet', async () => {
    node.running = false
    unwire = wirePluginHooks(config, node, (m) => reports.push(m))
    node.emit('message', message('hi'))
    await until('the message hooks', () => calls(undefined, 'chat:message').length === 2)
    expect(calls(undefined, 'chat:ready')).to.have.length(0)
    node.running = true
    node.emit('ready', SELF)
    await until('chat:ready', () => calls(undefined, 'chat:ready').length === 2)
  })

  it('never passes messages replayed from history', async () => {
    unwire = wirePluginHooks(config, node, (m) => reports.push(m))
    node.emit('message', message('!ping', {history: true}))
    node.emit('message', message('live'))
    await until('the live message', () => calls(undefined, 'chat:message').length === 2)
    expect(
      calls(undefined, 'chat:message').map((c) => (c.options as unknown as ChatMessageHookOptions).message.text),
    ).to.deep.equal(['live', 'live'])
  })

  it('never passes messages from an author the user ignores', async () => {
    unwire = wirePluginHooks(config, node, (m) => reports.push(m), {ignored: (id) => id === PEDRO.id})
    node.emit('message', message('ignored'))
    node.emit('message', {...message('live'), from: SELF})
    await until('the live message', () => calls(undefined, 'chat:message').length === 2)
    expect(
      calls(undefined, 'chat:message').map((c) => (c.options as unknown as ChatMessageHookOptions).message.text),
    ).to.deep.equal(['live', 'live'])
  })

  it('reports a plugin whose hook throws once, disables it for the session, and keeps the others going', async () => {
    globalThis.chatHookTest!.behaviour['bad-plugin'] = 'throw'
    const problems: PluginProblem[] = []
    unwire = wirePluginHooks(config, node, (m, problem) => {
      reports.push(m)
      problems.push(problem)
    })
    await until('the report', () => reports.length === 1)
    expect(reports[0]).to.match(
      /^plugin bad-plugin failed in its chat:ready hook \(boom from bad-plugin\): its chat hooks are disabled for this session$/,
    )
    // The parts, which chat start words in the reader's language.
    expect(pluginProblemText(catalogs.en.cli, problems[0])).to.equal(reports[0])
    expect(pluginProblemText(catalogs.pt.cli, problems[0])).to.match(
      /^o plugin bad-plugin falhou no seu gancho chat:ready \(boom from bad-plugin\): seus ganchos/,
    )
    for (let i = 0; i < 5; i++) node.emit('message', message('!ping'))
    node.emit('peer_joined', peer(PEDRO))
    await until('the good plugin', () => calls('good-plugin').length === 7)
    expect(calls('bad-plugin')).to.have.length(1) // only the ready hook that threw
    expect(reports).to.have.length(1)
    expect(node.sent).to.deep.equal(['pong', 'pong', 'pong', 'pong', 'pong'])
  })

  it('disables a plugin whose hook does not settle in time, without holding up the node', async () => {
    globalThis.chatHookTest!.behaviour['bad-plugin'] = 'hang'
    unwire = wirePluginHooks(config, node, (m) => reports.push(m), {timeoutMs: 200})
    await until('the report', () => reports.length === 1)
    expect(reports[0]).to.match(/^plugin bad-plugin failed in its chat:ready hook \(Timed out after 200 ms\.\)/)
    node.emit('message', message('!ping'))
    await until('the pong', () => node.sent.length === 1)
    expect(calls('bad-plugin')).to.have.length(1)
  })

  it('runs hooks off the event handler, at most `concurrency` at once, and drops (and says so) beyond the queue bound', async () => {
    globalThis.chatHookTest!.behaviour['good-plugin'] = 'wait'
    globalThis.chatHookTest!.behaviour['bad-plugin'] = 'wait'
    node.running = false
    unwire = wirePluginHooks(config, node, (m) => reports.push(m), {concurrency: 1, maxPending: 3})
    for (let i = 0; i < 10; i++) node.emit('message', message(`m${i}`)) // returns at once: nothing awaited here
    await until('the first event running', () => calls(undefined, 'chat:message').length === 2)
    expect(reports).to.deep.equal([
      'plugin hooks are falling behind: chat:message events are dropped until they catch up',
    ])
    const release = async (): Promise<void> => {
      const t = globalThis.chatHookTest!
      const before = t.calls.length
      const go = t.release
      t.release = undefined
      go?.()
      await until(
        'the next event',
        () => t.calls.length > before || calls(undefined, 'chat:message').length >= 8,
        2000,
      ).catch(() => {})
    }

    for (let i = 0; i < 5; i++) await release()
    // One running + three queued ran; six were dropped. Two plugins per event.
    expect(
      calls(undefined, 'chat:message').map((c) => (c.options as unknown as ChatMessageHookOptions).message.text),
    ).to.deep.equal(['m0', 'm0', 'm1', 'm1', 'm2', 'm2', 'm3', 'm3'])
    expect(reports).to.have.length(1)
  })

  it('queues nothing for an event no plugin implements, however many there are', async () => {
    for (const plugin of config.getPluginsList()) delete plugin.hooks['chat:peer']
    unwire = wirePluginHooks(config, node, (m) => reports.push(m), {maxPending: 2})
    for (let i = 0; i < 1000; i++) node.emit('peer_joined', peer(PEDRO))
    node.emit('message', message('last'))
    await until('the message hooks', () => calls(undefined, 'chat:message').length === 2)
    expect(calls(undefined, 'chat:peer')).to.have.length(0)
    expect(reports).to.deep.equal([])
  })

  it('stops a runaway plugin at the send limit', async () => {
    globalThis.chatHookTest!.behaviour['bad-plugin'] = 'spam'
    unwire = wirePluginHooks(config, node, (m) => reports.push(m), {sendLimit: 20, sendWindowMs: 60_000})
    await until('the report', () => reports.length === 1)
    expect(reports[0]).to.match(
      /^plugin bad-plugin failed in its chat:ready hook \(plugins sent more than 20 messages in 60 s\)/,
    )
    expect(node.sent).to.have.length(20)
  })

  it('stops firing, and reporting, once unwired', async () => {
    globalThis.chatHookTest!.behaviour['bad-plugin'] = 'wait'
    const off = wirePluginHooks(config, node, (m) => reports.push(m), {timeoutMs: 100})
    await until('chat:ready', () => calls(undefined, 'chat:ready').length === 2)
    off()
    off() // idempotent
    node.emit('message', message('!ping'))
    node.emit('peer_joined', peer(PEDRO))
    await new Promise((resolve) => {
      setTimeout(resolve, 300)
    }) // the waiting hook times out after unwiring
    expect(calls(undefined, 'chat:message')).to.have.length(0)
    expect(reports).to.deep.equal([])
    expect(
      node.listenerCount('message') +
        node.listenerCount('ready') +
        node.listenerCount('peer_joined') +
        node.listenerCount('peer_left'),
    ).to.equal(0)
  })
})
