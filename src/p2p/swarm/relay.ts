// A blind relay (blind-relay over the DHT): when hole punching fails (symmetric NATs on both sides), two peers pair
// their streams through a node both can reach. The relay forwards encrypted UDX packets it cannot read; the room's
// handshake still runs end to end inside.

import type {DhtInstance, NoiseStream} from './lib.js'

import {loadRelayServer} from './lib.js'

export interface RunningRelay {
  /** The key peers pass to --relay-through (hex). */
  readonly publicKey: string
  close(): Promise<void>
}

/** Serves as a blind relay on `dht`, reachable by the DHT key pair given. */
export async function startRelay(
  dht: DhtInstance,
  keyPair: {publicKey: Buffer; secretKey: Buffer},
): Promise<RunningRelay> {
  const Server = await loadRelayServer()
  const relay = new Server({createStream: (options) => dht.createRawStream({...options, framed: true})})
  const server = dht.createServer((stream: NoiseStream) => {
    stream.on('error', () => {}) // a peer that goes away mid-pairing is not the relay's problem
    relay.accept(stream, {id: stream.remotePublicKey}).on('error', () => {})
  })
  await server.listen(keyPair)
  return {
    publicKey: keyPair.publicKey.toString('hex'),
    async close() {
      await relay.close()
      await server.close()
    },
  }
}

/** A relay key as typed: 64 hex digits (what `chat dht bootstrap` and `chat start --relay` print). */
export function parseRelayKey(text: string): Buffer | undefined {
  const trimmed = text.trim()
  return /^[\da-f]{64}$/i.test(trimmed) ? Buffer.from(trimmed, 'hex') : undefined
}
