import {expect} from 'chai'
import {statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {addressBookPath, loadAddressBook, saveAddressBook} from '../../src/identity/address-book-file.js'
import {KNOWN_PEER_RETRY_MAX_MS, KNOWN_PEER_TTL_MS, Mesh} from '../../src/p2p/mesh.js'
import {tempDir} from '../helpers/cli.js'

describe('the address book', () => {
  describe('in the mesh: it outlives failures', () => {
    const realNow = Date.now
    let now = 1_764_000_000_000

    beforeEach(() => {
      Date.now = () => now
    })

    afterEach(() => {
      Date.now = realNow
    })

    const settle = (): Promise<void> =>
      new Promise((resolve) => {
        setImmediate(resolve)
      })

    it('keeps retrying a peer that does not answer, at most every 5 minutes, and forgets it after a week unseen', async () => {
      let dials = 0
      const mesh = new Mesh(
        {
          selfId: 'self',
          isRunning: () => true,
          connectedIds: () => new Set(),
          connectionCount: () => 0,
          async dialOnce() {
            dials++
            throw new Error('unreachable')
          },
          exchangePeers() {},
        },
        {degree: 2, random: () => 0.999},
      )
      mesh.learn([{id: 'pedro', host: '10.0.0.2', port: 5000}])
      for (let i = 0; i < 20; i++) {
        mesh.maintain()
        await settle()
        const [entry] = mesh.known()
        expect(entry, `forgotten after ${dials} failed dials`).to.not.equal(undefined)
        expect(entry.retryAt - now).to.be.at.most(KNOWN_PEER_RETRY_MAX_MS)
        now = entry.retryAt
      }

      expect(dials).to.equal(20)
      now += KNOWN_PEER_TTL_MS
      mesh.maintain()
      await settle()
      expect(mesh.known()).to.deep.equal([])
    })

    it("takes an earlier run's book, skipping entries older than a week", () => {
      const mesh = new Mesh({
        selfId: 'self',
        isRunning: () => false,
        connectedIds: () => new Set(),
        connectionCount: () => 0,
        dialOnce: async () => 'x',
        exchangePeers() {},
      })
      mesh.learn([
        {id: 'ana', host: '10.0.0.3', port: 5001, lastSeen: now - 60_000},
        {id: 'old', host: '10.0.0.4', port: 5002, lastSeen: now - KNOWN_PEER_TTL_MS - 1},
      ])
      expect(mesh.addressBook()).to.deep.equal([{id: 'ana', host: '10.0.0.3', port: 5001, lastSeen: now - 60_000}])
    })
  })

  describe('the file beside the identity', () => {
    let dir: ReturnType<typeof tempDir>

    beforeEach(() => {
      dir = tempDir()
    })

    afterEach(() => dir.remove())

    it('saves (owner-only) and loads the book back; a damaged file or entry is skipped, never fatal', async () => {
      const path = addressBookPath(join(dir.path, 'identities', 'node-5000.pem'))
      expect(path).to.equal(join(dir.path, 'identities', 'node-5000.peers.json'))
      expect(await loadAddressBook(path)).to.deep.equal([])
      const entries = [{id: 'pedro', host: '10.0.0.2', port: 5000, lastSeen: 1}]
      await saveAddressBook(path, entries)
      expect(statSync(path).mode & 0o777).to.equal(0o600)
      expect(await loadAddressBook(path)).to.deep.equal(entries)
      writeFileSync(
        path,
        String.raw`[{"id":"a","host":"h","port":70000,"lastSeen":1},{"id":"b","host":"h\u001b","port":1,"lastSeen":1},{"id":"c","host":"h","port":2,"lastSeen":3}]`,
      )
      expect(await loadAddressBook(path)).to.deep.equal([{id: 'c', host: 'h', port: 2, lastSeen: 3}])
      writeFileSync(path, '{"torn')
      expect(await loadAddressBook(path)).to.deep.equal([])
    })
  })
})
