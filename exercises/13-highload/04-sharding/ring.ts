export interface HashRing {
  /** The node that owns `key`. Throws when the ring has no nodes. */
  nodeFor(key: string): string
  /** min(n, node count) distinct nodes for `key` (its replicas); the first is nodeFor(key). */
  nodesFor(key: string, n: number): string[]
  /** Adds a node (adding one that is already there changes nothing). */
  add(node: string): void
  /** Removes a node (removing an unknown one changes nothing). */
  remove(node: string): void
  /** The current nodes. */
  nodes(): string[]
}

/**
 * Places keys on nodes with consistent hashing (a ring with virtual nodes) or rendezvous
 * hashing: balanced, deterministic, and moving as few keys as possible when nodes change.
 */
export function createHashRing(initial: readonly string[]): HashRing {
  throw new Error('TODO: createHashRing(nodes) — consistent hashing with virtual nodes, or rendezvous hashing\nTODO(ru): createHashRing(nodes) — консистентное хеширование с виртуальными узлами или rendezvous-хеширование')
}
