// `chat start --discover`: LAN discovery glued to a node. Finds nodes of the same room over mDNS and connects to the
// ones it is not connected to yet; never throws into the command (problems are reported, the node runs on).
// Connections are not persistent (no redial): a node that left says goodbye, and one still there is found again
// within REFOUND_MS and dialled again if the connection was lost.

import type {NodeInfo, PeerSummary} from '../p2p/types.js'

import {isLoopback} from '../p2p/address.js'
import {type DiscoveredNode, Discovery, type DiscoveryOptions} from './mdns.js'

export {type DiscoveredNode, Discovery, type DiscoveryOptions} from './mdns.js'
export {SERVICE_TYPE} from './records.js'

/** The part of a ChatNode discovery needs (a ChatNode is one). */
export interface DiscoveryHost {
  readonly info: NodeInfo
  peers(): PeerSummary[]
  connect(host: string, port: number, options: {persistent: boolean}): Promise<PeerSummary>
}

/** Dial failures that are not worth a line: another dial to it is under way, or it is this node. */
const QUIET_CONNECT_ERRORS = new Set(['dial_in_progress', 'self'])

/**
 * Announces `node` on the LAN for the room `roomId` (`RoomKey.roomId`) and connects to every node of that room it
 * finds that is not already a peer (the node's `peer_joined` event shows it). `report` gets one English sentence and its
 * parts per problem,
 * a failed connection included. Resolves with the function that stops discovery (it says goodbye on the LAN); if
 * mDNS cannot start, that is reported and discovery is off for the session. Never rejects.
 */
/** A discovery problem's parts, for a caller that words it in the reader's language (src/repl/i18n-cli.ts). */
export type DiscoveryProblem =
  | {kind: 'loopback'; host: string}
  | {kind: 'connect'; host: string; port: number; error: unknown}
  | {kind: 'mdns'; reason: string}
  | {kind: 'off'; reason: string}

export async function discoverPeers(
  node: DiscoveryHost,
  roomId: string,
  report: (message: string, problem: DiscoveryProblem) => void,
  options: Partial<Pick<DiscoveryOptions, 'mdns' | 'queryIntervalMs' | 'refoundMs'>> = {},
): Promise<() => Promise<void>> {
  const self = node.info
  if (isLoopback(self.host)) {
    report(
      `--discover with --host ${self.host}: only nodes on this machine can connect; listen on 0.0.0.0 or a LAN address to be found by others`,
      {
        kind: 'loopback',
        host: self.host,
      },
    )
  }

  const onFound = (found: DiscoveredNode): void => {
    if (node.peers().some((peer) => peer.id === found.id || (peer.host === found.host && peer.port === found.port)))
      return
    node.connect(found.host, found.port, {persistent: false}).catch((error: unknown) => {
      const {code} = error as {code?: unknown}
      if (typeof code === 'string' && QUIET_CONNECT_ERRORS.has(code)) return
      report(`discovery: found ${found.host}:${found.port} but ${(error as Error).message}`, {
        kind: 'connect',
        host: found.host,
        port: found.port,
        error,
      })
    })
  }

  try {
    const discovery = await Discovery.start({
      ...options,
      self: {id: self.id, host: self.host, port: self.port},
      roomId,
      onFound,
      onProblem: (message, reason) => report(message, {kind: 'mdns', reason}),
    })
    return () => discovery.stop()
  } catch (error) {
    report(`${(error as Error).message}: discovery is off`, {
      kind: 'off',
      reason: (error as {reason?: string}).reason ?? (error as Error).message,
    })
    return async () => {}
  }
}
