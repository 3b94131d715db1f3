import { createHash, randomBytes, scryptSync } from 'node:crypto'
import type { Express } from 'express'
import { beforeAll, describe, expect, it } from 'vitest'
import { usePostgres } from '#support/postgres'
import { useRedis } from '#support/redis'
import { attempt, attemptAsync, compareCpuTime, describeThrown, listen, sleep } from '#support/senior'
import { createApp, hashPassword, verifyPassword } from '@kata/senior/login'

const pgx = usePostgres()
const redis = useRedis()

interface Limits {
  maxFailuresPerAccountIp: number
  maxFailuresPerIp: number
  windowSec: number
}

let ipSeq = 0
/** A client address no other test uses (documentation ranges, RFC 5737). */
const newIp = () => `198.51.100.${++ipSeq}`

let userSeq = 0
const newEmail = () => `user${++userSeq}.${randomBytes(2).toString('hex')}@example.com`

beforeAll(async () => {
  await pgx.pool.query('CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL UNIQUE, password_hash text NOT NULL)')
})

/** One instance of the learner's app; instances made with the same Redis prefix share their counters. */
async function instance(limits?: Partial<Limits>): Promise<string> {
  const deps = limits ? { db: pgx.pool, redis: redis.client(), limits } : { db: pgx.pool, redis: redis.client() }
  const app = attempt(`createApp({ db, redis${limits ? `, limits: ${JSON.stringify(limits)}` : ''} })`, () => createApp(deps) as Express)
  return (await listen(app)).url
}

interface Res {
  status: number
  body: unknown
  retryAfter: string | null
}

async function post(base: string, path: string, body: unknown, ip: string): Promise<Res> {
  const res = await fetch(base + path, {
    method: 'POST',
    // The load balancer in front of the app appends the address it saw.
    headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
    body: JSON.stringify(body),
  })
  const text = await res.text()
  let parsed: unknown = text
  try {
    parsed = JSON.parse(text)
  } catch {
    // not JSON
  }
  return { status: res.status, body: parsed, retryAfter: res.headers.get('retry-after') }
}

async function register(base: string, email: string, password: string): Promise<number> {
  const res = await post(base, '/register', { email, password }, newIp())
  expect(res.status, `POST /register { email: "${email}", password: "${password}" }: status`).toBe(201)
  return (res.body as { id: number }).id
}

const login = (base: string, email: string, password: string, ip: string) => post(base, '/login', { email, password }, ip)

async function storedHash(email: string): Promise<string> {
  const { rows } = await pgx.pool.query('SELECT password_hash FROM users WHERE email = $1', [email.toLowerCase()])
  expect(rows.length, `rows in users for ${email.toLowerCase()} (emails are stored in lower case)`).toBe(1)
  return rows[0].password_hash
}

const FORMAT = /^\$scrypt\$ln=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/

function expectRetryAfter(res: Res, windowSec: number, what: string) {
  expect(res.status, `${what}: status`).toBe(429)
  expect(res.retryAfter !== null && /^\d+$/.test(res.retryAfter) && Number(res.retryAfter) >= 1 && Number(res.retryAfter) <= windowSec, `${what}: Retry-After header should be whole seconds between 1 and ${windowSec}, got ${JSON.stringify(res.retryAfter)}`).toBe(true)
}

describe('passwords: stored as salted, slow hashes, never as themselves', () => {
  it('registers (400 for a short password, 409 for a taken email) and logs in; the stored hash is scrypt with N ≥ 2^14, r ≥ 8, a 16-byte salt, a 32-byte key — the suite recomputes it', async () => {
    const base = await instance()
    const email = newEmail()
    const password = 'Tr0ub4dor&3-extra'
    const id = await register(base, email, password)
    expect((await post(base, '/register', { email: newEmail(), password: 'short' }, newIp())).status, 'POST /register with the 5-character password "short": status').toBe(400)
    expect((await post(base, '/register', { email: email.toUpperCase(), password: 'another password' }, newIp())).status, `POST /register with ${email.toUpperCase()} after ${email}: status`).toBe(409)
    const ok = await login(base, email.toUpperCase(), password, newIp())
    expect([ok.status, ok.body], `POST /login { email: "${email.toUpperCase()}", the right password }`).toEqual([200, { userId: id }])
    const stored = await storedHash(email)
    const fast = [
      password,
      Buffer.from(password).toString('base64'),
      Buffer.from(password).toString('hex'),
      ...['md5', 'sha1', 'sha256', 'sha512'].flatMap((alg) => [createHash(alg).update(password).digest('hex'), createHash(alg).update(password).digest('base64')]),
    ]
    expect(fast.some((f) => stored.includes(f)), `users.password_hash for password "${password}" is ${JSON.stringify(stored)}: the password itself, or an unsalted fast hash of it, can be read off`).toBe(false)
    const m = FORMAT.exec(stored)
    expect(m, `users.password_hash ${JSON.stringify(stored)} should look like "$scrypt$ln=14,r=8,p=1$<salt base64>$<hash base64>"`).not.toBeNull()
    const [ln, r, p] = [Number(m![1]), Number(m![2]), Number(m![3])]
    const salt = Buffer.from(m![4]!, 'base64')
    const hash = Buffer.from(m![5]!, 'base64')
    expect([ln >= 14, r >= 8, p >= 1], `cost parameters in ${stored}: [ln ≥ 14, r ≥ 8, p ≥ 1]`).toEqual([true, true, true])
    expect([salt.length >= 16, hash.length >= 32], `[salt ≥ 16 bytes, hash ≥ 32 bytes]: salt is ${salt.length} bytes, hash ${hash.length}`).toEqual([true, true])
    const again = scryptSync(password, salt, hash.length, { N: 2 ** ln, r, p, maxmem: 256 * 2 ** ln * r })
    expect(again.equals(hash), `scrypt("${password}", salt, ${hash.length}, { N: 2^${ln}, r: ${r}, p: ${p} }) recomputed by the suite should equal the stored hash`).toBe(true)
  })

  it('two users with the same password get different salts and hashes', async () => {
    const base = await instance()
    const [a, b] = [newEmail(), newEmail()]
    await register(base, a, 'same password 123')
    await register(base, b, 'same password 123')
    const [ha, hb] = [await storedHash(a), await storedHash(b)]
    expect(ha === hb, `password_hash of two users who both chose "same password 123": ${ha} and ${hb} must differ (a random salt per password)`).toBe(false)
    expect(FORMAT.exec(ha)?.[4] === FORMAT.exec(hb)?.[4], 'the salts of those two hashes must differ').toBe(false)
  })

  it('verifyPassword(password, stored): true for the right password, false for a wrong one or a stored value it cannot read', async () => {
    const stored = await attemptAsync('hashPassword("s3cret-pass")', () => hashPassword('s3cret-pass') as Promise<string>)
    expect(await verifyPassword('s3cret-pass', stored), `verifyPassword("s3cret-pass", ${stored})`).toBe(true)
    expect(await verifyPassword('s3cret-pasS', stored), `verifyPassword("s3cret-pasS", hash of "s3cret-pass")`).toBe(false)
    // Hashes made earlier with other cost parameters must keep working: read them from the string.
    const salt = randomBytes(16)
    const other = `$scrypt$ln=13,r=8,p=2$${salt.toString('base64')}$${scryptSync('legacy-pass', salt, 64, { N: 2 ** 13, r: 8, p: 2, maxmem: 64 * 1024 * 1024 }).toString('base64')}`
    expect(await verifyPassword('legacy-pass', other), `verifyPassword("legacy-pass", a hash with ln=13, p=2 and a 64-byte key)`).toBe(true)
    expect(await verifyPassword('legacy-pass!', other), `verifyPassword("legacy-pass!", that hash)`).toBe(false)
    for (const bad of ['', 'legacy-pass', createHash('sha256').update('legacy-pass').digest('hex'), '$scrypt$garbage', '$scrypt$ln=14,r=8,p=1$$']) {
      let result: unknown
      try {
        result = await verifyPassword('legacy-pass', bad)
      } catch (err) {
        result = `threw ${describeThrown(err)}`
      }
      expect(result, `verifyPassword("legacy-pass", ${JSON.stringify(bad)})`).toBe(false)
    }
  })

  it('log-in does not tell whether an email is registered: same answer, and about the same time', async () => {
    const base = await instance()
    const email = newEmail()
    await register(base, email, 'the real password')
    const unknown = await login(base, newEmail(), 'the real password', newIp())
    const wrong = await login(base, email, 'not the password', newIp())
    expect([unknown.status, unknown.body], 'POST /login for an unknown email, compared with a wrong password for a known one').toEqual([wrong.status, wrong.body])
    expect(wrong.status, 'POST /login with a wrong password: status').toBe(401)
    const t = await compareCpuTime(
      6,
      () => login(base, newEmail(), 'whatever password', newIp()),
      () => login(base, email, 'whatever password', newIp()),
    )
    expect(t.a, `median CPU ms of a log-in with an unknown email (${t.a.toFixed(1)}) vs a wrong password (${t.b.toFixed(1)}): an unknown email must cost a hash check too, or the response time tells which emails exist`).toBeGreaterThanOrEqual(t.b * 0.3)
  })
})

describe('password guessing is throttled', () => {
  it('after 5 wrong passwords for one account from one IP, that pair gets 429 with Retry-After — even with the right password', async () => {
    const base = await instance()
    const email = newEmail()
    await register(base, email, 'victim password')
    const attacker = newIp()
    for (let i = 1; i <= 5; i++) expect((await login(base, email, `guess ${i}`, attacker)).status, `wrong password #${i} from ${attacker}: status`).toBe(401)
    expectRetryAfter(await login(base, email, 'guess 6', attacker), 900, `wrong password #6 from ${attacker}`)
    expectRetryAfter(await login(base, email, 'victim password', attacker), 900, `the right password from ${attacker} after 5 failures (blocked: the password is not even checked)`)
  })

  it('the block does not lock out the real user from another IP, nor the same IP from another account', async () => {
    const base = await instance()
    const [victim, other] = [newEmail(), newEmail()]
    const victimId = await register(base, victim, 'victim password')
    const otherId = await register(base, other, 'other password')
    const attacker = newIp()
    for (let i = 1; i <= 6; i++) await login(base, victim, `guess ${i}`, attacker)
    expect((await login(base, victim, 'victim password', attacker)).status, 'the right password from the attacking IP: status (still blocked)').toBe(429)
    const real = await login(base, victim, 'victim password', newIp())
    expect([real.status, real.body], 'the victim logging in from their own IP while the attacker is blocked').toEqual([200, { userId: victimId }])
    const same = await login(base, other, 'other password', attacker)
    expect([same.status, same.body], 'another account logging in from the attacking IP (a shared office NAT)').toEqual([200, { userId: otherId }])
  })

  it('one IP trying many accounts (credential stuffing) is blocked after 20 failures in total', async () => {
    const base = await instance()
    const real = newEmail()
    await register(base, real, 'real password 1')
    const stuffer = newIp()
    const statuses: number[] = []
    for (let i = 0; i < 24; i++) statuses.push((await login(base, newEmail(), 'password123', stuffer)).status)
    expect(statuses, `24 log-ins from ${stuffer}, each for a different unknown email: statuses`).toEqual([...Array(20).fill(401), ...Array(4).fill(429)])
    expectRetryAfter(await login(base, real, 'real password 1', stuffer), 900, `a registered account with the right password from ${stuffer} after 20 failures`)
    expect((await login(base, real, 'real password 1', newIp())).status, 'the same account from another IP: status').toBe(200)
  })

  it('30 concurrent guesses, split over two app instances, get at most 5 password checks', async () => {
    const [a, b] = [await instance(), await instance()]
    const email = newEmail()
    await register(a, email, 'victim password')
    const attacker = newIp()
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => login(i % 2 ? b : a, email, `guess ${i}`, attacker)))
    const counts = { 401: 0, 429: 0, other: 0 }
    for (const r of results) counts[r.status === 401 ? 401 : r.status === 429 ? 429 : 'other']++
    expect(counts[401], `30 concurrent wrong passwords from ${attacker} over two instances: answered 401 (their password was checked); the counter must be taken atomically in Redis, before the check`).toBeLessThanOrEqual(5)
    expect(counts, `statuses of the 30 concurrent guesses`).toEqual({ 401: counts[401], 429: 30 - counts[401], other: 0 })
    expect((await login(b, email, 'victim password', attacker)).status, 'the right password from the attacking IP afterwards').toBe(429)
  })

  it('a successful log-in clears the failures of that account and IP', async () => {
    const base = await instance()
    const email = newEmail()
    await register(base, email, 'my password 42')
    const ip = newIp()
    const statuses: number[] = []
    for (let i = 0; i < 4; i++) statuses.push((await login(base, email, 'typo', ip)).status)
    statuses.push((await login(base, email, 'my password 42', ip)).status)
    for (let i = 0; i < 5; i++) statuses.push((await login(base, email, 'typo', ip)).status)
    statuses.push((await login(base, email, 'typo', ip)).status)
    expect(statuses, '4 typos, the right password, 5 typos, one more typo — from one IP: statuses').toEqual([401, 401, 401, 401, 200, 401, 401, 401, 401, 401, 429])
  })

  it('the IP address is the one the load balancer saw: a forged X-Forwarded-For entry does not reset the count', async () => {
    const base = await instance()
    const email = newEmail()
    await register(base, email, 'victim password')
    const attacker = newIp()
    const statuses: number[] = []
    // The client sends its own X-Forwarded-For; the load balancer appends the real address.
    for (let i = 0; i < 8; i++) statuses.push((await login(base, email, `guess ${i}`, `10.${i}.${i}.${i}, ${attacker}`)).status)
    expect(statuses, `8 wrong passwords from ${attacker}, each with a different forged address before it in X-Forwarded-For: statuses`).toEqual([401, 401, 401, 401, 401, 429, 429, 429])
  })

  it('the block ends when the window does, and the counters in Redis expire', async () => {
    const base = await instance({ windowSec: 1 })
    const email = newEmail()
    const id = await register(base, email, 'patient password')
    const ip = newIp()
    for (let i = 0; i < 5; i++) await login(base, email, 'wrong', ip)
    expectRetryAfter(await login(base, email, 'patient password', ip), 1, 'the right password after 5 failures, windowSec 1')
    const raw = redis.raw()
    const keys = await raw.keys(`${redis.prefix}*`)
    expect(keys.length, 'keys in Redis after failed log-ins (the counters must live there, shared by instances)').toBeGreaterThan(0)
    for (const key of keys) {
      const ttl = await raw.pttl(key)
      // -2: the 1 s window already ran out between KEYS and PTTL (a slow machine): it did expire.
      expect(ttl === -2 || (ttl > 0 && ttl <= 900_000), `PTTL of ${key.slice(redis.prefix.length)}: ${ttl} ms (-1: it never expires)`).toBe(true)
    }
    await sleep(1300)
    const later = await login(base, email, 'patient password', ip)
    expect([later.status, later.body], 'the right password 1.3 s later, windowSec 1').toEqual([200, { userId: id }])
  })

  it('the window starts with the first failure: later failures do not push the expiry of the counters back', async () => {
    const windowSec = 3
    const pause = 1500
    const base = await instance({ windowSec })
    const email = newEmail()
    const id = await register(base, email, 'steady password')
    const ip = newIp()
    const raw = redis.raw()
    const allKeys = async () => new Set(await raw.keys(`${redis.prefix}*`))
    const before = await allKeys()

    expect((await login(base, email, 'wrong 1', ip)).status, `wrong password #1 from ${ip}: status`).toBe(401)
    // The window of these counters started no later than this instant.
    const first = Date.now()
    const counters = [...(await allKeys())].filter((k) => !before.has(k))
    expect(counters.length, 'new keys in Redis after the first failed log-in of a new email from a new IP (the failure counters)').toBeGreaterThan(0)

    await sleep(pause)
    expect((await login(base, email, 'wrong 2', ip)).status, `wrong password #2 from ${ip}, ${pause} ms after the first: status`).toBe(401)
    // Read every TTL in one round trip: what is left can only have shrunk since the first failure.
    const readAt = Date.now()
    const ttls = ((await counters.reduce((p, k) => p.pttl(k), raw.pipeline()).exec()) ?? []).map(([, v]) => v as number)
    for (const [i, key] of counters.entries()) {
      const ttl = ttls[i]!
      if (ttl === -2) continue // deleted: nothing left to remember
      const most = windowSec * 1000 - (readAt - first)
      expect(ttl, `PTTL of ${key.slice(redis.prefix.length)} right after a second failure ${readAt - first} ms after the first (windowSec ${windowSec}): ${ttl} ms left, but a window that started with the first failure has at most ${most} ms left. Set the expiry only when the counter is created (EXPIRE key windowSec NX in the same MULTI), not again on every failure`).toBeLessThanOrEqual(most + 25)
    }

    for (let i = 3; i <= 5; i++) await login(base, email, `wrong ${i}`, ip)
    expectRetryAfter(await login(base, email, 'steady password', ip), windowSec, `the right password after 5 failures, windowSec ${windowSec}`)
    await sleep(Math.max(0, first + windowSec * 1000 + 250 - Date.now()))
    const later = await login(base, email, 'steady password', ip)
    expect([later.status, later.body], `the right password ${Date.now() - first} ms after the first failure, windowSec ${windowSec} (the block must lift ${windowSec} s after the first failure, however many came later)`).toEqual([200, { userId: id }])
  })
})
