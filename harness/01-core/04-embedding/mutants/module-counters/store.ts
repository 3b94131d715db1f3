/** A key-value store. Wrappers take one and return one, so they stack. */
export interface Store {
  get(key: string): string | undefined
  set(key: string, value: string): void
  /** true when the key existed */
  delete(key: string): boolean
  keys(): string[]
}

export interface Stats {
  gets: number
  hits: number
  misses: number
  sets: number
  deletes: number
}

export interface StatsStore extends Store {
  /** A snapshot of the counters: changing it does not change the store's counters. */
  stats(): Stats
}

export class ReadOnlyError extends Error {
  override name = 'ReadOnlyError'
}

const s: Stats = { gets: 0, hits: 0, misses: 0, sets: 0, deletes: 0 }

/** Counts the calls and delegates each of them to `inner`. */
export function withStats(inner: Store): StatsStore {
  return {
    get(key) {
      s.gets++
      const v = inner.get(key) // called on inner, so inner keeps its own `this`
      if (v === undefined) s.misses++
      else s.hits++
      return v
    },
    set(key, value) {
      s.sets++
      inner.set(key, value)
    },
    delete(key) {
      s.deletes++
      return inner.delete(key)
    },
    keys: () => inner.keys(),
    stats: () => ({ ...s }),
  }
}

/** Reads pass through; set and delete throw ReadOnlyError and never reach `inner`. */
export function readOnly(inner: Store): Store {
  return {
    get: (key) => inner.get(key),
    keys: () => inner.keys(),
    set(key) {
      throw new ReadOnlyError(`cannot set "${key}": the store is read-only`)
    },
    delete(key) {
      throw new ReadOnlyError(`cannot delete "${key}": the store is read-only`)
    },
  }
}

/** A view of `inner` limited to the keys that start with `prefix`; keys are seen without it. */
export function withPrefix(inner: Store, prefix: string): Store {
  return {
    get: (key) => inner.get(prefix + key),
    set: (key, value) => inner.set(prefix + key, value),
    delete: (key) => inner.delete(prefix + key),
    keys: () => inner.keys().filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length)),
  }
}
