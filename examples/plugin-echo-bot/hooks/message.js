// chat:message: every message from another node, seen for the first time. `chat` is the node's API (send, peers,
// node); `config` is the chat CLI's oclif Config. Hooks must not write to stdout: with `chat start --json` it is the
// event stream. Throwing here makes chat report the plugin once and switch its hooks off for the session.
import {ANSWER, recordAnswer, TRIGGER} from '../lib/stats.js'

/** @param {{message: {text: string, from: {name: string}}, chat: {send(text: string): unknown, node: {name: string, host: string, port: number}}, config: {dataDir: string}}} options */
export default async function echoBotMessage({chat, config, message}) {
  if (message.text.trim() !== TRIGGER) return
  chat.send(ANSWER)
  await recordAnswer(config.dataDir, chat.node)
}
