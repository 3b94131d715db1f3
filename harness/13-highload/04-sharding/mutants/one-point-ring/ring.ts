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

/** Where a string sits on the ring: a well-mixed 32-bit hash. */
const point = (text: string) => mix(fnv1a(text))

/**
 * Consistent hashing: each node sits at one point of a 32-bit circle; a key belongs to
 * the first node clockwise from the key's point.
 */
export function createHashRing(initial: readonly string[]): HashRing {
  const members = new Set(initial)
  const circle = () => [...members].map((node) => ({ node, at: point(node) })).sort((a, b) => a.at - b.at || (a.node < b.node ? -1 : 1))

  const walk = (key: string) => {
    const c = circle()
    const h = point(key)
    let i = c.findIndex((p) => p.at >= h)
    if (i < 0) i = 0
    return Array.from({ length: c.length }, (_, k) => c[(i + k) % c.length]!.node)
  }

  return {
    nodeFor(key) {
      if (members.size === 0) throw new Error('the ring has no nodes')
      return walk(key)[0]!
    },
    nodesFor(key, n) {
      if (members.size === 0) throw new Error('the ring has no nodes')
      return walk(key).slice(0, Math.max(0, n))
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
