// `chat send`: a short-lived node that joins, sends one message, waits until a peer confirms it, and leaves. The
// command only turns flags into `SendOptions` and prints the `Delivery`.

import pTimeout from 'p-timeout'

import type {Address, ChatMessage} from '../p2p/types.js'

import {loadOrCreateIdentity} from '../identity/identity-file.js'
import {formatAddress} from '../p2p/address.js'
import {ChatNode} from '../p2p/node.js'
import {deriveRoomKey} from '../p2p/room.js'
import {nodeErrorText, roomSecretText} from '../repl/engine-text.js'
import {type Catalog, catalogs, type Lang} from '../repl/i18n.js'
import {badInput, CommandFailure} from './failure.js'

/** Exit code when the message could not be delivered (bad input exits 2, like every chat command). */
export const EXIT_NOT_DELIVERED = 1

export interface SendOptions {
  text: string
  name: string
  host: string
  /** The room secret; absent: the public room. */
  secret?: string
  /** The identity key file to send as (created if missing); absent: a fresh key, not kept. */
  identityFile?: string
  join: Address[]
  /** For the connections, then again for the confirmation. */
  timeoutSeconds: number
  /** The language of the errors. */
  lang: Lang
}

export interface Delivery {
  message: ChatMessage
  /** The peers that confirmed they have it. */
  peers: Array<{id: string; name: string; host: string; port: number}>
}

/**
 * Sends `text` and resolves once a peer confirmed it. Rejects with a `CommandFailure`: exit 2 on bad input (secret,
 * identity, text), `EXIT_NOT_DELIVERED` when no peer was reached or none confirmed in time. The node always leaves.
 */
export async function sendOnce(options: SendOptions): Promise<Delivery> {
  const catalog = catalogs[options.lang]
  let node: ChatNode | undefined
  try {
    node = await startNode(options).catch((error: unknown) => {
      throw badInput(error, roomSecretText(catalog.engine, error) ?? nodeErrorText(catalog.engine, error))
    })
    return await deliver(node, options, catalog)
  } finally {
    // Leaves politely (bye), so the peers show "left: quit" rather than a reset.
    await node?.stop()
  }
}

/** One line for the terminal in the reader's language, or one JSON object with --json (the same in every language). */
export function formatDelivery({message, peers}: Delivery, json: boolean, lang: Lang): string {
  return json
    ? JSON.stringify({event: 'delivered', id: message.id, text: message.text, ts: message.ts, peers})
    : catalogs[lang].cli.delivered(peers.map((p) => `${p.name} (${formatAddress(p)})`))
}

async function startNode(options: SendOptions): Promise<ChatNode> {
  const room = await deriveRoomKey(options.secret)
  const identity =
    options.identityFile === undefined ? undefined : (await loadOrCreateIdentity(options.identityFile)).identity
  // A node for one message: no dialling of peers it hears of, no history asked for, nothing redialled; marked
  // transient in its hello, so peers show its message but no join or leave line.
  const node = new ChatNode({
    name: options.name,
    host: options.host,
    port: 0,
    identity,
    room,
    degree: 0,
    history: 0,
    transient: true,
  })
  try {
    await node.start()
  } catch (error) {
    await node.stop()
    throw error
  }

  return node
}

async function deliver(node: ChatNode, options: SendOptions, catalog: Catalog): Promise<Delivery> {
  const timeoutMs = options.timeoutSeconds * 1000
  const joins = dedupe(options.join)
  // undefined once the deadline passed: the dials go on until the node's stop() ends them.
  const results = await pTimeout(
    Promise.allSettled(joins.map((peer) => node.connect(peer.host, peer.port, {persistent: false}))),
    {milliseconds: Math.max(timeoutMs, 1), fallback: () => undefined},
  )
  const reached = (results ?? []).filter((r) => r.status === 'fulfilled')
  if (reached.length === 0) {
    const why =
      results === undefined
        ? joins.map((peer) => catalog.cli.noAnswer(formatAddress(peer), options.timeoutSeconds))
        : results.map((r) =>
            r.status === 'rejected' ? (nodeErrorText(catalog.engine, r.reason) ?? (r.reason as Error).message) : '',
          )
    throw new CommandFailure(catalog.cli.notReached(why), EXIT_NOT_DELIVERED)
  }

  let message: ChatMessage
  try {
    message = node.send(options.text)
  } catch (error) {
    throw badInput(error, nodeErrorText(catalog.engine, error))
  }

  const confirmed = await node.confirmDelivery(timeoutMs)
  if (confirmed.length === 0) {
    throw new CommandFailure(catalog.cli.notConfirmed(options.timeoutSeconds), EXIT_NOT_DELIVERED)
  }

  return {message, peers: confirmed.map(({host, id, name, port}) => ({id, name, host, port}))}
}

function dedupe(addresses: Address[]): Address[] {
  const seen = new Set<string>()
  return addresses.filter((a) => !seen.has(`${a.host}:${a.port}`) && Boolean(seen.add(`${a.host}:${a.port}`)))
}
