// Options for ChatNode instances the bench creates, written against more than one generation of the engine's
// options (the limits have moved while the engine grew): fields a given engine does not know are ignored by it.

import type {ChatNodeOptions} from '../src/p2p/node.js'

/** A rate nothing in the bench reaches. */
const UNLIMITED = 1e9

/**
 * `name`, a loopback port picked by the OS and, for `unlimited`, the per-author and per-hop rate limits lifted:
 * policy, not capacity, so a capacity measurement must not trip them.
 */
export function benchNodeOptions(base: {
  name: string
  degree?: number
  history?: number
  seenCacheMax?: number
  unlimited?: boolean
}): ChatNodeOptions {
  const options: Record<string, unknown> = {name: base.name, host: '127.0.0.1', port: 0}
  if (base.degree !== undefined) options.degree = base.degree
  if (base.history !== undefined) options.history = base.history
  if (base.seenCacheMax !== undefined) options.seenCache = {maxEntries: base.seenCacheMax}
  if (base.unlimited) {
    options.authorRate = {perSecond: UNLIMITED, burst: UNLIMITED}
    options.hopRate = {perSecond: UNLIMITED, burst: UNLIMITED} // the first mesh engine
    options.connection = {framesPerSecond: UNLIMITED, frameBurst: UNLIMITED} // since the limit moved into connections
  }

  return options as unknown as ChatNodeOptions
}
