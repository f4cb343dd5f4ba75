// Every line a user reads comes from the catalogues: this walks both of them key by key (the same keys, nothing
// empty, the same placeholders in both languages) and checks that every code the engine can raise has words.

import {expect} from 'chai'
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {NODE_ERROR_CODES, PROTOCOL_CODES, REASON_CODES, WARNING_CODES} from '../../src/repl/i18n-engine.js'
import {catalogs} from '../../src/repl/i18n.js'

// Distinctive values: a placeholder shows up in the text as exactly one of these (numbers < 1000, so no locale adds
// a thousands separator).
const who = {name: 'Qname', host: 'Qhost', port: 417}
const failure = {code: 'not_chat_protocol', direction: 'outbound', host: 'Qhost', port: 417}
const details = {
  address: 'Qaddress',
  host: 'Qhost',
  port: 417,
  reason: 'Qreason',
  length: 613,
  limit: 809,
  failure,
  until: 0,
}
const TOKENS = [
  '0644',
  '0600',
  'Qname',
  'Qhost',
  '417',
  'Qaddress',
  'Qreason',
  '613',
  '809',
  'Qa',
  'Qb',
  'Qc',
  '271',
  '919',
  'Qd',
  'Qe',
]

/** Arguments to call each function of the catalogue with, by its key path. */
function sampleArgs(path: string): unknown[] | undefined {
  if (path.startsWith('engine.errors.')) return [details]
  if (path.startsWith('engine.warnings.')) return ['Qa']
  const samples: Record<string, unknown[]> = {
    received: [who, 'Qa'],
    own: ['Qa'],
    prompt: ['Qa'],
    peerJoined: [who],
    peerLeft: [who, 'Qa'],
    peerLost: [who, 'Qa'],
    peersHeader: [271],
    peerLine: [who, 'Qa'],
    historyMark: ['Qa'],
    nameClash: ['Qa', ['Qb', 'Qc']],
    unknownCommand: ['Qa'],
    directReceived: [who, 'Qa'],
    directSent: [who, 'Qa'],
    msgUnknown: ['Qa', ['Qb', 'Qc']],
    msgAmbiguous: ['Qa', ['Qb', 'Qc']],
    direction: ['inbound'],
    via: ['swarm', 'relayed'],
    relayRunning: ['Qa'],
    bootstrapReady: ['Qa', 'Qb'],
    receivedFrom: ['Qa', 'Qb'],
    historyHeader: [271],
    historyFailed: ['Qa'],
    inputHistoryFailed: ['Qa'],
    historyLoose: ['Qa', 0o644, 0o600],
    identityLoose: ['Qa', 0o644],
    pasteQuestion: [271],
    connected: [who],
    connectFailed: ['Qa'],
    roomJoined: ['Qa'],
    lateMark: ['Qa'],
    clockSkew: [who, 919_000],
    'log.frameStored': ['Qa'],
    ignoreAdded: ['Qa', 'Qb'],
    ignoreRemoved: ['Qa', 'Qb'],
    ignoreAlready: ['Qa', 'Qb'],
    ignoreNotListed: ['Qa'],
    ignoreList: [['Qa', 'Qb'], 271],
    ignoreUnknown: ['Qa'],
    ignoreAmbiguous: ['Qa', ['Qb', 'Qc']],
    ignoreFull: [271],
    ignoreFileFailed: ['Qa'],
    retryCleared: [271],
    cooldownHeader: [271],
    cooldownLine: ['Qa', 'Qb', 'Qc'],
    roomLeft: ['Qa', 'quit'],
    roomChurn: [271, 919],
    whoHeader: [271],
    whoLine: [who, 'Qa', 'Qb', 'Qc'],
    reach: [true],
    connectionFailure: [failure],
    heldReleased: [271, 919, who],
    sendFailed: ['Qa'],
    warning: ['Qa'],
    'engine.peerDisconnected': ['Qa', 'Qb', 'Qc'],
    'engine.peerReported': ['Qa', 'Qb'],
    'engine.heartbeat': [271],
    'engine.weakPassphrase': ['Qa'],
    'engine.weakness.short': [271],
    'log.sessionStarted': ['Qa', 'Qb'],
    'log.connected': ['Qa'],
    'log.disconnected': ['Qa', 'Qb'],
    'log.own': ['Qa'],
    'log.action': ['Qa', 'Qb'],
    'log.received': ['Qa', 'Qb'],
    'log.directSent': ['Qa', 'Qb'],
    'log.directReceived': ['Qa', 'Qb'],
    'log.notFound': [919, 'Qd', 'Qe'],
    'log.waiting': ['Qa'],
    'cli.delivered': [['Qa', 'Qb']],
    'cli.notReached': [['Qa', 'Qb']],
    'cli.noAnswer': ['Qa', 271],
    'cli.notConfirmed': [271],
    'cli.inviteHint': ['Qa', 'Qb'],
    'cli.nameNotKept': ['Qa'],
    'cli.logDirIsFile': ['Qa'],
    'cli.logDirUnderFile': ['Qa'],
    'cli.storeUnreadable': ['Qa', 'Qb'],
    'cli.ignoreFile': ['corrupt', 'Qa', 'Qb'],
    'cli.historyWriteFailed': ['Qa', 'Qb'],
    'cli.historyEventFailed': ['Qa', 'Qb'],
    'cli.historyOverflow': [271, 919],
    'cli.historyCloseLost': [271, 'Qa'],
    'cli.addressBookUnsaved': ['Qa', 'Qb'],
    'cli.pluginFailed': ['Qa', 'Qb', 'Qc'],
    'cli.pluginsBehind': ['Qa'],
    'cli.pluginHookError': ['Qa', 'Qb'],
    'cli.discoveryLoopback': ['Qa'],
    'cli.discoveryConnectFailed': ['Qa', 'Qb'],
    'cli.discoveryOff': ['Qa'],
    'cli.discoveryProblem': ['Qa'],
  }
  return samples[path]
}

/** Every leaf of a catalogue as [path, text]: strings as they are, functions called with their sample arguments. */
function leaves(value: unknown, path = ''): Array<[string, string]> {
  if (typeof value === 'string') return [[path, value]]
  if (typeof value === 'function') {
    const args = sampleArgs(path)
    if (!args) throw new Error(`no sample arguments for the catalogue function ${path}: add them to this test`)
    return [[path, (value as (...a: unknown[]) => string)(...args)]]
  }

  if (Array.isArray(value)) return value.flatMap((item, i) => leaves(item, `${path}[${i}]`))
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([key, item]) => leaves(item, path ? `${path}.${key}` : key))
  }

  throw new Error(`${path}: a ${typeof value} in the catalogue`)
}

const placeholders = (text: string): string[] => TOKENS.filter((token) => text.includes(token))

describe('message catalogues', () => {
  const pt = new Map(leaves(catalogs.pt))
  const en = new Map(leaves(catalogs.en))

  it('have the same keys in both languages', () => {
    expect([...pt.keys()].sort()).to.deep.equal([...en.keys()].sort())
    expect(pt.size).to.be.above(100)
  })

  it('have no empty text', () => {
    for (const [lang, texts] of [
      ['pt', pt],
      ['en', en],
    ] as const) {
      for (const [path, text] of texts) expect(text.trim(), `${lang} ${path}`).to.not.equal('')
    }
  })

  it('use the same placeholders in both languages', () => {
    for (const [path, text] of pt) expect(placeholders(text), path).to.deep.equal(placeholders(en.get(path)!))
  })

  it('translate every text but command words, addresses and prompts', () => {
    // The texts that are the same in both languages on purpose.
    const same =
      /^(prompt|peerLine|peerColumns\.via|log\.received|log\.action|help\[\d+]\.command|help\[[236]]\.usage)$/
    const untranslated = [...pt]
      .filter(([path, text]) => text === en.get(path) && !same.test(path))
      .map(([path]) => path)
    expect(untranslated).to.deep.equal([])
  })

  it('have words for every code the engine raises', () => {
    const dir = fileURLToPath(new URL('../../src/p2p', import.meta.url))
    const files = readdirSync(dir, {recursive: true, encoding: 'utf8'}).filter((file) => file.endsWith('.ts'))
    const source = files.map((file) => readFileSync(join(dir, file), 'utf8')).join('\n')
    const found = (pattern: RegExp): string[] => [...new Set([...source.matchAll(pattern)].map((m) => m[1]))]
    const nodeCodes = found(/new ChatNodeError\(\s*\{\s*code:\s*'([a-z_]+)'/g)
    const protocolCodes = found(/new (?:ProtocolError|SessionError)\(\s*'([a-z_]+)'/g).map((code) => code)
    const warningCodes = found(/\bwarn\(\s*'([a-z_]+)'/g)
    // A guard against a refactor that renames the error classes: then this scan must be taught the new names.
    expect(nodeCodes.length + protocolCodes.length + warningCodes.length).to.be.above(25)
    expect(
      nodeCodes.filter((code) => !(NODE_ERROR_CODES as readonly string[]).includes(code)),
      'ChatNodeError codes',
    ).to.deep.equal([])
    expect(
      protocolCodes.filter((code) => !(PROTOCOL_CODES as readonly string[]).includes(code)),
      'protocol codes',
    ).to.deep.equal([])
    expect(
      warningCodes.filter((code) => !(WARNING_CODES as readonly string[]).includes(code)),
      'warning codes',
    ).to.deep.equal([])
    const roomCodes = found(/new RoomSecretError\(\s*'([a-z_]+)'/g)
    expect(roomCodes).to.have.length.above(0)
    expect(
      roomCodes.filter((code) => !(code in catalogs.en.engine.roomErrors)),
      'room secret codes',
    ).to.deep.equal([])
    // The socket errors the engine words (SOCKET_ERROR_REASONS) have a reason each.
    const socketCodes = found(/^\s+(E[A-Z]+): '/gm).filter((code) => code !== 'EPIPE')
    expect(
      socketCodes.filter((code) => !(REASON_CODES as readonly string[]).includes(code)),
      'socket errors',
    ).to.deep.equal([])
  })
})
