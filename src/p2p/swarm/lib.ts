// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- ambient types only: there is no module to import
/// <reference path="./modules.d.ts" />
// Typed doors to Hyperswarm, hyperdht and blind-relay (CommonJS without types): only the parts this project uses,
// each loaded with a dynamic import so that nothing of them is loaded unless the swarm is used.

import type {EventEmitter} from 'node:events'

/** Hyperswarm's encrypted stream (@hyperswarm/secret-stream, a streamx Duplex). */
export interface NoiseStream extends EventEmitter {
  readonly destroyed: boolean
  readonly isInitiator: boolean
  readonly remotePublicKey: Uint8Array
  readonly rawStream: {remoteHost?: string; remotePort?: number} | null
  readonly _writableState?: {buffered: number}
  write(chunk: Buffer): boolean
  end(): void
  destroy(error?: Error): void
  resume(): void
}

export interface SwarmPeerInfo {
  readonly publicKey: Uint8Array
  readonly attempts: number
  readonly forceRelaying: boolean
}

export interface Discovery {
  flushed(): Promise<unknown>
  refresh(options: {client: boolean; server: boolean}): Promise<void>
}

export interface DhtInstance extends EventEmitter {
  readonly table: {size: number}
  address(): {host: string; port: number}
  fullyBootstrapped(): Promise<void>
  createServer(onConnection: (stream: NoiseStream) => void): {
    listen(keyPair?: unknown): Promise<void>
    readonly publicKey: Buffer
    close(): Promise<void>
  }
  createRawStream(options?: object): unknown
  destroy(): Promise<void>
}

export interface DhtOptions {
  bootstrap?: Array<{host: string; port: number}>
  host?: string
  port?: number
  ephemeral?: boolean
  firewalled?: boolean
}

export interface DhtClass {
  new (options?: DhtOptions): DhtInstance
  bootstrapper(port: number, host: string, options?: DhtOptions): DhtInstance
  keyPair(seed?: Buffer): {publicKey: Buffer; secretKey: Buffer}
}

export interface SwarmInstance extends EventEmitter {
  readonly dht: DhtInstance
  readonly peers: Map<string, SwarmPeerInfo>
  readonly connections: Set<NoiseStream>
  join(topic: Buffer, options: {client: boolean; server: boolean}): Discovery
  destroy(): Promise<void>
}

export interface HyperswarmClass {
  new (options: {
    dht: DhtInstance
    keyPair: {publicKey: Buffer; secretKey: Buffer}
    maxPeers: number
    relayThrough?: (force: boolean) => Buffer | null
  }): SwarmInstance
}

export interface RelayServerClass {
  new (options: {createStream(options: object): unknown}): {
    accept(stream: NoiseStream, options: {id: Uint8Array}): EventEmitter
    close(): Promise<void>
  }
}

export async function loadHyperswarm(): Promise<HyperswarmClass> {
  return ((await import('hyperswarm')) as {default: HyperswarmClass}).default
}

export async function loadHyperdht(): Promise<DhtClass> {
  return ((await import('hyperdht')) as {default: DhtClass}).default
}

export async function loadRelayServer(): Promise<RelayServerClass> {
  return ((await import('blind-relay')) as {default: {Server: RelayServerClass}}).default.Server
}

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.')
}
