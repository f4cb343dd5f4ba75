// Topologies as undirected graphs over node indexes 0..n-1. The harness builds them with explicit connections
// (`edges`: the later node dials the earlier one) and, whatever built the mesh (those dials or the engine's own peer
// exchange), measures the graph the nodes actually report, so hop counts always come from the real mesh.

import {rng as makeRng} from './stats.js'

export type TopologyKind = 'chain' | 'random' | 'ring'

export interface Graph {
  n: number
  /** Sorted neighbour lists. */
  adj: number[][]
}

export function emptyGraph(n: number): Graph {
  return {n, adj: Array.from({length: n}, () => [])}
}

export function addEdge(g: Graph, a: number, b: number): void {
  if (a === b || g.adj[a].includes(b)) return
  g.adj[a].push(b)
  g.adj[b].push(a)
  g.adj[a].sort((x, y) => x - y)
  g.adj[b].sort((x, y) => x - y)
}

/**
 * chain: 0–1–…–(n−1). ring: the chain closed. random: node k dials ⌈degree/2⌉ distinct random earlier nodes (all of
 * them while k is small), so the mean degree is about `degree` and the graph is connected by construction.
 */
export function buildTopology(kind: TopologyKind, n: number, options: {degree?: number; seed?: number} = {}): Graph {
  const g = emptyGraph(n)
  switch (kind) {
    case 'chain': {
      for (let k = 1; k < n; k++) addEdge(g, k, k - 1)
      break
    }

    case 'ring': {
      for (let k = 1; k < n; k++) addEdge(g, k, k - 1)
      if (n > 2) addEdge(g, n - 1, 0)
      break
    }

    case 'random': {
      const random = makeRng(options.seed ?? 1)
      const dials = Math.max(1, Math.ceil((options.degree ?? 4) / 2))
      for (let k = 1; k < n; k++) {
        const earlier = Array.from({length: k}, (_, i) => i)
        // Partial Fisher–Yates: the first `dials` entries become a uniform random choice.
        const picks = Math.min(dials, k)
        for (let i = 0; i < picks; i++) {
          const j = i + Math.floor(random() * (k - i))
          ;[earlier[i], earlier[j]] = [earlier[j], earlier[i]]
          addEdge(g, k, earlier[i])
        }
      }

      break
    }
  }

  return g
}

/** The dials that build `g`: for every edge, the later node connects to the earlier one. */
export function edges(g: Graph): Array<[from: number, to: number]> {
  const out: Array<[number, number]> = []
  for (let a = 0; a < g.n; a++) for (const b of g.adj[a]) if (b < a) out.push([a, b])
  return out
}

/** Hop counts from `source` (−1 where unreachable). */
export function bfs(g: Graph, source: number): number[] {
  const dist = Array.from({length: g.n}, () => -1)
  dist[source] = 0
  const queue = [source]
  for (let head = 0; head < queue.length; head++) {
    const v = queue[head]
    for (const w of g.adj[v]) {
      if (dist[w] !== -1) continue
      dist[w] = dist[v] + 1
      queue.push(w)
    }
  }

  return dist
}

/** BFS parents from `source` (−1 for the source and unreachable nodes): the shortest-path tree a flood follows. */
export function bfsParents(g: Graph, source: number): number[] {
  const parent = Array.from({length: g.n}, () => -1)
  const seen = Array.from({length: g.n}, () => false)
  seen[source] = true
  const queue = [source]
  for (let head = 0; head < queue.length; head++) {
    const v = queue[head]
    for (const w of g.adj[v]) {
      if (seen[w]) continue
      seen[w] = true
      parent[w] = v
      queue.push(w)
    }
  }

  return parent
}

export interface GraphStats {
  nodes: number
  edges: number
  degree: {min: number; mean: number; max: number}
  connected: boolean
  /** The longest shortest path (hops), over reachable pairs. */
  diameter: number
  /** Mean hop count over ordered reachable pairs. */
  meanDistance: number
  /** Sizes of the connected components, largest first (one entry when connected). */
  components: number[]
}

export function graphStats(g: Graph, distances: number[][] = allDistances(g)): GraphStats {
  const degrees = g.adj.map((a) => a.length)
  let diameter = 0
  let sum = 0
  let pairs = 0
  let connected = true
  for (let s = 0; s < g.n; s++) {
    for (let t = 0; t < g.n; t++) {
      if (s === t) continue
      const d = distances[s][t]
      if (d < 0) {
        connected = false
        continue
      }

      diameter = Math.max(diameter, d)
      sum += d
      pairs++
    }
  }

  const component = Array.from({length: g.n}, () => -1)
  const sizes: number[] = []
  for (let s = 0; s < g.n; s++) {
    if (component[s] >= 0) continue
    const id = sizes.length
    let size = 0
    for (const [v, d] of distances[s].entries()) {
      if (d >= 0 && component[v] < 0) {
        component[v] = id
        size++
      }
    }

    sizes.push(size)
  }

  return {
    nodes: g.n,
    components: sizes.sort((a, b) => b - a),
    edges: degrees.reduce((a, b) => a + b, 0) / 2,
    degree: {
      min: Math.min(...degrees),
      mean: degrees.reduce((a, b) => a + b, 0) / Math.max(1, g.n),
      max: Math.max(...degrees),
    },
    connected,
    diameter,
    meanDistance: pairs === 0 ? 0 : sum / pairs,
  }
}

export function allDistances(g: Graph): number[][] {
  return Array.from({length: g.n}, (_, s) => bfs(g, s))
}

/** Two graphs with the same edges. */
export function sameGraph(a: Graph, b: Graph): boolean {
  return (
    a.n === b.n && a.adj.every((list, i) => list.length === b.adj[i].length && list.every((v, j) => v === b.adj[i][j]))
  )
}
