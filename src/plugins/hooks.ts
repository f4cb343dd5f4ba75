// Plugin hooks of `chat start`: the node's events become oclif hooks (`chat:ready`, `chat:message`, `chat:peer`)
// that any installed or linked plugin can implement. Each hook gets the event and a small API over the node.
//
// Hooks never hold up the node: every event is queued (bounded) and run off the event handler, at most
// HOOK_CONCURRENCY hook events at a time, each with a deadline. A plugin whose hook throws, rejects or times out is
// reported once and its chat hooks are switched off for the rest of the session; the node keeps running.

import type {Config, Interfaces} from '@oclif/core'
import type {EventEmitter} from 'node:events'

import PQueue from 'p-queue'

import type {ChatMessage, ChatNodeEvents, NodeInfo, PeerLeft, PeerSummary} from '../p2p/types.js'

/** The hook events `chat start` fires, in the order a session meets them. */
export const CHAT_HOOK_EVENTS = ['chat:ready', 'chat:message', 'chat:peer'] as const
export type ChatHookEvent = (typeof CHAT_HOOK_EVENTS)[number]

/** One hook call (every plugin's hook for one event) must settle within this, or its plugin is disabled. */
export const HOOK_TIMEOUT_MS = 10_000
/** Hook events running at once; more wait in the queue. */
export const HOOK_CONCURRENCY = 4
/** Hook events waiting to run; beyond this new events are dropped (and that is reported). */
export const MAX_PENDING_HOOK_EVENTS = 256
/** Messages all plugins together may send per window: a runaway bot (two bots answering each other) is stopped. */
export const PLUGIN_SEND_LIMIT = 20
export const PLUGIN_SEND_WINDOW_MS = 10_000

/**
 * What a hook can do with the node. The same object for every hook of a session.
 *
 * - `node`: this node as peers see it: `id`, `name`, and the listening address `host` and `port`.
 * - `send(text)`: sends a chat message to every node of the network, as this node; returns it. Throws (and so
 *   fails the hook) when the node has stopped, the text is empty or too long, or plugins together sent more than
 *   PLUGIN_SEND_LIMIT messages in PLUGIN_SEND_WINDOW_MS.
 * - `peers()`: the directly connected peers, by listening address.
 */
export type ChatApi = {
  readonly node: NodeInfo
  send(text: string): ChatMessage
  peers(): PeerSummary[]
}

// The options are type aliases rather than interfaces on purpose: oclif's `Hooks` map requires options assignable
// to Record<string, unknown>, which an interface (having no implicit index signature) is not.

/** `chat:ready`: the node is listening. Fired once per session. */
export type ChatReadyHookOptions = {
  chat: ChatApi
  node: NodeInfo
}

/**
 * `chat:message`: a live message from another node, seen for the first time. Never this node's own, and never one
 * replayed from a peer's recent history when joining.
 */
export type ChatMessageHookOptions = {
  chat: ChatApi
  message: ChatMessage
}

/** `chat:peer`: a direct peer connected (`change: 'joined'`) or went away (`change: 'left'`, with a reason). */
export type ChatPeerHookOptions = {chat: ChatApi} & (
  {change: 'joined'; peer: PeerSummary} | {change: 'left'; peer: PeerLeft}
)

/**
 * The chat hooks for oclif's typing: a TypeScript plugin writes
 * `const hook: Hook<'chat:message', ChatHooks> = async function ({message, chat}) { ... }`.
 */
export interface ChatHooks extends Interfaces.Hooks {
  'chat:message': {options: ChatMessageHookOptions; return: void}
  'chat:peer': {options: ChatPeerHookOptions; return: void}
  'chat:ready': {options: ChatReadyHookOptions; return: void}
}

/** The part of a ChatNode the hooks need (a ChatNode is one). */
export type PluginHost = Pick<EventEmitter<ChatNodeEvents>, 'off' | 'on'> & {
  readonly info: NodeInfo
  readonly running: boolean
  peers(): PeerSummary[]
  send(text: string): ChatMessage
}

/** The part of an oclif Config that runs hooks (a Config is one). */
export type HookRunner = Pick<Config, 'getPluginsList' | 'runHook'>

export interface PluginHookOptions {
  timeoutMs?: number
  concurrency?: number
  maxPending?: number
  sendLimit?: number
  sendWindowMs?: number
  /** For tests: the clock behind the send limit. */
  now?: () => number
  /** Authors the user ignores (/ignore): their messages are not handed to plugins either. */
  ignored?: (authorId: string) => boolean
}

/**
 * Runs the plugins' chat hooks for `node`'s events until the returned function is called. `report` receives one
 * English sentence and its parts per problem (a plugin disabled, events dropped): `chat start` shows it as a warning. If the node is
 * already running, `chat:ready` fires at once; otherwise on its `ready` event.
 *
 * The returned function unsubscribes, drops queued events and silences reports; hooks already running finish on
 * their own (a `send` from one after the node stopped fails quietly).
 */
/** A plugin problem's parts, for a caller that words it in the reader's language (src/repl/i18n-cli.ts). */
export type PluginProblem =
  | {kind: 'failed'; plugin: string; event: string; reason: string}
  | {kind: 'behind'; event: string}
  | {kind: 'error'; event: string; reason: string}

export function wirePluginHooks(
  config: HookRunner,
  node: PluginHost,
  report: (message: string, problem: PluginProblem) => void,
  options: PluginHookOptions = {},
): () => void {
  const timeoutMs = options.timeoutMs ?? HOOK_TIMEOUT_MS
  const maxPending = options.maxPending ?? MAX_PENDING_HOOK_EVENTS
  const queue = new PQueue({concurrency: options.concurrency ?? HOOK_CONCURRENCY})
  const disabled = new Set<string>()
  const allowSend = sendLimiter(
    options.sendLimit ?? PLUGIN_SEND_LIMIT,
    options.sendWindowMs ?? PLUGIN_SEND_WINDOW_MS,
    options.now ?? Date.now,
  )
  let stopped = false
  let droppedSinceIdle = false

  const say = (message: string, problem: PluginProblem): void => {
    if (stopped) return
    try {
      report(message, problem)
    } catch {
      // A broken reporter must not break the node's event handlers.
    }
  }

  const chat: ChatApi = {
    get node() {
      return node.info
    },
    peers: () => node.peers(),
    send(text: string) {
      if (!allowSend()) {
        throw new Error(
          `plugins sent more than ${options.sendLimit ?? PLUGIN_SEND_LIMIT} messages in ${Math.round((options.sendWindowMs ?? PLUGIN_SEND_WINDOW_MS) / 1000)} s`,
        )
      }

      return node.send(text)
    },
  }

  const run = async <E extends ChatHookEvent>(event: E, opts: ChatHooks[E]['options']): Promise<void> => {
    const result = await config.runHook<E, ChatHooks>(event, opts, timeoutMs, true)
    for (const {error, plugin} of result.failures) {
      if (disabled.has(plugin.name)) continue
      disabled.add(plugin.name)
      // Switched off for this process only: the hooks are dropped from the loaded plugin, nothing is written.
      for (const name of CHAT_HOOK_EVENTS) delete plugin.hooks[name]
      say(
        `plugin ${plugin.name} failed in its ${event} hook (${describe(error)}): its chat hooks are disabled for this session`,
        {
          kind: 'failed',
          plugin: plugin.name,
          event,
          reason: describe(error),
        },
      )
    }
  }

  const fire = <E extends ChatHookEvent>(event: E, opts: Omit<ChatHooks[E]['options'], 'chat'>): void => {
    // Most sessions have no plugin for most events: those cost nothing, and never fill the queue.
    if (stopped || !config.getPluginsList().some((plugin) => (plugin.hooks[event]?.length ?? 0) > 0)) return
    if (queue.size >= maxPending) {
      if (!droppedSinceIdle)
        say(`plugin hooks are falling behind: ${event} events are dropped until they catch up`, {kind: 'behind', event})
      droppedSinceIdle = true
      return
    }

    // Fire and forget: the node's emit() never waits for a plugin, and no rejection goes unhandled.
    queue
      .add(() => run(event, {...opts, chat} as ChatHooks[E]['options']))
      .catch((error: unknown) => {
        say(`plugin hooks: ${event} failed: ${describe(error)}`, {kind: 'error', event, reason: describe(error)})
      })
  }

  queue.on('idle', () => {
    droppedSinceIdle = false
  })

  const onReady = (info: NodeInfo): void => fire('chat:ready', {node: info})
  // Messages replayed from a peer's history when joining are old news: a bot must not answer them again.
  const onMessage = (message: ChatMessage): void => {
    if (!message.history && !options.ignored?.(message.from.id)) fire('chat:message', {message})
  }

  // A short-lived `chat send` node comes and goes with each message: no hook, as no line on the screen.
  const onJoined = (peer: PeerSummary): void => {
    if (!peer.transient) fire('chat:peer', {change: 'joined', peer})
  }

  const onLeft = (peer: PeerLeft): void => {
    if (!peer.transient) fire('chat:peer', {change: 'left', peer})
  }

  node.on('ready', onReady)
  node.on('message', onMessage)
  node.on('peer_joined', onJoined)
  node.on('peer_left', onLeft)
  if (node.running) onReady(node.info)

  return () => {
    if (stopped) return
    stopped = true
    node.off('ready', onReady)
    node.off('message', onMessage)
    node.off('peer_joined', onJoined)
    node.off('peer_left', onLeft)
    queue.clear()
  }
}

/** True while fewer than `limit` sends happened in the last `windowMs`. */
function sendLimiter(limit: number, windowMs: number, now: () => number): () => boolean {
  const times: number[] = []
  return () => {
    const t = now()
    while (times.length > 0 && t - times[0] >= windowMs) times.shift()
    if (times.length >= limit) return false
    times.push(t)
    return true
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
