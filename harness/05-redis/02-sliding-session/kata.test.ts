import { describe, expect, it } from 'vitest'
import { useRedis } from '#support/redis'
import { lazyRaw, sleep } from '#support/redis-chapter'
import { raceGate, tapRedis } from '#support/faults/redis'
import { createSessionStore } from '@kata/redis/sliding-session'

const redis = useRedis()
const raw = lazyRaw(redis)

interface Session {
  userId: string
  createdAt: number
}
interface SessionStore {
  create(userId: string): Promise<string>
  get(token: string): Promise<Session | null>
  destroy(token: string): Promise<boolean>
}

/** A store with its own Redis connection, as one app instance would have. */
const store = (idleMs: number, maxAgeMs: number) =>
  createSessionStore({ redis: redis.client(), idleMs, maxAgeMs }) as SessionStore

/** PTTL of the session's key, read without the store: -2 = no such key, -1 = no expiry. */
const pttl = (token: string) => raw().pttl(`${redis.prefix}session:${token}`)

const HOUR = 3_600_000

describe('createSessionStore({ redis, idleMs, maxAgeMs })', () => {
  it('create(userId) returns a new random URL-safe token every time', async () => {
    const s = store(60_000, HOUR)
    const tokens = await Promise.all(Array.from({ length: 50 }, (_, i) => s.create(`user-${i % 3}`)))
    for (const t of tokens) {
      expect(t, 'a token returned by create()').toMatch(/^[A-Za-z0-9_-]{16,}$/)
    }
    expect(new Set(tokens).size, '50 calls of create(): how many distinct tokens').toBe(50)
  })

  it('get(token) returns { userId, createdAt } from any app instance', async () => {
    const a = store(60_000, HOUR)
    const b = store(60_000, HOUR)
    const before = Date.now()
    const token = await a.create('ada')
    const after = Date.now()
    const session = await b.get(token)
    expect(session, 'instance B: get(token) of a session created by instance A').toEqual({ userId: 'ada', createdAt: expect.any(Number) })
    expect(session!.createdAt, `createdAt (create() ran between ${before} and ${after})`).toBeGreaterThanOrEqual(before - 5)
    expect(session!.createdAt, `createdAt (create() ran between ${before} and ${after})`).toBeLessThanOrEqual(after + 5)
    expect(await b.get(token), 'get(token) a second time').toEqual(session)
  })

  it('returns null for a token that was never issued', async () => {
    const s = store(60_000, HOUR)
    await s.create('ada')
    expect(await s.get('no-such-token-0123456789'), 'get("no-such-token-0123456789")').toBeNull()
  })

  it('keeps the session under session:<token> with a TTL of idleMs', async () => {
    const s = store(60_000, HOUR)
    const token = await s.create('ada')
    const ttl = await pttl(token)
    expect(ttl, `PTTL of session:<token> right after create() with idleMs 60000 (-2: no such key, -1: no expiry)`).toBeGreaterThan(55_000)
    expect(ttl, 'PTTL of session:<token> right after create() with idleMs 60000').toBeLessThanOrEqual(60_000)
  })

  it('never leaves a session without a TTL, even when the instance dies right after writing it', async () => {
    const tap = tapRedis(redis.client())
    const s = createSessionStore({ redis: tap.client, idleMs: 60_000, maxAgeMs: HOUR }) as SessionStore
    // The "crash": the suite fails the TTL command sent after the session was written.
    const gate = tap.hold((cmd, before) => !cmd.batched && ['pexpire', 'expire', 'pexpireat', 'expireat'].includes(cmd.name) && before.some((c) => ['hset', 'hmset', 'set'].includes(c.name)))
    const creating = s.create('crashy').catch((err: unknown) => err)
    try {
      if ((await raceGate(gate, creating)) === 'reached') {
        gate.fail(new Error('the instance died here (injected by the suite)'))
        await creating
      } else {
        expect(await creating, 'create("crashy")').toEqual(expect.any(String))
      }
    } finally {
      tap.releaseAll()
    }
    const prefix = `${redis.prefix}session:`
    const keys = await raw().keys(`${prefix}*`)
    for (const key of keys) {
      expect(
        await raw().pttl(key),
        `PTTL of ${key.slice(redis.prefix.length)} (-1: the session lives forever). create() wrote the session and then died before its PEXPIRE: write the session and its TTL in one step (MULTI, or SET … PX)`,
      ).not.toBe(-1)
    }
  })

  it('destroy(token) logs out: true for a live session, false after, and other sessions stay', async () => {
    const s = store(60_000, HOUR)
    const mine = await s.create('ada')
    const other = await s.create('grace')
    expect(await s.destroy(mine), 'destroy(token) of a live session').toBe(true)
    expect(await s.get(mine), 'get(token) after destroy(token)').toBeNull()
    expect(await pttl(mine), 'PTTL of session:<token> after destroy (-2: the key is gone)').toBe(-2)
    expect(await s.destroy(mine), 'destroy(token) a second time').toBe(false)
    expect(await s.get(other), 'get() of another session after destroying the first').toMatchObject({ userId: 'grace' })
  })

  it.concurrent('expires a session nobody reads after idleMs, and a late read does not bring it back', async ({ expect }) => {
    const s = store(300, HOUR)
    const token = await s.create('ada')
    await sleep(700)
    expect(await s.get(token), 'get(token) 700 ms after create(), with idleMs 300 and no reads in between').toBeNull()
    expect(await pttl(token), 'PTTL of session:<token> after that read (-2: the key is gone)').toBe(-2)
  })

  it.concurrent('slides the expiry on every read: a session read often outlives idleMs', async ({ expect }) => {
    const a = store(600, HOUR)
    const b = store(600, HOUR)
    const token = await a.create('ada')
    const started = Date.now()
    for (let i = 1; i <= 10; i++) {
      await sleep(120)
      const reader = i % 2 ? b : a
      const elapsed = Date.now() - started
      expect(await reader.get(token), `read #${i}, ${elapsed} ms after create(), idleMs 600, read every ~120 ms`).toMatchObject({ userId: 'ada' })
      const ttl = await pttl(token)
      expect(ttl, `PTTL of session:<token> right after read #${i}: the read must reset it to about idleMs (600)`).toBeGreaterThan(350)
      expect(ttl, `PTTL of session:<token> right after read #${i}: never more than idleMs`).toBeLessThanOrEqual(600)
    }
    await sleep(1000)
    expect(await a.get(token), 'get(token) after the reads stopped for 1000 ms, idleMs 600').toBeNull()
  })

  it.concurrent('never lets a session live past maxAgeMs after its creation, however often it is read', async ({ expect }) => {
    const s = store(60_000, 600)
    const created = Date.now()
    const token = await s.create('ada')
    const first = await pttl(token)
    expect(first, 'PTTL right after create() with idleMs 60000 and maxAgeMs 600').toBeGreaterThan(0)
    expect(first, 'PTTL right after create() with idleMs 60000 and maxAgeMs 600: capped by maxAgeMs').toBeLessThanOrEqual(600)

    await sleep(250)
    expect(await s.get(token), 'get(token) ~250 ms after create(), maxAgeMs 600').toMatchObject({ userId: 'ada' })
    const left = 600 - (Date.now() - created)
    const afterRead = await pttl(token)
    expect(afterRead, `PTTL after that read: at most what is left of maxAgeMs (~${left} ms), not idleMs`).toBeLessThanOrEqual(left + 100)
    expect(afterRead, 'PTTL after that read (-2: the session vanished too early)').toBeGreaterThan(0)

    await sleep(Math.max(0, created + 1000 - Date.now()))
    expect(await s.get(token), 'get(token) 1000 ms after create(), maxAgeMs 600 (idleMs 60000 is not what ends it)').toBeNull()
  })
})
