// Choosing the read path of a service from its constraints, and building the chosen design.

export interface Constraints {
  /** Distinct keys that are read, uniformly. */
  keys: number
  /** Peak reads per second the service receives. */
  readsPerSec: number
  /** Reads per second the database can answer, on average. */
  dbCapacityPerSec: number
  /** How long after a write a read may still return the old value (0: never). */
  maxStalenessMs: number
  /** True when other systems write to the database directly, without telling this service. */
  externalWriters: boolean
}

export type Design = { kind: 'direct' } | { kind: 'ttl'; ttlMs: number } | { kind: 'invalidate' }

export class InfeasibleError extends Error {
  override name = 'InfeasibleError'
  constructor(readonly reasons: string[]) {
    super(`no design meets the constraints: ${reasons.join('; ')}`)
  }
}

/** The database as the service sees it. */
export interface Db {
  get(key: string): Promise<string | undefined>
  set(key: string, value: string): Promise<void>
}

export interface Store {
  read(key: string): Promise<string | undefined>
  write(key: string, value: string): Promise<void>
}

export interface Deps {
  db: Db
  /** Milliseconds; the only clock a design may use. */
  now: () => number
}

/** The simplest design that meets every constraint: direct, then ttl, then invalidate. */
export function choose(c: Constraints): Design {
  if (c.readsPerSec <= c.dbCapacityPerSec) return { kind: 'direct' }
  // A TTL cache loads each key about once per TTL: keys × 1000 / ttlMs reads a second.
  const minTtlMs = Math.ceil((c.keys * 1000) / c.dbCapacityPerSec)
  // The longest TTL the staleness bound allows puts the least load on the database.
  if (c.maxStalenessMs > 0 && minTtlMs <= c.maxStalenessMs) return { kind: 'ttl', ttlMs: c.maxStalenessMs }
  if (!c.externalWriters) return { kind: 'invalidate' }
  throw new InfeasibleError([
    `direct: ${c.readsPerSec} reads/s exceed the database's ${c.dbCapacityPerSec}/s`,
    `ttl: needs ttlMs ≥ ${minTtlMs} for the database, but staleness allows at most ${c.maxStalenessMs}`,
    'invalidate: other systems write to the database behind the cache',
  ])
}

export function build(design: Design, { db, now }: Deps): Store {
  switch (design.kind) {
    case 'direct':
      return { read: (key) => db.get(key), write: (key, value) => db.set(key, value) }
    case 'ttl': {
      const cache = new Map<string, { value: string | undefined; loadedAt: number }>()
      return {
        async read(key) {
          const hit = cache.get(key)
          if (hit && now() - hit.loadedAt <= design.ttlMs) return hit.value
          const loadedAt = now()
          const value = await db.get(key)
          cache.set(key, { value, loadedAt })
          return value
        },
        async write(key, value) {
          await db.set(key, value)
          cache.delete(key)
        },
      }
    }
    case 'invalidate': {
      const cache = new Map<string, string | undefined>()
      // Bumped by every write: a load that started before a write must not cache what it read.
      const versions = new Map<string, number>()
      return {
        async read(key) {
          if (cache.has(key)) return cache.get(key)
          const version = versions.get(key) ?? 0
          const value = await db.get(key)
          if ((versions.get(key) ?? 0) === version) cache.set(key, value)
          return value
        },
        async write(key, value) {
          await db.set(key, value)
          versions.set(key, (versions.get(key) ?? 0) + 1)
          cache.delete(key)
        },
      }
    }
  }
}
