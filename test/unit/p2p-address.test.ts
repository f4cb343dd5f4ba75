import {expect} from 'chai'

import {formatAddress, isLoopback} from '../../src/p2p/address.js'

describe('p2p address', () => {
  it('formatAddress brackets IPv6 hosts so the port stays readable', () => {
    expect(formatAddress({host: '127.0.0.1', port: 5001})).to.equal('127.0.0.1:5001')
    expect(formatAddress({host: '::1', port: 5001})).to.equal('[::1]:5001')
    expect(formatAddress({host: 'localhost', port: 5001})).to.equal('localhost:5001')
  })

  it('isLoopback knows the loopback addresses, IPv4-mapped included', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1'])
      expect(isLoopback(host), host).to.equal(true)
    for (const host of ['10.0.0.1', '192.168.1.127', '::', '0.0.0.0', '::ffff:10.0.0.1', '128.0.0.1', 'example.org']) {
      expect(isLoopback(host), host).to.equal(false)
    }
  })

  it('isLoopback treats the name localhost (any case, subdomains, trailing dot) as loopback, as RFC 6761 reserves it', () => {
    // Drift bug: the engine's copy said false for `localhost`, discovery's said true.
    for (const host of ['localhost', 'LocalHost', 'localhost.', 'chat.localhost'])
      expect(isLoopback(host), host).to.equal(true)
    for (const host of ['localhost.example.org', 'mylocalhost', 'localhost6x'])
      expect(isLoopback(host), host).to.equal(false)
  })
})
