import { describe, expect, it } from 'vitest'
import { attempt, attemptAsync, describeThrown } from '#support/senior'
import { build, choose, InfeasibleError } from '@kata/senior/tradeoffs'

interface Constraints {
  keys: number
  readsPerSec: number
  dbCapacityPerSec: number
  maxStalenessMs: number
  externalWriters: boolean
}
type Design = { kind: 'direct' } | { kind: 'ttl'; ttlMs: number } | { kind: 'invalidate' }
interface Db {
  get(key: string): Promise<string | undefined>
  set(key: string, value: string): Promise<void>
}
interface Store {
  read(key: string): Promise<string | undefined>
  write(key: string, value: string): Promise<void>
}

const TICK_MS = 10
const WARMUP_MS = 2000
const MEASURE_MS = 8000
/** Misses at the edges of the measured span (a key loaded just before it ends) are allowed for. */
const LOAD_SLACK = 1.1

/** The suite's database: a Map that counts reads; `gate` can hold the next get back. */
function fakeDb(keys: number) {
  const data = new Map(Array.from({ length: keys }, (_, i) => [`k${i}`, `k${i}@v0`]))
  const state = {
    data,
    gets: 0,
    sets: 0,
    /** When set, the next get reads the value at call time and answers when this settles. */
    gate: undefined as Promise<void> | undefined,
  }
  const db: Db = {
    async get(key) {
      state.gets++
      const value = data.get(key)
      const gate = state.gate
      state.gate = undefined
      if (gate) await gate
      return value
    },
    async set(key, value) {
      state.sets++
      data.set(key, value)
    },
  }
  return { db, state }
}

function clock() {
  const c = { t: 0, now: () => c.t }
  return c
}

const show = (c: Constraints) => JSON.stringify(c)

/** Builds the learner's store for a design, with the suite's database and clock. */
function store(design: Design, db: Db, now: () => number, what: string): Store {
  const s = attempt(`${what}: build(${JSON.stringify(design)}, { db, now })`, () => build(design, { db, now }) as Store)
  expect(typeof s?.read === 'function' && typeof s?.write === 'function', `${what}: build(…) should return { read, write }`).toBe(true)
  return s
}

/**
 * Runs the chosen design under the scenario's traffic on a fake clock and measures what
 * the constraints are about: database reads per second, and how stale a read can be.
 */
async function simulate(c: Constraints, design: Design, what: string) {
  const { db, state } = fakeDb(c.keys)
  const clk = clock()
  const s = store(design, db, clk.now, what)
  const perTick = (c.readsPerSec * TICK_MS) / 1000
  let cursor = 0
  const read = (key: string) => attemptAsync(`${what}: read("${key}") at t=${clk.t} ms`, () => s.read(key))

  // Phase 1: reads only. Every read must return what the database holds.
  let getsAtWarm = 0
  for (let t = 0; t < WARMUP_MS + MEASURE_MS; t += TICK_MS) {
    clk.t = t
    if (t === WARMUP_MS) getsAtWarm = state.gets
    for (let j = 0; j < perTick; j++) {
      const key = `k${cursor++ % c.keys}`
      const got = await read(key)
      if (got !== state.data.get(key)) expect.fail(`${what}: read("${key}") at t=${t} ms returned ${JSON.stringify(got)}, the database holds ${JSON.stringify(state.data.get(key))}`)
    }
  }
  const load = ((state.gets - getsAtWarm) * 1000) / MEASURE_MS

  // Phase 2: writes every 370 ms (directly to the database when writers are external,
  // else through store.write); each written key is read every tick until it is fresh.
  const pending = new Map<string, { at: number; old: string; now: string }>()
  let maxStaleness = 0
  let n = 0
  const start = WARMUP_MS + MEASURE_MS
  const writesUntil = start + 5000
  for (let t = start; t < writesUntil || pending.size; t += TICK_MS) {
    clk.t = t
    if (t < writesUntil && (t - start) % 370 === 0) {
      n++
      const key = `k${(n * 7919) % c.keys}`
      const value = `${key}@v${n}`
      const old = state.data.get(key)!
      if (c.externalWriters) state.data.set(key, value)
      else await attemptAsync(`${what}: write("${key}", "${value}") at t=${t} ms`, () => s.write(key, value))
      expect(state.data.get(key), `${what}: the database after write("${key}", "${value}")`).toBe(value)
      pending.set(key, { at: t, old, now: value })
    }
    for (let j = 0; j < perTick; j++) await read(`k${cursor++ % c.keys}`)
    for (const [key, w] of pending) {
      const got = await read(key)
      if (got === w.now) pending.delete(key)
      else if (got === w.old) maxStaleness = Math.max(maxStaleness, t - w.at)
      else expect.fail(`${what}: read("${key}") at t=${t} ms returned ${JSON.stringify(got)}: neither the value written at t=${w.at} ms (${w.now}) nor the one before it`)
      if (t - w.at > c.maxStalenessMs + 2000) expect.fail(`${what}: "${key}" was written at t=${w.at} ms, yet read("${key}") still returns the old value at t=${t} ms (maxStalenessMs ${c.maxStalenessMs})`)
    }
  }
  return { load, maxStaleness }
}

/** What the statement's rules say, worked out independently: the simplest feasible design. */
function simplestFeasible(c: Constraints): Design['kind'] | 'infeasible' {
  if (c.readsPerSec <= c.dbCapacityPerSec) return 'direct'
  if (c.maxStalenessMs > 0 && (c.keys * 1000) / c.dbCapacityPerSec <= c.maxStalenessMs) return 'ttl'
  if (!c.externalWriters) return 'invalidate'
  return 'infeasible'
}

const SCENARIOS: [string, Constraints][] = [
  ['an admin panel: light traffic, must never be stale', { keys: 100, readsPerSec: 200, dbCapacityPerSec: 500, maxStalenessMs: 0, externalWriters: true }],
  ['light traffic, every write goes through this service: no cache is simpler than any cache', { keys: 100, readsPerSec: 200, dbCapacityPerSec: 500, maxStalenessMs: 0, externalWriters: false }],
  ['light traffic, a second of staleness allowed: still no cache needed', { keys: 100, readsPerSec: 300, dbCapacityPerSec: 500, maxStalenessMs: 1000, externalWriters: true }],
  ['traffic exactly at the database capacity', { keys: 50, readsPerSec: 1000, dbCapacityPerSec: 1000, maxStalenessMs: 0, externalWriters: true }],
  ['a product catalog fed by an import job: a second of staleness is fine', { keys: 100, readsPerSec: 5000, dbCapacityPerSec: 500, maxStalenessMs: 1000, externalWriters: true }],
  ['many keys, staleness bound just long enough for a TTL', { keys: 200, readsPerSec: 3000, dbCapacityPerSec: 400, maxStalenessMs: 500, externalWriters: true }],
  ['account balances: hot, never stale, every write goes through this service', { keys: 100, readsPerSec: 5000, dbCapacityPerSec: 500, maxStalenessMs: 0, externalWriters: false }],
  ['hot and staleness allowed, writes through this service: a TTL is the simpler answer', { keys: 100, readsPerSec: 5000, dbCapacityPerSec: 500, maxStalenessMs: 1000, externalWriters: false }],
  ['too many keys for a TTL within the staleness bound, writes through this service', { keys: 1000, readsPerSec: 5000, dbCapacityPerSec: 400, maxStalenessMs: 2000, externalWriters: false }],
]

const INFEASIBLE: [string, Constraints][] = [
  ['hot, never stale, and other systems write behind the service', { keys: 100, readsPerSec: 5000, dbCapacityPerSec: 500, maxStalenessMs: 0, externalWriters: true }],
  ['too many keys for a TTL within the staleness bound, and external writers', { keys: 1000, readsPerSec: 5000, dbCapacityPerSec: 400, maxStalenessMs: 2000, externalWriters: true }],
]

describe('choose(constraints): the chosen design meets the constraints when it runs', () => {
  for (const [title, c] of SCENARIOS) {
    it(`${title}`, async () => {
      const design = attempt(`choose(${show(c)})`, () => choose(c) as Design)
      const expected = simplestFeasible(c)
      expect(design?.kind, `choose(${show(c)}).kind: the simplest design that meets every constraint`).toBe(expected)
      if (design.kind === 'ttl') {
        expect(Number.isFinite(design.ttlMs) && design.ttlMs > 0, `choose(${show(c)}).ttlMs should be a positive number, got ${JSON.stringify(design.ttlMs)}`).toBe(true)
      }
      const what = `design ${JSON.stringify(design)} chosen for ${show(c)}`
      const { load, maxStaleness } = await simulate(c, design, what)
      expect(load, `${what}: database reads per second under ${c.readsPerSec} reads/s (capacity ${c.dbCapacityPerSec}/s)`).toBeLessThanOrEqual(c.dbCapacityPerSec * LOAD_SLACK)
      expect(maxStaleness, `${what}: the oldest value a read returned after a write, in ms (maxStalenessMs ${c.maxStalenessMs})`).toBeLessThanOrEqual(c.maxStalenessMs)
    })
  }

  for (const [title, c] of INFEASIBLE) {
    it(`refuses when nothing fits: ${title}`, () => {
      expect(simplestFeasible(c)).toBe('infeasible')
      let thrown: unknown
      let returned: unknown
      try {
        returned = choose(c)
      } catch (err) {
        thrown = err
      }
      expect(thrown instanceof InfeasibleError, `choose(${show(c)}) should throw InfeasibleError, but ${thrown === undefined ? `returned ${JSON.stringify(returned)}` : `threw ${describeThrown(thrown)}`}`).toBe(true)
    })
  }
})

describe('build(design, { db, now }): each design behaves as described', () => {
  it('direct: every read and write goes to the database', async () => {
    const { db, state } = fakeDb(3)
    const s = store({ kind: 'direct' }, db, () => 0, 'direct')
    expect(await s.read('k1'), 'direct: read("k1")').toBe('k1@v0')
    expect(await s.read('k1'), 'direct: read("k1") again').toBe('k1@v0')
    expect(state.gets, 'direct: database gets after two reads').toBe(2)
    state.data.set('k1', 'changed behind the service')
    expect(await s.read('k1'), 'direct: read("k1") after an external write').toBe('changed behind the service')
    await s.write('k2', 'new')
    expect(state.data.get('k2'), 'direct: the database after write("k2", "new")').toBe('new')
    expect(await s.read('missing'), 'direct: read("missing"), a key the database does not have').toBeUndefined()
  })

  it('ttl: serves a loaded value from memory for ttlMs, then loads it again', async () => {
    const { db, state } = fakeDb(3)
    const clk = clock()
    const s = store({ kind: 'ttl', ttlMs: 500 }, db, clk.now, 'ttl 500 ms')
    expect(await s.read('k0'), 'ttl: read("k0") at t=0').toBe('k0@v0')
    state.data.set('k0', 'k0@external')
    clk.t = 499
    expect(await s.read('k0'), 'ttl 500 ms: read("k0") at t=499, the database changed at t=0 behind the cache').toBe('k0@v0')
    expect(state.gets, 'ttl 500 ms: database gets after reads at t=0 and t=499').toBe(1)
    clk.t = 500
    expect(await s.read('k0'), 'ttl 500 ms: read("k0") at t=500, the cached value has expired (served only while now − loadedAt < ttlMs)').toBe('k0@external')
    expect(state.gets, 'ttl 500 ms: database gets after the read at t=500').toBe(2)
    expect(await s.read('k1'), 'ttl: read("k1"), another key').toBe('k1@v0')
    expect(state.gets, 'ttl: database gets after a first read of another key').toBe(3)
  })

  it('ttl: a write through the service reaches the database and is read back at once', async () => {
    const { db, state } = fakeDb(3)
    const s = store({ kind: 'ttl', ttlMs: 60_000 }, db, () => 0, 'ttl 60 s')
    expect(await s.read('k2'), 'ttl: read("k2")').toBe('k2@v0')
    await s.write('k2', 'k2@mine')
    expect(state.data.get('k2'), 'ttl: the database after write("k2", "k2@mine")').toBe('k2@mine')
    expect(await s.read('k2'), 'ttl: read("k2") right after write("k2", "k2@mine") through the service').toBe('k2@mine')
  })

  it('invalidate: caches a value until a write through the service, however long that is', async () => {
    const { db, state } = fakeDb(3)
    const clk = clock()
    const s = store({ kind: 'invalidate' }, db, clk.now, 'invalidate')
    expect(await s.read('k0'), 'invalidate: read("k0")').toBe('k0@v0')
    clk.t = 3_600_000
    expect(await s.read('k0'), 'invalidate: read("k0") an hour later').toBe('k0@v0')
    expect(state.gets, 'invalidate: database gets after two reads an hour apart').toBe(1)
    await s.write('k0', 'k0@v1')
    expect(state.data.get('k0'), 'invalidate: the database after write("k0", "k0@v1")').toBe('k0@v1')
    expect(await s.read('k0'), 'invalidate: read("k0") right after write("k0", "k0@v1")').toBe('k0@v1')
    expect(await s.read('k0'), 'invalidate: read("k0") again').toBe('k0@v1')
    expect(state.gets, 'invalidate: database gets after the write and two reads').toBe(2)
  })

  it('invalidate: a load that started before a write does not put the old value back in the cache', async () => {
    const { db, state } = fakeDb(3)
    const s = store({ kind: 'invalidate' }, db, () => 0, 'invalidate')
    let release!: () => void
    state.gate = new Promise<void>((r) => (release = r))
    // This read misses and reads "k1@v0" from the database, but answers late…
    const slow = s.read('k1')
    // …after a write has gone through.
    await s.write('k1', 'k1@v1')
    release()
    expect(await slow, 'invalidate: the read that started before write("k1", "k1@v1")').toBe('k1@v0')
    expect(await s.read('k1'), 'invalidate: read("k1") after that slow read finished: the old value must not have been cached').toBe('k1@v1')
  })
})
