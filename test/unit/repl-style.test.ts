import {expect} from 'chai'

import {ansiStyle, colorFor, hashId, PALETTE_16, PALETTE_256, PLAIN, resolveColor} from '../../src/repl/style.js'

const ids = Array.from({length: 200}, (_, i) => `node-id-${i}`)

describe('repl style', () => {
  describe('colorFor', () => {
    it('gives an id the same colour every time', () => {
      expect(hashId('abc')).to.equal(hashId('abc'))
      expect(colorFor('pedro-id', 256)).to.equal(colorFor('pedro-id', 256))
      // pinned: the hash must not change between versions, or everyone's colours would
      expect(hashId('')).to.equal(0x81_1c_9d_c5)
      expect(hashId('a')).to.equal(0xe4_0c_29_2c)
    })

    it('picks from the palettes only', () => {
      for (const id of ids) {
        expect(PALETTE_256.map((c) => `38;5;${c}`)).to.include(colorFor(id, 256))
        expect(PALETTE_16.map(String)).to.include(colorFor(id, 16))
      }
    })

    it('spreads ids over the palette', () => {
      expect(new Set(ids.map((id) => colorFor(id, 256))).size).to.equal(PALETTE_256.length)
      expect(new Set(ids.map((id) => colorFor(id, 16))).size).to.equal(PALETTE_16.length)
    })

    it('never uses red, which is for errors', () => {
      expect(PALETTE_16).not.to.include(31)
      expect(PALETTE_16).not.to.include(91)
      expect(PALETTE_256).not.to.include(160)
      expect(PALETTE_256).not.to.include(196)
    })
  })

  it('PLAIN leaves every text as it is', () => {
    for (const paint of [PLAIN.own, PLAIN.system, PLAIN.error, PLAIN.mention, PLAIN.mentionMark, PLAIN.header]) {
      expect(paint('x [y]')).to.equal('x [y]')
    }

    expect(PLAIN.name('id', 'Pedro')).to.equal('Pedro')
    expect(PLAIN.color).to.equal(false)
  })

  it('ansiStyle wraps text in SGR codes that reset only what they set', () => {
    const style = ansiStyle(256)
    expect(style.name('pedro-id', 'Pedro')).to.equal(`\u001B[1;${colorFor('pedro-id', 256)}mPedro\u001B[39;22m`)
    expect(style.own('You: hi')).to.equal('\u001B[1mYou: hi\u001B[22m')
    expect(style.error('oops')).to.equal('\u001B[31moops\u001B[39m')
    expect(style.system('* x')).to.equal('\u001B[38;5;244m* x\u001B[39m')
    expect(ansiStyle(16).system('* x')).to.equal('\u001B[90m* x\u001B[39m')
    expect(style.mentionMark('@Julia')).to.equal('\u001B[7m@Julia\u001B[27m')
    expect(style.own('')).to.equal('')
  })

  describe('resolveColor', () => {
    it('follows an explicit flag first', () => {
      expect(resolveColor({flag: false, env: {FORCE_COLOR: '1'}, isTTY: true})).to.equal(false)
      expect(resolveColor({flag: true, env: {NO_COLOR: '1'}, isTTY: false})).to.equal(true)
    })

    it('turns colour off for any non-empty NO_COLOR', () => {
      expect(resolveColor({env: {NO_COLOR: '1'}, isTTY: true})).to.equal(false)
      expect(resolveColor({env: {NO_COLOR: '0'}, isTTY: true})).to.equal(false)
      expect(resolveColor({env: {NO_COLOR: ''}, isTTY: true})).to.equal(true)
    })

    it('honours FORCE_COLOR, also over NO_COLOR and without a terminal', () => {
      expect(resolveColor({env: {FORCE_COLOR: '1'}, isTTY: false})).to.equal(true)
      expect(resolveColor({env: {FORCE_COLOR: '1', NO_COLOR: '1'}, isTTY: false})).to.equal(true)
      expect(resolveColor({env: {FORCE_COLOR: '0'}, isTTY: true})).to.equal(false)
      expect(resolveColor({env: {FORCE_COLOR: 'false'}, isTTY: true})).to.equal(false)
    })

    it('is on for a terminal and off otherwise', () => {
      expect(resolveColor({env: {}, isTTY: true})).to.equal(true)
      expect(resolveColor({env: {}, isTTY: false})).to.equal(false)
      expect(resolveColor({env: {}})).to.equal(false)
    })
  })
})
