// The library surface: the P2P engine without the terminal or the history.
export {type ChatNodeErrorCode, type ChatNodeErrorDetail} from './p2p/errors.js'
export {ChatNode, ChatNodeError, type ChatNodeOptions, DEFAULT_HOST, DEFAULT_PORT} from './p2p/node.js'
export type {
  Address,
  ChatMessage,
  ChatNodeEvents,
  DirectMessage,
  NodeInfo,
  NodeWarning,
  PeerLeft,
  PeerSummary,
} from './p2p/types.js'
export type {
  ChatApi,
  ChatHooks,
  ChatMessageHookOptions,
  ChatPeerHookOptions,
  ChatReadyHookOptions,
} from './plugins/hooks.js'
