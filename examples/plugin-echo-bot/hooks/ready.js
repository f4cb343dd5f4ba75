// chat:ready: the node is listening. Nothing to do but note it in the debug log (DEBUG=oclif:chat-plugin-echo-bot:*).
/** @this {{debug(...args: unknown[]): void}} */
export default async function echoBotReady({node}) {
  this.debug(`echo bot ready on ${node.name} (${node.host}:${node.port})`)
}
