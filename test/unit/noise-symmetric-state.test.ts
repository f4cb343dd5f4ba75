import {expect} from 'chai'
import * as fc from 'fast-check'
import crypto from 'node:crypto'

import {hkdf, NoiseError, parseProtocolName, SymmetricState} from '../../src/p2p/noise/index.js'
import {thrownCode} from '../helpers/errors.js'

const hmac = (key: Uint8Array, data: Uint8Array): Buffer => crypto.createHmac('sha256', key).update(data).digest()

/** Noise §4.3 HKDF written out from its definition, to check hkdfSync against. */
function noiseHkdf(ck: Uint8Array, ikm: Uint8Array): Buffer[] {
  const temp = hmac(ck, ikm)
  const o1 = hmac(temp, Buffer.from([1]))
  const o2 = hmac(temp, Buffer.concat([o1, Buffer.from([2])]))
  const o3 = hmac(temp, Buffer.concat([o2, Buffer.from([3])]))
  return [o1, o2, o3]
}

describe('noise: SymmetricState', () => {
  it('hkdfSync(sha256, ikm, salt=ck, info=empty) equals Noise HKDF for 2 and 3 outputs', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({minLength: 32, maxLength: 32}),
        fc.oneof(fc.constant(new Uint8Array(0)), fc.uint8Array({minLength: 32, maxLength: 32})),
        (ck, ikm) => {
          const [o1, o2, o3] = noiseHkdf(ck, ikm)
          const two = hkdf(ck, ikm, 2)
          const three = hkdf(ck, ikm, 3)
          expect(Buffer.concat(two).equals(Buffer.concat([o1!, o2!]))).to.equal(true)
          expect(Buffer.concat(three).equals(Buffer.concat([o1!, o2!, o3!]))).to.equal(true)
        },
      ),
      {seed: 42, numRuns: 200},
    )
  })

  it('pads a protocol name of at most 32 bytes and hashes a longer one', () => {
    const short = 'Noise_XX_25519_ChaChaPoly_SHA256' // exactly 32 bytes
    expect(new SymmetricState(short).getHandshakeHash().toString()).to.equal(short)
    expect(new SymmetricState('Noise_NN').getHandshakeHash().toString('hex')).to.equal(
      Buffer.concat([Buffer.from('Noise_NN'), Buffer.alloc(24)]).toString('hex'),
    )
    const long = 'Noise_XXpsk0_25519_ChaChaPoly_SHA256'
    expect(
      new SymmetricState(long).getHandshakeHash().equals(crypto.createHash('sha256').update(long).digest()),
    ).to.equal(true)
  })

  it('EncryptAndHash/DecryptAndHash stay in step and Split gives matching key pairs', () => {
    const a = new SymmetricState('Noise_XX_25519_ChaChaPoly_SHA256')
    const b = new SymmetricState('Noise_XX_25519_ChaChaPoly_SHA256')
    for (const s of [a, b]) s.mixHash(Buffer.from('prologue'))
    // Before a key: plaintext, still hashed.
    const clear = a.encryptAndHash(Buffer.from('hi'))
    expect(clear.toString()).to.equal('hi')
    expect(b.decryptAndHash(clear).toString()).to.equal('hi')
    const ikm = crypto.randomBytes(32)
    a.mixKey(ikm)
    b.mixKey(ikm)
    expect(a.hasKey()).to.equal(true)
    const sealed = a.encryptAndHash(Buffer.from('secret'))
    expect(sealed.length).to.equal(6 + 16)
    expect(b.decryptAndHash(sealed).toString()).to.equal('secret')
    a.mixKeyAndHash(Buffer.alloc(32, 7))
    b.mixKeyAndHash(Buffer.alloc(32, 7))
    expect(a.getHandshakeHash().equals(b.getHandshakeHash())).to.equal(true)
    const [a1, a2] = a.split()
    const [b1, b2] = b.split()
    expect(b1.decryptWithAd(Buffer.alloc(0), a1.encryptWithAd(Buffer.alloc(0), Buffer.from('x'))).toString()).to.equal(
      'x',
    )
    expect(
      thrownCode(NoiseError, () =>
        b2.decryptWithAd(Buffer.alloc(0), a1.encryptWithAd(Buffer.alloc(0), Buffer.from('y'))),
      ),
    ).to.equal('decrypt_failed')
    expect(a2.hasKey()).to.equal(true)
    expect(thrownCode(NoiseError, () => a.split())).to.equal('invalid_state')
    expect(thrownCode(NoiseError, () => a.encryptAndHash(Buffer.from('after split')))).to.equal('invalid_state')
  })
})

describe('noise: protocol names', () => {
  const tokens = (name: string): string[] => parseProtocolName(name).messages.map((m) => m.join(','))

  it('places psk tokens per Noise §9.2', () => {
    expect(tokens('Noise_XX_25519_ChaChaPoly_SHA256')).to.deep.equal(['e', 'e,ee,s,es', 's,se'])
    expect(tokens('Noise_XXpsk0_25519_ChaChaPoly_SHA256')).to.deep.equal(['psk,e', 'e,ee,s,es', 's,se'])
    expect(tokens('Noise_XXpsk3_25519_ChaChaPoly_SHA256')).to.deep.equal(['e', 'e,ee,s,es', 's,se,psk'])
    expect(tokens('Noise_XXpsk0+psk1+psk2+psk3_25519_ChaChaPoly_SHA256')).to.deep.equal([
      'psk,e,psk',
      'e,ee,s,es,psk',
      's,se,psk',
    ])
    expect(parseProtocolName('Noise_XXpsk0+psk2_25519_ChaChaPoly_SHA256').pskCount).to.equal(2)
    expect(parseProtocolName('Noise_XX_25519_ChaChaPoly_SHA256').pskCount).to.equal(0)
  })

  it('rejects what it does not implement', () => {
    for (const name of [
      'Noise_XXpsk4_25519_ChaChaPoly_SHA256',
      'Noise_XXpsk0+psk0_25519_ChaChaPoly_SHA256',
      'Noise_XXfallback_25519_ChaChaPoly_SHA256',
      'Noise_XXpsk01_25519_ChaChaPoly_SHA256',
      'Noise_XXpsk0+_25519_ChaChaPoly_SHA256',
      'Noise_IK_25519_ChaChaPoly_SHA256',
      'Noise_XX_448_ChaChaPoly_SHA256',
      'Noise_XX_25519_AESGCM_SHA256',
      'Noise_XX_25519_ChaChaPoly_BLAKE2s',
      'Noise_XX_25519_ChaChaPoly',
      'Nois_XX_25519_ChaChaPoly_SHA256',
      '',
    ]) {
      expect(
        thrownCode(NoiseError, () => parseProtocolName(name)),
        name,
      ).to.equal('unsupported_protocol')
    }
  })
})
