// Who is who in the REPL, apart from it (src/repl/authors.ts): a second key behind a name is flagged once per key,
// completion names come connected peers first, and /ignore's lookup takes a fingerprint or a name in any case.

import {expect} from 'chai'

import type {ReplNode} from '../../src/repl/types.js'

import {fingerprint, generateIdentity} from '../../src/p2p/identity.js'
import {Authors, resolveAuthor} from '../../src/repl/authors.js'

const node = (peers: string[], directory: string[]): ReplNode =>
  ({
    info: {id: 'self', name: 'Julia', host: '127.0.0.1', port: 1},
    peers: () =>
      peers.map((name) => ({
        id: name,
        name,
        host: '127.0.0.1',
        port: 2,
        direction: 'inbound',
        since: 0,
        transport: 'tcp',
      })),
    directory: () => directory.map((name) => ({id: name, name, host: '127.0.0.1', port: 3})),
  }) as unknown as ReplNode

describe('Authors', () => {
  it('flags a name used by a second key, once per key, with the last keys seen', () => {
    const authors = new Authors(node([], []), () => 'Julia')
    const [a, b] = [generateIdentity().id, generateIdentity().id]
    expect(authors.checkName('Pedro', a)).to.equal(undefined)
    expect(authors.checkName('Pedro', a)).to.equal(undefined)
    expect(authors.checkName('Pedro', b)).to.deep.equal([fingerprint(a), fingerprint(b)])
    expect(authors.checkName('Pedro', b)).to.equal(undefined)
  })

  it('completes connected peers, then nodes a direct message reaches (latest first), then recent authors; never us', () => {
    const authors = new Authors(node(['Ana'], ['Bia', 'Caio']), () => 'Julia')
    authors.seen('Dora')
    authors.seen('Julia')
    authors.seen('Ana')
    expect(authors.peerNames()).to.deep.equal(['Ana', 'Caio', 'Bia', 'Dora'])
  })

  it('resolves a fingerprint, else a name in any case, to the ids it can mean', () => {
    const [a, b] = [generateIdentity().id, generateIdentity().id]
    const known = new Map([
      [a, 'Pedro'],
      [b, 'pedro'],
    ])
    expect(resolveAuthor(fingerprint(b), known)).to.deep.equal([b])
    expect(resolveAuthor('PEDRO', known)).to.deep.equal([a, b])
    expect(resolveAuthor('Ana', known)).to.deep.equal([])
  })
})
