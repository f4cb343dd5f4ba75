// A mesh of real processes on 127.0.0.1: `chat start --json` nodes, or baseline relays over the same graph. The
// topology is built by explicit dials (`/connect` after start, or `--join` at spawn); either way the graph used for
// hop counts is the one the chat nodes report through `/peers` once the mesh has settled, so a mesh the engine grows
// by itself (peer exchange, `--degree`) is measured as it really is.

import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {performance} from 'node:perf_hooks'

import {anonKiB, childPids, cpuMs, freePort, LineProcess, parseEvent, rssKiB} from './proc.js'
import {sleep} from './stats.js'
import {addEdge, edges, emptyGraph, type Graph} from './topology.js'

/** `baseline`: the plain relay; `floor`: the same relay signing, verifying and sealing (`--crypto`). */
export type MeshKind = 'baseline' | 'chat' | 'floor'

/** The two baseline relays (bench/baseline-relay.mjs, plain or `--crypto`), as opposed to chat nodes. */
export function isRelay(kind: MeshKind): boolean {
  return kind !== 'chat'
}

export interface MeshOptions {
  kind: MeshKind
  /** The topology to build (node k's neighbours). */
  graph: Graph
  /** The built CLI (bin/run.js) for chat nodes. */
  cli: string
  /** The baseline relay script. */
  relay: string
  /** A private directory: config (identities), history logs, the baseline's graph file. */
  workDir: string
  /** `connect`: all nodes start, then each dials its earlier neighbours with /connect. `join`: each starts with --join. */
  joinMode: 'connect' | 'join'
  /** Extra `chat start` arguments for every chat node (e.g. `--degree 4` once the engine has it). */
  chatArgs: string[]
  /** Extra node (V8) flags for one node, e.g. `--cpu-prof` for the relay being profiled. */
  nodeFlags?: (index: number) => string[]
  /**
   * After the dials, the mesh is read once no node has gained or lost a peer for `quietMs` (an engine that grows the
   * mesh by itself needs a few of its ticks), or after `settleMs` at most.
   */
  settleMs: number
  quietMs?: number
  /** Deadline for the whole setup. */
  timeoutMs: number
  /** How many processes are started at once (2 cores: a few). */
  spawnConcurrency?: number
}

export interface MeshNode {
  index: number
  port: number
  proc: LineProcess
  /** ms from spawn to the ready line (under the load of the other starting nodes). */
  startupMs: number
}

export type MessageListener = (receiver: number, text: string, at: number) => void

export class Mesh {
  readonly kind: MeshKind
  readonly nodes: MeshNode[]
  /** The graph the nodes reported (chat) or were given (baseline). */
  graph: Graph
  readonly #messageListeners = new Set<MessageListener>()
  readonly #sentListeners = new Set<MessageListener>()
  /** Peers each node currently has, from its own events. */
  readonly peerCounts: number[]
  readonly errors: string[] = []

  private constructor(kind: MeshKind, nodes: MeshNode[], graph: Graph, peerCounts: number[]) {
    this.kind = kind
    this.nodes = nodes
    this.graph = graph
    this.peerCounts = peerCounts
    for (const node of nodes) {
      node.proc.onLine((line, at) => this.#onLine(node.index, line, at))
    }
  }

  static async start(options: MeshOptions): Promise<Mesh> {
    const deadline = performance.now() + options.timeoutMs
    const {n} = options.graph
    const ports: number[] = []
    for (let i = 0; i < n; i++) ports.push(await freePort())
    const nodes: MeshNode[] = Array.from({length: n})
    // Counted from the first line on: with --join, peers arrive before the mesh object exists.
    const peerCounts = Array.from({length: n}, () => 0)
    const lastPeerEvent = {at: performance.now()}
    const graphFile = join(options.workDir, `graph-${options.kind}-${process.pid}-${Date.now()}.json`)
    if (isRelay(options.kind)) writeFileSync(graphFile, JSON.stringify({ports, adj: options.graph.adj}))

    const spawnOne = async (index: number): Promise<MeshNode> => {
      for (let attempt = 1; ; attempt++) {
        const proc = spawnNode(options, index, ports[index], graphFile, ports)
        peerCounts[index] = 0
        proc.onLine((line, at) => countPeers(peerCounts, lastPeerEvent, index, line, at))
        try {
          const ready = await proc.waitForLine(
            (line) => parseEvent(line)?.event === 'ready',
            Math.max(1000, deadline - performance.now()),
            'ready',
          )
          return {index, port: ports[index], proc, startupMs: ready.at - proc.spawnedAt}
        } catch (error) {
          const inUse = proc.stderr.some((line) => /in use/i.test(line))
          await proc.stop(undefined, 500)
          // Another program took the port between freePort() and the spawn: try another one (chat only; the
          // baseline's graph file names the ports, so it is rewritten).
          if (!inUse || attempt >= 3) throw error
          ports[index] = await freePort()
          if (isRelay(options.kind)) writeFileSync(graphFile, JSON.stringify({ports, adj: options.graph.adj}))
        }
      }
    }

    const mesh = (): Mesh => new Mesh(options.kind, nodes.filter(Boolean), options.graph, peerCounts)
    try {
      if (options.kind === 'chat' && options.joinMode === 'join') {
        // --join needs the earlier nodes listening: start them in order.
        for (let i = 0; i < n; i++) nodes[i] = await spawnOne(i)
      } else {
        const concurrency = Math.max(1, options.spawnConcurrency ?? 4)
        let next = 0
        await Promise.all(
          Array.from({length: Math.min(concurrency, n)}, async () => {
            while (next < n) {
              const i = next++
              nodes[i] = await spawnOne(i)
            }
          }),
        )
      }
    } catch (error) {
      await Promise.all(nodes.filter(Boolean).map((node) => node.proc.stop(undefined, 500)))
      throw error
    }

    const m = mesh()
    try {
      await m.#connect(options, deadline, lastPeerEvent)
    } catch (error) {
      await m.stop()
      throw error
    }

    return m
  }

  /** Writes a message line to node `origin`'s stdin; returns the harness time just before the write. */
  send(origin: number, text: string): number {
    const at = performance.now()
    this.nodes[origin].proc.write(text)
    return at
  }

  onMessage(listener: MessageListener): () => void {
    this.#messageListeners.add(listener)
    return () => this.#messageListeners.delete(listener)
  }

  /** The origin's own `sent` line: how long the node took from stdin to having queued the message. */
  onSent(listener: MessageListener): () => void {
    this.#sentListeners.add(listener)
    return () => this.#sentListeners.delete(listener)
  }

  get healthy(): boolean {
    return (
      this.nodes.every((node) => node.proc.alive) &&
      this.nodes.every((node) => this.peerCounts[node.index] >= this.graph.adj[node.index].length)
    )
  }

  /** RSS in KiB of every node process, and of its children (the chat's history writer): all, and anonymous only. */
  memory(): {node: number[]; children: number[]; childrenAnon: number[]} {
    const sum = (pid: number, of: (pid: number) => number): number =>
      childPids(pid).reduce((total, child) => total + (of(child) || 0), 0)
    return {
      node: this.nodes.map((node) => node.proc.rssKiB()),
      children: this.nodes.map((node) => sum(node.proc.pid, rssKiB)),
      childrenAnon: this.nodes.map((node) => sum(node.proc.pid, anonKiB)),
    }
  }

  /** CPU ms used so far by every node process (user + system), and by its children. */
  cpu(): {node: number[]; children: number[]} {
    return {
      node: this.nodes.map((node) => cpuMs(node.proc.pid)),
      children: this.nodes.map((node) => childPids(node.proc.pid).reduce((sum, pid) => sum + (cpuMs(pid) || 0), 0)),
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.proc.stop('/quit', 5000)))
  }

  #onLine(index: number, line: string, at: number): void {
    if (Number.isNaN(at)) return
    const event = parseEvent(line)
    if (!event) return
    switch (event.event) {
      case 'message': {
        const {text} = event
        // A message replayed from a peer's recent history (joining) is not a live delivery.
        if (typeof text === 'string' && event.history !== true)
          for (const listener of this.#messageListeners) listener(index, text, at)
        break
      }

      case 'sent': {
        const {text} = event
        if (typeof text === 'string') for (const listener of this.#sentListeners) listener(index, text, at)
        break
      }

      case 'error': {
        if (this.errors.length < 50) this.errors.push(`n${index}: ${String(event.code)}: ${String(event.message)}`)
        break
      }
    }
  }

  async #connect(options: MeshOptions, deadline: number, lastPeerEvent: {at: number}): Promise<void> {
    const want = options.graph.adj.map((list) => list.length)
    if (isRelay(options.kind)) {
      for (const node of this.nodes) node.proc.write('/connect')
    } else if (options.joinMode === 'connect') {
      for (const [from, to] of edges(options.graph))
        this.nodes[from].proc.write(`/connect 127.0.0.1 ${this.nodes[to].port}`)
    }

    // Every node has at least the peers the topology gives it (an engine may add more).
    while (!this.nodes.every((node, i) => this.peerCounts[i] >= want[i])) {
      const dead = this.nodes.find((node) => !node.proc.alive)
      if (dead) throw new Error(`node n${dead.index} exited while the mesh was being built: ${dead.proc.describe()}`)
      if (performance.now() > deadline) {
        const short = this.nodes
          .filter((_, i) => this.peerCounts[i] < want[i])
          .map((node) => `n${node.index} ${this.peerCounts[node.index]}/${want[node.index]}`)
        throw new Error(
          `the ${options.kind} mesh was not complete in time (${short.join(', ')}); errors: ${this.errors.slice(0, 5).join('; ')}`,
        )
      }

      await sleep(20)
    }

    if (options.kind === 'chat') {
      const settleUntil = Math.min(deadline, performance.now() + options.settleMs)
      const quietMs = options.quietMs ?? 300
      while (performance.now() < settleUntil && performance.now() - lastPeerEvent.at < quietMs) await sleep(50)
      this.graph = await this.#reportedGraph(deadline)
    }
  }

  /** Asks every chat node for its peers and builds the undirected graph they describe. */
  async #reportedGraph(deadline: number): Promise<Graph> {
    const byPort = new Map(this.nodes.map((node) => [node.port, node.index]))
    const g = emptyGraph(this.nodes.length)
    await Promise.all(
      this.nodes.map(async (node) => {
        const answer = node.proc.waitForLine(
          (line) => parseEvent(line)?.event === 'peers',
          Math.max(1000, deadline - performance.now()),
          '/peers',
        )
        node.proc.write('/peers')
        const event = parseEvent((await answer).line)
        const peers = Array.isArray(event?.peers) ? (event.peers as Array<{port?: unknown}>) : []
        for (const peer of peers) {
          const other = typeof peer.port === 'number' ? byPort.get(peer.port) : undefined
          if (other !== undefined) addEdge(g, node.index, other)
        }
      }),
    )
    return g
  }
}

function countPeers(counts: number[], last: {at: number}, index: number, line: string, at: number): void {
  if (!line.includes('"peer')) return
  const event = parseEvent(line)
  if (event?.event === 'peer_joined') counts[index]++
  else if (event?.event === 'peer_left') counts[index]--
  else if (event?.event === 'peers' && typeof event.count === 'number')
    counts[index] = event.count // the baseline's
  else return
  if (!Number.isNaN(at)) last.at = at
}

function spawnNode(options: MeshOptions, index: number, port: number, graphFile: string, ports: number[]): LineProcess {
  const flags = options.nodeFlags?.(index) ?? []
  if (isRelay(options.kind)) {
    const floor = options.kind === 'floor' ? ['--crypto'] : []
    return new LineProcess(process.execPath, [
      ...flags,
      options.relay,
      '--graph',
      graphFile,
      '--index',
      String(index),
      ...floor,
    ])
  }

  const join =
    options.joinMode === 'join'
      ? options.graph.adj[index].filter((w) => w < index).flatMap((w) => ['--join', `127.0.0.1:${ports[w]}`])
      : []
  const args = [
    ...flags,
    options.cli,
    'start',
    '--json',
    '--port',
    String(port),
    '--name',
    `n${index}`,
    '--log-dir',
    options.workDir,
    ...join,
    ...options.chatArgs,
  ]
  return new LineProcess(process.execPath, args, {cwd: options.workDir, env: chatEnv(options.workDir)})
}

/**
 * The environment of every chat process: private config, data and cache dirs (identities; no plugins the user
 * installed), plain output.
 */
export function chatEnv(workDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CHAT_CONFIG_DIR: join(workDir, 'config'),
    CHAT_DATA_DIR: join(workDir, 'data'),
    CHAT_CACHE_DIR: join(workDir, 'cache'),
    LANG: 'C',
    NO_COLOR: '1',
  }
  // Anything that would change what a node does must not leak in from the user's shell (CHAT_DISCOVER above all:
  // the bench stays on 127.0.0.1, no multicast on the LAN).
  for (const name of Object.keys(env)) {
    if (name.startsWith('CHAT_') && !['CHAT_CACHE_DIR', 'CHAT_CONFIG_DIR', 'CHAT_DATA_DIR'].includes(name))
      delete env[name]
  }

  delete env.NODE_OPTIONS
  return env
}
