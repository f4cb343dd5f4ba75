// A private DHT: what `chat dht bootstrap` runs for a class, a company or the tests, instead of Hyperswarm's public
// bootstrap nodes. Three persistent nodes: with fewer, hyperdht cannot classify a NAT (it needs samples from several
// nodes) and every hole punch ends in HOLEPUNCH_ABORTED. The first must know its own address (a bootstrapper); a
// blind relay runs beside it, so peers behind two symmetric NATs can still meet.

import crypto from 'node:crypto'

import type {Address} from '../types.js'

import {type DhtInstance, loadHyperdht} from './lib.js'
import {type RunningRelay, startRelay} from './relay.js'

export const BOOTSTRAP_NODES = 3

export interface RunningBootstrap {
  /** What to pass as --bootstrap, one address per node. */
  readonly nodes: Address[]
  readonly relay: RunningRelay | undefined
  close(): Promise<void>
}

export interface BootstrapOptions {
  /** The first node's UDP port; the others take the next ones. */
  port: number
  /** The address peers reach this machine at (an IPv4 address; 0.0.0.0 is not an address peers can use). */
  host: string
  /** Run a blind relay on the first node (default true). */
  relay?: boolean
}

export async function startBootstrap(options: BootstrapOptions): Promise<RunningBootstrap> {
  const DHT = await loadHyperdht()
  const nodes: DhtInstance[] = []
  let relay: RunningRelay | undefined
  const close = async (): Promise<void> => {
    await relay?.close()
    for (const node of nodes.reverse()) await node.destroy()
  }

  try {
    const first = DHT.bootstrapper(options.port, options.host, {host: options.host})
    nodes.push(first)
    await first.fullyBootstrapped()
    const bootstrap = [{host: options.host, port: options.port}]
    for (let i = 1; i < BOOTSTRAP_NODES; i++) {
      const node = new DHT({bootstrap, port: options.port + i, host: options.host, ephemeral: false, firewalled: false})
      nodes.push(node)
      await node.fullyBootstrapped()
    }

    if (options.relay !== false) relay = await startRelay(first, DHT.keyPair(crypto.randomBytes(32)))
  } catch (error) {
    await close().catch(() => {})
    throw error
  }

  return {nodes: nodes.map((_, i) => ({host: options.host, port: options.port + i})), relay, close}
}
