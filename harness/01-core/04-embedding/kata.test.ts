import { describe, expect, it } from 'vitest'
import { ReadOnlyError, readOnly, withPrefix, withStats } from '@kata/core/embedding'

/**
 * The inner store: a class with a private field. Its methods only work when called
 * on the instance itself, so a wrapper must delegate (`inner.get(k)`), not copy
 * methods off it or inherit from it.
 */
class MapStore {
  #map = new Map<string, string>()
  get(key: string) {
    return this.#map.get(key)
  }
  set(key: string, value: string) {
    this.#map.set(key, value)
  }
  delete(key: string) {
    return this.#map.delete(key)
  }
  keys() {
    return [...this.#map.keys()]
  }
}

const seeded = (entries: Record<string, string>) => {
  const s = new MapStore()
  for (const [k, v] of Object.entries(entries)) s.set(k, v)
  return s
}

describe('withStats(inner)', () => {
  it('forwards every call to the inner store (a class instance with private fields)', () => {
    const inner = seeded({ a: '1' })
    const s = withStats(inner)
    expect(s.get('a'), 'withStats(store{a:1}).get("a")').toBe('1')
    s.set('b', '2')
    expect(inner.get('b'), 'inner.get("b") after wrapper.set("b", "2")').toBe('2')
    expect(s.delete('a'), 'wrapper.delete("a") for an existing key').toBe(true)
    expect(s.delete('zzz'), 'wrapper.delete("zzz") for a missing key').toBe(false)
    expect(s.keys(), 'wrapper.keys()').toEqual(['b'])
  })

  it('shares the inner state instead of copying it', () => {
    const inner = seeded({})
    const s = withStats(inner)
    inner.set('late', 'x')
    expect(s.get('late'), 'wrapper.get("late") after the key was set directly on inner').toBe('x')
    expect(s.keys(), 'wrapper.keys() after inner.set("late")').toEqual(['late'])
  })

  it('counts gets, hits, misses, sets and deletes', () => {
    const s = withStats(seeded({ a: '1' }))
    s.get('a')
    s.get('a')
    s.get('nope')
    s.set('b', '2')
    s.delete('b')
    s.delete('b')
    s.keys()
    expect(s.stats(), 'stats after get a, get a, get nope, set b, delete b ×2, keys').toEqual({
      gets: 3,
      hits: 2,
      misses: 1,
      sets: 1,
      deletes: 2,
    })
  })

  it('counts a stored empty string as a hit: it is a value, not a miss', () => {
    const s = withStats(seeded({ empty: '', zero: '0' }))
    expect(s.get('empty'), 'get("empty") where the value is ""').toBe('')
    s.get('zero')
    s.get('absent')
    expect(s.stats(), 'stats after get of "" and "0" (both found) and of an absent key: test `=== undefined`, not truthiness').toMatchObject({
      gets: 3,
      hits: 2,
      misses: 1,
    })
  })

  it('returns a snapshot from stats(), and each wrapper has its own counters', () => {
    const inner = seeded({})
    const a = withStats(inner)
    const b = withStats(inner)
    a.set('k', 'v')
    const snap = a.stats()
    snap.sets = 100
    expect(a.stats().sets, 'a.stats().sets after changing an earlier snapshot').toBe(1)
    expect(b.stats().sets, 'b.stats().sets after only a.set was called').toBe(0)
  })

  it('wraps any Store, a plain object too', () => {
    const log: string[] = []
    const plainStore = {
      get: (k: string) => (log.push(`get ${k}`), k === 'x' ? 'X' : undefined),
      set: (k: string, v: string) => void log.push(`set ${k}=${v}`),
      delete: (k: string) => (log.push(`delete ${k}`), true),
      keys: () => ['x'],
    }
    const s = withStats(plainStore)
    s.get('x')
    s.set('y', '1')
    s.delete('y')
    expect(log, 'calls that reached the plain-object store').toEqual(['get x', 'set y=1', 'delete y'])
    expect(s.stats().hits, 'hits').toBe(1)
  })
})

describe('readOnly(inner)', () => {
  it('passes reads through', () => {
    const inner = seeded({ a: '1' })
    const r = readOnly(inner)
    expect(r.get('a'), 'readOnly(store{a:1}).get("a")').toBe('1')
    expect(r.get('b'), 'readOnly(store).get("b") for a missing key').toBeUndefined()
    inner.set('c', '3')
    expect(r.keys(), 'readOnly(store).keys() after inner.set("c")').toEqual(['a', 'c'])
  })

  it('rejects set and delete with ReadOnlyError and leaves the inner store untouched', () => {
    const inner = seeded({ a: '1' })
    const r = readOnly(inner)
    expect(() => r.set('a', '2'), 'readOnly(store).set("a", "2")').toThrow(ReadOnlyError)
    expect(() => r.delete('a'), 'readOnly(store).delete("a")').toThrow(ReadOnlyError)
    expect(inner.get('a'), 'inner.get("a") after the refused set and delete').toBe('1')
  })
})

describe('withPrefix(inner, prefix)', () => {
  it('stores keys under the prefix in the inner store', () => {
    const inner = seeded({})
    const users = withPrefix(inner, 'user:')
    users.set('1', 'ada')
    expect(inner.keys(), 'inner.keys() after withPrefix(inner, "user:").set("1", "ada")').toEqual(['user:1'])
    expect(users.get('1'), 'view.get("1")').toBe('ada')
    expect(users.delete('1'), 'view.delete("1")').toBe(true)
    expect(inner.keys(), 'inner.keys() after view.delete("1")').toEqual([])
  })

  it('sees only its own keys, without the prefix', () => {
    const inner = seeded({ 'user:1': 'ada', 'old-user:9': 'x', 'user:2': 'bob', 'order:1': 'o', plain: 'p' })
    const users = withPrefix(inner, 'user:')
    const orders = withPrefix(inner, 'order:')
    expect(users.keys(), 'users view keys() over user:1, old-user:9, user:2, order:1, plain: only keys that START with "user:"').toEqual(['1', '2'])
    expect(orders.keys(), 'orders view keys()').toEqual(['1'])
    expect(orders.get('2'), 'orders.get("2"): user:2 belongs to another view').toBeUndefined()
    expect(users.get('plain'), 'users.get("plain")').toBeUndefined()
  })
})

describe('wrappers stack, because each one takes and returns a Store', () => {
  it('withStats(withPrefix(inner, "s:")) counts and prefixes', () => {
    const inner = seeded({ 's:a': '1', other: '2' })
    const s = withStats(withPrefix(inner, 's:'))
    expect(s.get('a'), 'stacked get("a")').toBe('1')
    expect(s.get('other'), 'stacked get("other") outside the prefix').toBeUndefined()
    s.set('b', '3')
    expect(inner.get('s:b'), 'inner.get("s:b") after stacked set("b")').toBe('3')
    expect(s.stats(), 'stacked stats').toEqual({ gets: 2, hits: 1, misses: 1, sets: 1, deletes: 0 })
  })

  it('readOnly(withStats(inner)) refuses writes before they are counted or stored', () => {
    const inner = seeded({ a: '1' })
    const counted = withStats(inner)
    const r = readOnly(counted)
    expect(r.get('a'), 'stacked readOnly get("a")').toBe('1')
    expect(() => r.set('a', 'x'), 'stacked readOnly set').toThrow(ReadOnlyError)
    expect(counted.stats(), 'counters under readOnly after one get and one refused set').toEqual({
      gets: 1,
      hits: 1,
      misses: 0,
      sets: 0,
      deletes: 0,
    })
    expect(inner.get('a'), 'inner value').toBe('1')
  })
})
