import type pg from 'pg'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { usePostgres } from '#support/postgres'
import { sleep } from '#support/highload'
import { createProfileStore } from '@kata/highload/consistency'

interface Profile {
  id: string
  name: string
  bio: string
  version: number
}
type Consistency = 'strong' | 'session' | 'eventual'
interface Session {
  create(id: string, name: string): Promise<Profile>
  update(id: string, patch: { name?: string; bio?: string }): Promise<Profile | undefined>
  get(id: string, options?: { consistency?: Consistency }): Promise<Profile | undefined>
}
interface ProfileStore {
  session(): Session
}

// Two databases play a primary and its asynchronous replica; the tests copy rows across
// when they decide to, so the replica lags exactly as long as a test wants it to.
const primaryDb = usePostgres()
const replicaDb = usePostgres()

const TABLE = 'create table profiles (id text primary key, name text not null, bio text not null, version int not null)'

/** Counts the queries sent through a pool (every path goes through a client's query). */
function counted(pool: pg.Pool) {
  const counter = { n: 0 }
  pool.on('connect', (client: pg.PoolClient) => {
    const original = client.query.bind(client) as (...a: unknown[]) => unknown
    ;(client as unknown as { query: (...a: unknown[]) => unknown }).query = (...args: unknown[]) => {
      counter.n++
      return original(...args)
    }
  })
  return counter
}

let primary: pg.Pool
let replica: pg.Pool
let primaryQueries: { n: number }
let replicaQueries: { n: number }
let store: ProfileStore

beforeAll(async () => {
  await primaryDb.pool.query(TABLE)
  await replicaDb.pool.query(TABLE)
  primary = primaryDb.newPool({ max: 4 })
  // A replica refuses writes, like a hot standby.
  replica = replicaDb.newPool({ max: 4, options: '-c default_transaction_read_only=on' })
  primaryQueries = counted(primary)
  replicaQueries = counted(replica)
  store = (createProfileStore as (o: { primary: pg.Pool; replica: pg.Pool }) => ProfileStore)({ primary, replica })
})

/** One round of replication: the replica catches up with the primary. */
async function replicate() {
  const { rows } = await primaryDb.pool.query<Profile>('select id, name, bio, version from profiles')
  for (const p of rows) {
    await replicaDb.pool.query(
      `insert into profiles (id, name, bio, version) values ($1, $2, $3, $4)
       on conflict (id) do update set name = excluded.name, bio = excluded.bio, version = excluded.version
       where profiles.version < excluded.version`,
      [p.id, p.name, p.bio, p.version],
    )
  }
}
const onPrimary = async (id: string) => (await primaryDb.pool.query<Profile>('select id, name, bio, version from profiles where id = $1', [id])).rows[0]
const onReplica = async (id: string) => (await replicaDb.pool.query<Profile>('select id, name, bio, version from profiles where id = $1', [id])).rows[0]

let background: ReturnType<typeof setInterval> | undefined
afterEach(() => {
  if (background) clearInterval(background)
  background = undefined
})

let seq = 0
let id = ''
beforeEach(() => {
  id = `user-${++seq}`
})

/** Queries `fn` sends to the primary and to the replica. */
async function queriesOf<T>(fn: () => Promise<T>): Promise<{ value: T; primary: number; replica: number }> {
  const p = primaryQueries.n
  const r = replicaQueries.n
  const value = await fn()
  return { value, primary: primaryQueries.n - p, replica: replicaQueries.n - r }
}

describe('writes go to the primary', () => {
  it('create() and update() write to the primary and bump the version', async () => {
    const s = store.session()
    expect(await s.create(id, 'Ann'), `create("${id}", "Ann")`).toEqual({ id, name: 'Ann', bio: '', version: 1 })
    expect(await s.update(id, { bio: 'backend' }), `update("${id}", { bio: "backend" })`).toEqual({ id, name: 'Ann', bio: 'backend', version: 2 })
    expect(await s.update(id, { name: 'Anna' }), `update("${id}", { name: "Anna" })`).toEqual({ id, name: 'Anna', bio: 'backend', version: 3 })
    expect(await onPrimary(id), 'the row on the primary').toEqual({ id, name: 'Anna', bio: 'backend', version: 3 })
    expect(await onReplica(id), 'the row on the replica before any replication').toBeUndefined()
    expect(await s.update('nobody', { name: 'x' }), 'update() of a profile that does not exist').toBeUndefined()
  })

  it("update() bumps the version stored on the primary, whoever wrote it before", async () => {
    await store.session().create(id, 'Gleb')
    await store.session().update(id, { bio: 'one' })
    const third = store.session()
    expect((await third.update(id, { bio: 'two' }))?.version, `a third session's update("${id}") after two other sessions wrote versions 1 and 2 (version + 1 of the row, not of what this session saw)`).toBe(3)
    expect((await onPrimary(id))?.version, 'the version on the primary').toBe(3)
  })
})

describe('read-your-writes while the replica lags', () => {
  it('a session sees its own update although the replica still has the old version', async () => {
    const writer = store.session()
    await writer.create(id, 'Boris')
    await replicate()
    await writer.update(id, { name: 'Boris II' })
    expect((await onReplica(id))?.version, 'version on the replica (replication paused)').toBe(1)
    expect(await writer.get(id), `the writer's get("${id}") right after its update`).toEqual({ id, name: 'Boris II', bio: '', version: 2 })
  })

  it('the creator finds a profile the replica has not received yet', async () => {
    const s = store.session()
    await s.create(id, 'Chen')
    expect(await s.get(id), `get("${id}") right after create(), before replication`).toEqual({ id, name: 'Chen', bio: '', version: 1 })
  })

  it('other sessions read from the replica, stale or not, without touching the primary', async () => {
    const writer = store.session()
    await writer.create(id, 'Dana')
    await replicate()
    await writer.update(id, { name: 'Dana v2' })
    const reader = store.session()
    const read = await queriesOf(() => reader.get(id))
    expect(read.value, `another session's get("${id}") while the replica lags (eventual consistency: the old version)`).toEqual({ id, name: 'Dana', bio: '', version: 1 })
    expect(read.primary, "queries that other session's get() sent to the primary (reads belong on the replica)").toBe(0)
    await replicate()
    expect((await reader.get(id))?.name, 'the same session after the replica caught up').toBe('Dana v2')
  })

  it("the writer's reads go back to the replica once it has caught up", async () => {
    const writer = store.session()
    await writer.create(id, 'Emil')
    await writer.update(id, { bio: 'sre' })
    await replicate()
    const read = await queriesOf(() => writer.get(id))
    expect(read.value, `the writer's get("${id}") after replication`).toEqual({ id, name: 'Emil', bio: 'sre', version: 2 })
    expect(read.primary, "queries the writer's get() sent to the primary once the replica had its version").toBe(0)
    expect(read.replica, "queries the writer's get() sent to the replica").toBeGreaterThan(0)
  })

  it('only the profiles a session wrote need the primary: its reads of others use the replica', async () => {
    const other = `${id}-other`
    const setup = store.session()
    await setup.create(other, 'Other')
    await replicate()
    const writer = store.session()
    await writer.create(id, 'Fatima')
    // The writer's floor for its own profile is now 3, above anything "other" ever had.
    await writer.update(id, { bio: 'a' })
    await writer.update(id, { bio: 'b' })
    const read = await queriesOf(() => writer.get(other))
    expect(read.value?.name, `the writer of "${id}" reads "${other}"`).toBe('Other')
    expect(read.primary, `queries sent to the primary for "${other}" (version 1 on the replica), which this session never wrote: the floor is per profile, writing version 3 of "${id}" says nothing about "${other}"`).toBe(0)
  })
})

describe('strong, session and eventual reads', () => {
  it("a strong read always asks the primary", async () => {
    const w = store.session()
    await w.create(id, 'Gleb')
    await replicate()
    await w.update(id, { name: 'Gleb 2' })
    const r = store.session()
    const read = await queriesOf(() => r.get(id, { consistency: 'strong' }))
    expect(read.value, `a fresh session's get("${id}", { consistency: 'strong' })`).toEqual({ id, name: 'Gleb 2', bio: '', version: 2 })
    expect(read.primary, 'queries a strong read sent to the primary').toBeGreaterThan(0)
  })

  it('monotonic reads: after seeing a version, a session never gets an older one', async () => {
    const w = store.session()
    await w.create(id, 'Hugo')
    await replicate()
    await w.update(id, { name: 'Hugo 2' })
    await w.update(id, { name: 'Hugo 3' })
    const r = store.session()
    expect((await r.get(id, { consistency: 'strong' }))?.version, 'a strong read sees version 3').toBe(3)
    expect(await r.get(id), `the same session's next get("${id}") (the replica still has version 1)`).toEqual({ id, name: 'Hugo 3', bio: '', version: 3 })
  })

  it('an eventual read asks the replica only, even if that is stale or missing', async () => {
    const w = store.session()
    await w.create(id, 'Irina')
    const missing = await queriesOf(() => w.get(id, { consistency: 'eventual' }))
    expect(missing.value, `get("${id}", { consistency: 'eventual' }) before replication, by its own writer`).toBeUndefined()
    expect(missing.primary, 'queries an eventual read sent to the primary').toBe(0)
    await replicate()
    await w.update(id, { name: 'Irina 2' })
    expect((await w.get(id, { consistency: 'eventual' }))?.name, 'an eventual read after a newer write: the replica copy').toBe('Irina')
  })

  it('sessions are independent: one session seeing a new version does not change what another is served', async () => {
    const w = store.session()
    await w.create(id, 'Jonas')
    await replicate()
    await w.update(id, { name: 'Jonas 2' })
    const a = store.session()
    const b = store.session()
    await a.get(id, { consistency: 'strong' })
    const read = await queriesOf(() => b.get(id))
    expect(read.value?.version, 'session B (which saw nothing) reads while the replica lags').toBe(1)
    expect(read.primary, "queries session B's read sent to the primary").toBe(0)
  })
})

describe('eventual convergence', () => {
  it('with replication running, every session soon sees the latest write', async () => {
    const w = store.session()
    await w.create(id, 'v1')
    background = setInterval(() => void replicate().catch(() => undefined), 50)
    for (let v = 2; v <= 6; v++) await w.update(id, { name: `v${v}` })
    const r = store.session()
    let seen: Profile | undefined
    const versions: number[] = []
    const until = Date.now() + 5000
    while (Date.now() < until) {
      seen = await r.get(id)
      if (seen) versions.push(seen.version)
      if (seen?.version === 6) break
      await sleep(20)
    }
    expect(seen, 'what another session reads within 5 s while replication runs every 50 ms').toEqual({ id, name: 'v6', bio: '', version: 6 })
    expect(versions, 'versions that session read, in order (they must never go back)').toEqual([...versions].sort((x, y) => x - y))
  })
})
