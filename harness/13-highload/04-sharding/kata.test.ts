import { describe, expect, it } from 'vitest'
import { createHashRing } from '@kata/highload/sharding'

interface HashRing {
  nodeFor(key: string): string
  nodesFor(key: string, n: number): string[]
  add(node: string): void
  remove(node: string): void
  nodes(): string[]
}

const ring = (nodes: string[]) => createHashRing(nodes) as HashRing
const KEYS = Array.from({ length: 10_000 }, (_, i) => `user:${i}`)
const FIVE = ['node-a', 'node-b', 'node-c', 'node-d', 'node-e']

const placement = (r: HashRing, keys = KEYS) => new Map(keys.map((k) => [k, r.nodeFor(k)]))

function counts(p: Map<string, string>): Map<string, number> {
  const c = new Map<string, number>()
  for (const node of p.values()) c.set(node, (c.get(node) ?? 0) + 1)
  return c
}

/** Every node within ±25 % of the mean, with the counts in the message. */
function expectBalanced(what: string, p: Map<string, string>, nodes: string[]) {
  const c = counts(p)
  const mean = p.size / nodes.length
  const shown = nodes.map((n) => `${n}: ${c.get(n) ?? 0}`).join(', ')
  expect([...c.keys()].filter((n) => !nodes.includes(n)), `${what}: keys placed on nodes that are not in the ring`).toEqual([])
  for (const n of nodes) {
    const share = c.get(n) ?? 0
    expect(share, `${what}: keys on ${n} (mean ${mean}, allowed ${mean * 0.75}…${mean * 1.25}; all: ${shown})`).toBeGreaterThanOrEqual(mean * 0.75)
    expect(share, `${what}: keys on ${n} (mean ${mean}, allowed ${mean * 0.75}…${mean * 1.25}; all: ${shown})`).toBeLessThanOrEqual(mean * 1.25)
  }
}

describe('createHashRing(nodes).nodeFor(key): placement', () => {
  it('always places a key on the same node, whatever the order the nodes were given in', () => {
    const a = placement(ring(FIVE))
    const b = placement(ring([...FIVE].reverse()))
    const again = placement(ring(FIVE))
    const differs = KEYS.filter((k) => a.get(k) !== b.get(k) || a.get(k) !== again.get(k))
    expect(differs.slice(0, 5), 'keys placed differently by three rings of the same 5 nodes (two in reverse order)').toEqual([])
  })

  it('spreads 10 000 keys over 5 nodes, each within ±25 % of the mean', () => {
    expectBalanced('5 nodes node-a…node-e, 10 000 keys user:0…user:9999', placement(ring(FIVE)), FIVE)
  })

  it('stays balanced with similar node names (10.0.0.1:6379 … 10.0.0.5:6379)', () => {
    const ips = [1, 2, 3, 4, 5].map((i) => `10.0.0.${i}:6379`)
    expectBalanced('5 nodes 10.0.0.1:6379…10.0.0.5:6379', placement(ring(ips)), ips)
  })

  it('can start empty: nodeFor throws until a node is added', () => {
    let r: HashRing | undefined
    expect(() => (r = ring([])), 'createHashRing([]) must create an empty ring, not throw').not.toThrow()
    expect(() => r!.nodeFor('user:1'), 'nodeFor("user:1") on a ring without nodes').toThrow()
    r!.add('first')
    expect(r!.nodeFor('user:1'), 'nodeFor("user:1") after add("first")').toBe('first')
  })

  it('puts everything on the only node of a one-node ring', () => {
    const r = ring(['solo'])
    expect(new Set(KEYS.slice(0, 500).map((k) => r.nodeFor(k))), 'nodes used by a ring of one node "solo"').toEqual(new Set(['solo']))
  })
})

describe('minimal movement when the nodes change', () => {
  it('adding a 6th node moves about 1/6 of the keys, every one of them to the new node', () => {
    const r = ring(FIVE)
    const before = placement(r)
    r.add('node-f')
    const after = placement(r)
    const moved = KEYS.filter((k) => before.get(k) !== after.get(k))
    const wrong = moved.filter((k) => after.get(k) !== 'node-f').map((k) => `${k}: ${before.get(k)} → ${after.get(k)}`)
    expect(wrong.slice(0, 5), 'after add("node-f"): keys that moved between two old nodes').toEqual([])
    expect(moved.length, 'after add("node-f"): keys that moved, of 10 000 (ideal 1 667; a modulo hash moves ~8 300)').toBeGreaterThanOrEqual(1000)
    expect(moved.length, 'after add("node-f"): keys that moved, of 10 000 (ideal 1 667; a modulo hash moves ~8 300)').toBeLessThanOrEqual(2500)
    expectBalanced('6 nodes after add("node-f")', after, [...FIVE, 'node-f'])
  })

  it('removing a node moves only its keys, and spreads them over all the other nodes', () => {
    const r = ring(FIVE)
    const before = placement(r)
    r.remove('node-c')
    const after = placement(r)
    const moved = KEYS.filter((k) => before.get(k) !== after.get(k))
    const wrong = moved.filter((k) => before.get(k) !== 'node-c').map((k) => `${k}: ${before.get(k)} → ${after.get(k)}`)
    expect(wrong.slice(0, 5), 'after remove("node-c"): keys that moved although their node stayed').toEqual([])
    const orphans = KEYS.filter((k) => before.get(k) === 'node-c')
    expect(orphans.filter((k) => after.get(k) === 'node-c').length, 'keys still placed on node-c after remove("node-c")').toBe(0)
    const heirs = counts(new Map(orphans.map((k) => [k, after.get(k)!])))
    const shown = [...heirs].map(([n, c]) => `${n}: ${c}`).join(', ')
    for (const n of FIVE.filter((x) => x !== 'node-c')) {
      const got = heirs.get(n) ?? 0
      expect(got, `of node-c's ${orphans.length} keys, how many went to ${n} (all: ${shown}); one neighbour taking them all overloads it`).toBeGreaterThanOrEqual(orphans.length * 0.1)
      expect(got, `of node-c's ${orphans.length} keys, how many went to ${n} (all: ${shown})`).toBeLessThanOrEqual(orphans.length * 0.45)
    }
  })

  it('adding a node and removing it again puts every key back where it was', () => {
    const r = ring(FIVE)
    const before = placement(r)
    r.add('node-x')
    r.remove('node-x')
    const back = placement(r)
    expect(KEYS.filter((k) => before.get(k) !== back.get(k)).slice(0, 5), 'keys placed elsewhere after add("node-x") then remove("node-x")').toEqual([])
  })

  it('ignores adding a node twice and removing an unknown node', () => {
    const r = ring(FIVE)
    const before = placement(r)
    r.add('node-a')
    r.remove('node-zzz')
    expect([...r.nodes()].sort(), 'nodes() after add("node-a") (already there) and remove("node-zzz") (unknown)').toEqual(FIVE)
    expect(KEYS.filter((k) => before.get(k) !== r.nodeFor(k)).length, 'keys that moved after these no-op changes').toBe(0)
    r.remove('node-a')
    expect([...r.nodes()].sort(), 'nodes() after remove("node-a")').toEqual(FIVE.slice(1))
  })
})

describe('nodesFor(key, n): replicas', () => {
  it('gives n distinct nodes, the first being nodeFor(key)', () => {
    const r = ring(FIVE)
    const bad: string[] = []
    for (const k of KEYS.slice(0, 2000)) {
      const list = r.nodesFor(k, 3)
      if (list.length !== 3 || new Set(list).size !== 3 || list[0] !== r.nodeFor(k) || list.some((n) => !FIVE.includes(n))) bad.push(`${k}: ${JSON.stringify(list)} (nodeFor: ${r.nodeFor(k)})`)
    }
    expect(bad.slice(0, 3), 'nodesFor(key, 3) that are not 3 distinct nodes of the ring starting with nodeFor(key)').toEqual([])
  })

  it('spreads the replicas too: every node holds a copy of about 3/5 of the keys', () => {
    const r = ring(FIVE)
    const c = new Map<string, number>()
    for (const k of KEYS) for (const n of r.nodesFor(k, 3)) c.set(n, (c.get(n) ?? 0) + 1)
    const shown = FIVE.map((n) => `${n}: ${c.get(n) ?? 0}`).join(', ')
    for (const n of FIVE) expect(c.get(n) ?? 0, `keys with a replica on ${n} (mean 6 000; all: ${shown})`).toBeGreaterThanOrEqual(4500)
    for (const n of FIVE) expect(c.get(n) ?? 0, `keys with a replica on ${n} (mean 6 000; all: ${shown})`).toBeLessThanOrEqual(7500)
  })

  it('returns every node, once, when n is not smaller than the ring', () => {
    const r = ring(['x', 'y', 'z'])
    expect([...r.nodesFor('user:1', 5)].sort(), 'nodesFor("user:1", 5) on a ring of x, y, z').toEqual(['x', 'y', 'z'])
  })

  it('keeps the other replicas (in order) when one of them is removed', () => {
    const r = ring(FIVE)
    const before = new Map(KEYS.slice(0, 2000).map((k) => [k, r.nodesFor(k, 3)]))
    r.remove('node-b')
    const bad: string[] = []
    for (const [k, list] of before) {
      const now = r.nodesFor(k, 3)
      const kept = list.filter((n) => n !== 'node-b')
      if (JSON.stringify(now.slice(0, kept.length)) !== JSON.stringify(kept)) bad.push(`${k}: ${JSON.stringify(list)} → ${JSON.stringify(now)}`)
    }
    expect(bad.slice(0, 3), 'after remove("node-b"): replica lists whose surviving nodes changed or changed order').toEqual([])
  })
})
