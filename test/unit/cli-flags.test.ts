import {expect} from 'chai'

import {limitFlags, meshFlags, nodeLimits} from '../../src/cli/flags.js'
import Send from '../../src/commands/send.js'
import Start from '../../src/commands/start.js'
import {DEFAULT_CONNECTION_LIMITS} from '../../src/p2p/connection.js'
import {DEFAULT_HISTORY_MESSAGES} from '../../src/p2p/history-sync.js'
import {NEW_AUTHOR_MESSAGE_BURST, NEW_AUTHOR_MESSAGES_PER_SECOND} from '../../src/p2p/link-budget.js'
import {INBOUND_CONNECTIONS_PER_IP_PER_SECOND, MAX_PENDING_CONNECTIONS} from '../../src/p2p/listener.js'
import {DEFAULT_DEGREE} from '../../src/p2p/mesh.js'
import {AUTHOR_MESSAGE_BURST, AUTHOR_MESSAGES_PER_SECOND, DEFAULT_HOST, DEFAULT_PORT} from '../../src/p2p/options.js'
import {DEFAULT_MAX_PEERS} from '../../src/p2p/registry.js'
import {DEFAULT_MAX_STORED, DEFAULT_RETENTION_MS} from '../../src/p2p/sync/store.js'

// The CLI's defaults are the engine's: a changed engine constant changes `chat start`, not only library callers.
describe('CLI flags (src/cli/flags.ts)', () => {
  const engineDefaults = {
    degree: DEFAULT_DEGREE,
    history: DEFAULT_HISTORY_MESSAGES,
    'max-peers': DEFAULT_MAX_PEERS,
    'max-pending': MAX_PENDING_CONNECTIONS,
    'conn-rate': INBOUND_CONNECTIONS_PER_IP_PER_SECOND,
    'author-rate': AUTHOR_MESSAGES_PER_SECOND,
    'new-author-rate': NEW_AUTHOR_MESSAGES_PER_SECOND,
    'hop-rate': DEFAULT_CONNECTION_LIMITS.framesPerSecond,
    'store-days': DEFAULT_RETENTION_MS / (24 * 60 * 60 * 1000),
    'store-max': DEFAULT_MAX_STORED,
  } as const

  for (const [flag, value] of Object.entries(engineDefaults)) {
    it(`chat start --${flag} defaults to the engine's constant (${value})`, () => {
      expect(Start.flags[flag as keyof typeof engineDefaults].default).to.equal(value)
    })
  }

  it('every mesh and limit flag has its engine default checked above', () => {
    expect(Object.keys({...meshFlags, ...limitFlags}).sort()).to.deep.equal(Object.keys(engineDefaults).sort())
  })

  it('the default flag values give the node exactly its own defaults, bursts included', () => {
    const flags = {...engineDefaults}
    const options = nodeLimits(flags)
    expect(options.authorRate).to.deep.equal({perSecond: AUTHOR_MESSAGES_PER_SECOND, burst: AUTHOR_MESSAGE_BURST})
    expect(options.newAuthorRate).to.deep.equal({
      perSecond: NEW_AUTHOR_MESSAGES_PER_SECOND,
      burst: NEW_AUTHOR_MESSAGE_BURST,
    })
    expect(options.connection).to.deep.equal({
      framesPerSecond: DEFAULT_CONNECTION_LIMITS.framesPerSecond,
      frameBurst: DEFAULT_CONNECTION_LIMITS.frameBurst,
    })
    expect(options).to.include({
      degree: DEFAULT_DEGREE,
      history: DEFAULT_HISTORY_MESSAGES,
      maxPeers: DEFAULT_MAX_PEERS,
      maxPendingConnections: MAX_PENDING_CONNECTIONS,
      inboundRatePerIp: INBOUND_CONNECTIONS_PER_IP_PER_SECOND,
    })
    expect(options.store).to.deep.equal({retentionMs: DEFAULT_RETENTION_MS, maxMessages: DEFAULT_MAX_STORED})
  })

  it('the help states the bursts the engine allows', () => {
    expect(Start.flags['author-rate'].description).to.include(
      `bursts of ${AUTHOR_MESSAGE_BURST / AUTHOR_MESSAGES_PER_SECOND}x`,
    )
    expect(Start.flags['new-author-rate'].description).to.include(
      `bursts of ${NEW_AUTHOR_MESSAGE_BURST / NEW_AUTHOR_MESSAGES_PER_SECOND}x`,
    )
    expect(Start.flags['hop-rate'].description).to.include(
      `bursts of ${DEFAULT_CONNECTION_LIMITS.frameBurst / DEFAULT_CONNECTION_LIMITS.framesPerSecond}x`,
    )
  })

  it('start and send share --join, --name, --host and --secret (same short names, env vars and host default)', () => {
    expect(Start.flags.port.default).to.equal(DEFAULT_PORT)
    for (const command of [Start, Send]) {
      expect(command.flags.host.default).to.equal(DEFAULT_HOST)
      expect(command.flags.host.env).to.equal('CHAT_HOST')
      expect(command.flags.name).to.include({char: 'n', env: 'CHAT_NAME'})
      expect(command.flags.secret.env).to.equal('CHAT_SECRET')
      expect(command.flags.join).to.include({char: 'j', multiple: true})
    }

    expect(Send.flags.join).to.include({multipleNonGreedy: true, required: true})
  })

  it('--join parses HOST:PORT and explains a bad address', async () => {
    const parse = Start.flags.join.parse as (input: string, context: never, options: never) => Promise<unknown>
    expect(await parse(' 127.0.0.1:5000 ', {} as never, {} as never)).to.deep.equal({host: '127.0.0.1', port: 5000})
    let error: unknown
    try {
      await parse('nope', {} as never, {} as never)
    } catch (error_) {
      error = error_
    }

    expect(error).to.be.instanceOf(Error)
    expect((error as Error).message).to.include('nope')
  })
})
