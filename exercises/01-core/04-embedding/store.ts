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

/** Counts the calls and delegates each of them to `inner`. */
export function withStats(inner: Store): StatsStore {
  throw new Error('TODO: withStats — return a Store that counts calls and forwards them to inner\nTODO(ru): withStats — вернуть Store, который считает вызовы и передаёт их во inner')
}

/** Reads pass through; set and delete throw ReadOnlyError and never reach `inner`. */
export function readOnly(inner: Store): Store {
  throw new Error('TODO: readOnly — forward get/keys to inner, make set/delete throw ReadOnlyError\nTODO(ru): readOnly — передавать get/keys во inner, а на set/delete бросать ReadOnlyError')
}

/** A view of `inner` limited to the keys that start with `prefix`; keys are seen without it. */
export function withPrefix(inner: Store, prefix: string): Store {
  throw new Error('TODO: withPrefix — forward every call to inner with the prefix added to the key\nTODO(ru): withPrefix — передавать каждый вызов во inner, добавляя префикс к ключу')
}
