// In-process chat nodes for integration tests: real ChatNodes on 127.0.0.1, port 0 (the OS picks a free one), over
// real loopback sockets, every one stopped after its test.
import {ChatNode, type ChatNodeOptions} from '../../src/index.js'

export interface InProcessNodes {
  /** A started node called `name` on 127.0.0.1, port 0, with `options` over the suite's defaults. */
  start(name: string, options?: Partial<ChatNodeOptions>): Promise<ChatNode>
  /** Stops `node` after the test like the others (for one built or started another way). */
  track(node: ChatNode): ChatNode
}

/**
 * For a mocha `describe`: starts nodes with `defaults` (e.g. `{degree: 0}`) and stops them all after each test.
 * Call it where its `afterEach` should run among the suite's others (hooks run in the order they are declared).
 */
export function useNodes(defaults: Partial<ChatNodeOptions> = {}): InProcessNodes {
  let nodes: ChatNode[] = []
  afterEach(async () => {
    const stopping = nodes
    nodes = []
    await Promise.all(stopping.map((node) => node.stop()))
  })
  return {
    async start(name, options = {}) {
      const node = new ChatNode({name, host: '127.0.0.1', port: 0, ...defaults, ...options})
      nodes.push(node)
      await node.start()
      return node
    },
    track(node) {
      nodes.push(node)
      return node
    },
  }
}
