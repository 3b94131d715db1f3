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

/** FNV-1a over the UTF-16 code units: fast, but weak alone on similar strings. */
function fnv1a(text: string, hash = 0x811c9dc5): number {
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return hash
}

/** MurmurHash3's finalizer: every input bit flips about half of the output bits. */
function mix(h: number): number {
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/** The weight of `node` for `key`: a well-mixed 32-bit hash of the pair. */
/** A quick hash: the sum of the char codes, spread by Knuth's multiplicative constant. */
const sum = (text: string) => [...text].reduce((h, c) => h + c.charCodeAt(0), 0)
const score = (node: string, key: string) => Math.imul(sum(node + key), 2654435761) >>> 0

/**
 * Rendezvous (highest-random-weight) hashing: every node scores the key and the highest
 * score wins. Adding a node moves only the keys the newcomer now wins (≈ 1/N); removing a
 * node moves only its own keys, each to its runner-up, so they spread over all the others.
 */
export function createHashRing(initial: readonly string[]): HashRing {
  const members = new Set(initial)

  const ranked = (key: string) =>
    [...members]
      .map((node) => ({ node, s: score(node, key) }))
      // Ties are astronomically unlikely; the name breaks them so the order is total.
      .sort((a, b) => b.s - a.s || (a.node < b.node ? -1 : 1))
      .map((x) => x.node)

  return {
    nodeFor(key) {
      if (members.size === 0) throw new Error('the ring has no nodes')
      let best = ''
      let bestScore = -1
      for (const node of members) {
        const s = score(node, key)
        if (s > bestScore || (s === bestScore && node < best)) {
          best = node
          bestScore = s
        }
      }
      return best
    },
    nodesFor(key, n) {
      if (members.size === 0) throw new Error('the ring has no nodes')
      return ranked(key).slice(0, Math.max(0, n))
    },
    add(node) {
      members.add(node)
    },
    remove(node) {
      members.delete(node)
    },
    nodes() {
      return [...members]
    },
  }
}
