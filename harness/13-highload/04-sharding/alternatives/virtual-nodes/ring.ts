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

import { createHash } from 'node:crypto'

/** Where a string sits on the circle: the first 32 bits of its MD5. */
const point = (text: string) => createHash('md5').update(text).digest().readUInt32BE(0)

/** Points per node: enough for the shares of 5 nodes to land within a few per cent. */
const VNODES = 200

/**
 * Classic consistent hashing with virtual nodes: every node sits at VNODES points of a
 * 32-bit circle (hashes of "node#i"), a key belongs to the first point clockwise from its
 * own hash. The circle is rebuilt on add/remove and searched by bisection.
 */
export function createHashRing(initial: readonly string[]): HashRing {
  const members = new Set<string>()
  let circle: { at: number; node: string }[] = []
  const rebuild = () => {
    circle = [...members]
      .flatMap((node) => Array.from({ length: VNODES }, (_, i) => ({ at: point(`${node}#${i}`), node })))
      .sort((a, b) => a.at - b.at || (a.node < b.node ? -1 : a.node > b.node ? 1 : 0))
  }
  for (const n of initial) members.add(n)
  rebuild()

  /** Index of the first point at or after the key's hash (wrapping around). */
  const start = (key: string) => {
    const h = point(key)
    let lo = 0
    let hi = circle.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (circle[mid]!.at < h) lo = mid + 1
      else hi = mid
    }
    return lo % circle.length
  }

  return {
    nodeFor(key) {
      if (members.size === 0) throw new Error('the ring has no nodes')
      return circle[start(key)]!.node
    },
    nodesFor(key, n) {
      if (members.size === 0) throw new Error('the ring has no nodes')
      const want = Math.min(Math.max(0, n), members.size)
      const out: string[] = []
      for (let i = start(key), seen = 0; out.length < want && seen < circle.length; i = (i + 1) % circle.length, seen++) {
        const node = circle[i]!.node
        if (!out.includes(node)) out.push(node)
      }
      return out
    },
    add(node) {
      if (members.has(node)) return
      members.add(node)
      rebuild()
    },
    remove(node) {
      if (!members.delete(node)) return
      rebuild()
    },
    nodes() {
      return [...members]
    },
  }
}
