// Known-answer vectors (snow's cacophony.txt and snow.txt): every handshake and transport message byte for byte.

import {expect} from 'chai'
import {readFileSync} from 'node:fs'

import {CipherState, HandshakeState, keyPairFromPrivateKey} from '../../src/p2p/noise/index.js'

interface VectorMessage {
  payload: string
  ciphertext: string
}

interface Vector {
  protocol_name: string
  init_prologue: string
  init_psks?: string[]
  init_static: string
  init_ephemeral: string
  resp_prologue: string
  resp_psks?: string[]
  resp_static: string
  resp_ephemeral: string
  handshake_hash?: string
  messages: VectorMessage[]
  source: string
}

const fixture = new URL('../fixtures/noise/xx-25519-chachapoly-sha256.json', import.meta.url)
const {vectors} = JSON.parse(readFileSync(fixture, 'utf8')) as {vectors: Vector[]}
const hex = (s: string): Buffer => Buffer.from(s, 'hex')

function sides(v: Vector): {init: HandshakeState; resp: HandshakeState} {
  const init = new HandshakeState({
    initiator: true,
    protocolName: v.protocol_name,
    prologue: hex(v.init_prologue),
    psks: (v.init_psks ?? []).map((s) => hex(s)),
    staticKeyPair: keyPairFromPrivateKey(hex(v.init_static)),
    ephemeralKeyPair: keyPairFromPrivateKey(hex(v.init_ephemeral)),
  })
  const resp = new HandshakeState({
    initiator: false,
    protocolName: v.protocol_name,
    prologue: hex(v.resp_prologue),
    psks: (v.resp_psks ?? []).map((s) => hex(s)),
    staticKeyPair: keyPairFromPrivateKey(hex(v.resp_static)),
    ephemeralKeyPair: keyPairFromPrivateKey(hex(v.resp_ephemeral)),
  })
  return {init, resp}
}

describe('noise: known-answer vectors', () => {
  it('the fixture holds all seven vectors', () => {
    expect(vectors).to.have.length(7)
  })

  for (const [i, v] of vectors.entries()) {
    it(`#${i} ${v.protocol_name} (${v.source.split('/').pop()})`, () => {
      const {init, resp} = sides(v)
      const handshakeLength = init.pattern.messages.length
      let initCiphers: {send: CipherState; recv: CipherState} | undefined
      let respCiphers: {send: CipherState; recv: CipherState} | undefined

      for (const [j, m] of v.messages.entries()) {
        // Writers alternate from the initiator, through the handshake and on into transport messages.
        const initiatorWrites = j % 2 === 0
        const payload = hex(m.payload)
        const expected = hex(m.ciphertext)
        if (j < handshakeLength) {
          const [writer, reader] = initiatorWrites ? [init, resp] : [resp, init]
          expect(writer.writeMessage(payload).toString('hex'), `message ${j} written`).to.equal(m.ciphertext)
          expect(reader.readMessage(expected).toString('hex'), `message ${j} read`).to.equal(m.payload)
          if (j === handshakeLength - 1) {
            expect(init.isComplete && resp.isComplete).to.equal(true)
            initCiphers = init.split()
            respCiphers = resp.split()
          } else {
            expect(init.isComplete || resp.isComplete).to.equal(false)
          }
        } else {
          if (initCiphers === undefined || respCiphers === undefined) throw new Error('not split')
          const [sender, receiver] = initiatorWrites
            ? [initCiphers.send, respCiphers.recv]
            : [respCiphers.send, initCiphers.recv]
          expect(sender.encryptWithAd(Buffer.alloc(0), payload).toString('hex'), `message ${j} sealed`).to.equal(
            m.ciphertext,
          )
          expect(receiver.decryptWithAd(Buffer.alloc(0), expected).toString('hex'), `message ${j} opened`).to.equal(
            m.payload,
          )
        }
      }

      expect(v.messages.length).to.be.greaterThan(handshakeLength)
      expect(init.handshakeHash.equals(resp.handshakeHash)).to.equal(true)
      if (v.handshake_hash !== undefined) expect(init.handshakeHash.toString('hex')).to.equal(v.handshake_hash)
      expect(init.remoteStaticPublicKey?.equals(resp.localStaticPublicKey)).to.equal(true)
      expect(resp.remoteStaticPublicKey?.equals(init.localStaticPublicKey)).to.equal(true)
    })
  }
})
