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

/** The simplest design that meets every constraint, or InfeasibleError (see README.md). */
export function choose(_c: Constraints): Design {
  throw new Error('TODO: choose: work out which designs meet the constraints and return the simplest (see README.md)\nTODO(ru): choose: определить, какие варианты удовлетворяют ограничениям, и вернуть самый простой (см. README.ru.md)')
}

/** A store that reads and writes the way `design` says (see README.md). */
export function build(_design: Design, _deps: Deps): Store {
  throw new Error('TODO: build: implement the direct, ttl and invalidate designs (see README.md)\nTODO(ru): build: реализовать варианты direct, ttl и invalidate (см. README.ru.md)')
}
