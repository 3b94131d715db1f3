import { createHash, createHmac } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import request from 'supertest'
import { describe, expect, it } from 'vitest'
import { manualClock } from '#support/http'
import { launchApp, onGoTrack } from '#support/launch'
import { usePostgres } from '#support/postgres'

type Role = 'user' | 'admin'
interface UserRecord {
  id: string
  email: string
  passwordHash: string
  role: Role
  createdAt: string
}

const SECRET = 'test-secret-9f8e7d'
const TTL = 900
const PASSWORD = 'correct horse battery'

// The TypeScript track hands the app an in-memory store; the Go track's program keeps its users
// in PostgreSQL, in a table this suite creates (the DDL of the Go statement).
const goTrack = onGoTrack()
const pg = goTrack ? usePostgres() : undefined
const USERS_DDL = `
  DROP TABLE IF EXISTS users;
  CREATE TABLE users (
    id            text PRIMARY KEY DEFAULT gen_random_uuid()::text,
    email         text NOT NULL,
    password_hash text NOT NULL,
    role          text NOT NULL CHECK (role IN ('user', 'admin')),
    created_at    timestamptz NOT NULL
  );
  CREATE UNIQUE INDEX users_email_key ON users (lower(email));`

/** The users table, as a repository with a UNIQUE(email) constraint; the suite reads it directly. */
function userStore() {
  const rows = new Map<string, UserRecord>()
  const tick = () => new Promise<void>((resolve) => setImmediate(resolve)) // real async, so races are real
  return {
    rows,
    async insert(user: UserRecord) {
      await tick()
      if ([...rows.values()].some((u) => u.email.toLowerCase() === user.email.toLowerCase())) {
        throw Object.assign(new Error('duplicate key value violates unique constraint "users_email_key"'), { code: 'duplicate' })
      }
      rows.set(user.id, { ...user })
    },
    async findByEmail(email: string) {
      await tick()
      const u = [...rows.values()].find((r) => r.email.toLowerCase() === email.toLowerCase())
      return u && { ...u }
    },
    async findById(id: string) {
      await tick()
      const u = rows.get(id)
      return u && { ...u }
    },
    async list() {
      await tick()
      return [...rows.values()].map((u) => ({ ...u }))
    },
    async update(id: string, changes: Partial<Omit<UserRecord, 'id'>>) {
      await tick()
      const u = rows.get(id)
      if (!u) return undefined
      const next = { ...u, ...changes, id }
      rows.set(id, next)
      return { ...next }
    },
  }
}

/** What the tests read and change of the stored users, wherever the app keeps them. */
interface UsersView {
  get(id: string): Promise<UserRecord | undefined>
  all(): Promise<UserRecord[]>
  count(): Promise<number>
  delete(id: string): Promise<void>
  /**
   * Runs `send` (concurrent registrations of one email) so that all of them look the email up
   * before any of them inserts it: a "look up, then insert" check sees it free every time.
   */
  race<T>(n: number, send: () => Promise<T>): Promise<T>
}

function memoryView(store: ReturnType<typeof userStore>): UsersView {
  return {
    get: async (id) => store.rows.get(id),
    all: async () => [...store.rows.values()],
    count: async () => store.rows.size,
    delete: async (id) => void store.rows.delete(id),
    async race(n, send) {
      // A lookup of the email is held until all n requests have looked it up (or 1.5 s passed).
      const findByEmail = store.findByEmail.bind(store)
      let lookups = 0
      let allLooked!: () => void
      const barrier = new Promise<void>((resolve) => (allLooked = resolve))
      store.findByEmail = async (email: string) => {
        if (++lookups === n) allLooked()
        await Promise.race([barrier, sleep(1500)])
        return findByEmail(email)
      }
      return send()
    },
  }
}

const SELECT_USER = `SELECT id, email, password_hash AS "passwordHash", role, created_at AS "createdAt" FROM users`
const asRecord = (r: Record<string, unknown>): UserRecord => ({ ...(r as unknown as UserRecord), createdAt: (r.createdAt as Date).toISOString() })

function sqlView(db: NonNullable<typeof pg>): UsersView {
  return {
    get: async (id) => (await db.pool.query(`${SELECT_USER} WHERE id = $1`, [id])).rows.map(asRecord)[0],
    all: async () => (await db.pool.query(SELECT_USER)).rows.map(asRecord),
    count: async () => Number((await db.pool.query('SELECT count(*) AS n FROM users')).rows[0].n),
    delete: async (id) => void (await db.pool.query('DELETE FROM users WHERE id = $1', [id])),
    async race(n, send) {
      // The suite holds the table in EXCLUSIVE mode: reads still run, every INSERT waits. Once the
      // n inserts wait (or their number stays put for 0.5 s: a pool smaller than n), it lets go.
      const lock = await db.pool.connect()
      let committed = false
      try {
        await lock.query('BEGIN')
        await lock.query('LOCK TABLE users IN EXCLUSIVE MODE')
        const pending = send().then(
          (value) => ({ value }),
          (error: unknown) => ({ error }),
        )
        const deadline = Date.now() + 5000
        let last = -1
        let since = Date.now()
        while (Date.now() < deadline) {
          const { rows } = await lock.query(
            `SELECT count(*) AS n FROM pg_locks
              WHERE relation = 'users'::regclass AND NOT granted
                AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
          )
          const waiting = Number(rows[0].n)
          if (waiting >= n) break
          if (waiting !== last) [last, since] = [waiting, Date.now()]
          else if (waiting >= 2 && Date.now() - since > 500) break
          await sleep(10)
        }
        await lock.query('COMMIT')
        committed = true
        const outcome = await pending
        if ('error' in outcome) throw outcome.error
        return outcome.value
      } finally {
        lock.release(!committed) // a connection still inside the locking transaction is closed, not reused
      }
    },
  }
}

async function setup(adminEmails: string[] = ['root@example.com']) {
  const clock = manualClock(Date.UTC(2030, 0, 1, 12, 0, 0))
  const store = userStore()
  if (pg) await pg.pool.query(USERS_DDL)
  const users = pg ? sqlView(pg) : memoryView(store)
  const env = pg && { DATABASE_URL: pg.url, JWT_SECRET: SECRET, TOKEN_TTL_SEC: String(TTL), ADMIN_EMAILS: adminEmails.join(', ') }
  const app = await launchApp(
    clock,
    async () => (await import('@kata/http/auth-api')).createApp({ users: store, secret: SECRET, tokenTtlSec: TTL, adminEmails, now: clock.now }),
    { env },
  )
  const register = async (email: string, password = PASSWORD) => {
    const res = await request(app).post('/auth/register').send({ email, password })
    expect(res.status, `POST /auth/register ${email}: status`).toBe(201)
    return res.body as { id: string; email: string; role: Role }
  }
  const login = async (email: string, password = PASSWORD) => {
    const res = await request(app).post('/auth/login').send({ email, password })
    expect(res.status, `POST /auth/login ${email}: status`).toBe(200)
    return res.body.token as string
  }
  return { app, users, clock, register, login }
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url')
const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'))
const hs256 = (header: object, payload: object, secret = SECRET) => {
  const data = `${b64(header)}.${b64(payload)}`
  return `${data}.${createHmac('sha256', secret).update(data).digest('base64url')}`
}
const me = (app: unknown, auth?: string) => {
  const r = request(app as never).get('/me')
  return auth === undefined ? r : r.set('Authorization', auth)
}

function expect401(res: request.Response, what: string) {
  expect(res.status, `${what}: status`).toBe(401)
  expect(res.body, `${what}: body`).toEqual({ error: 'unauthorized' })
  expect(res.headers['www-authenticate'], `${what}: WWW-Authenticate`).toMatch(/^Bearer/)
}

describe('step 1: register, storing only a password hash', () => {
  it('POST /auth/register → 201 { id, email, role } with the email normalized, and no password or hash in the answer', async () => {
    const { app, users, clock } = await setup()
    const res = await request(app).post('/auth/register').send({ email: '  Ada@Example.COM ', password: PASSWORD })
    expect(res.status, 'POST /auth/register').toBe(201)
    expect(res.body, 'POST /auth/register: body').toEqual({ id: expect.any(String), email: 'ada@example.com', role: 'user' })
    expect(res.text, 'the answer must not contain the password').not.toContain(PASSWORD)
    const stored = await users.get(res.body.id)
    expect(stored, 'the stored record (looked up by the returned id)').toBeDefined()
    expect(stored, 'the stored record').toMatchObject({ id: res.body.id, email: 'ada@example.com', role: 'user', createdAt: new Date(clock.now()).toISOString() })
  })

  it('stores a salted hash, never the password: not plain, not an unsalted digest, different for equal passwords', async () => {
    const { users, register } = await setup()
    const a = await register('a@example.com')
    const b = await register('b@example.com')
    const ha = (await users.get(a.id))!.passwordHash
    const hb = (await users.get(b.id))!.passwordHash
    expect(typeof ha, 'passwordHash type').toBe('string')
    expect(ha.length, 'passwordHash length').toBeGreaterThanOrEqual(20)
    expect(ha, 'passwordHash must not contain the password').not.toContain(PASSWORD)
    for (const algo of ['md5', 'sha1', 'sha256', 'sha512']) {
      for (const enc of ['hex', 'base64', 'base64url'] as const) {
        expect(ha.includes(createHash(algo).update(PASSWORD).digest(enc)), `passwordHash contains the unsalted ${algo} (${enc}) of the password`).toBe(false)
      }
    }
    expect(ha, 'two users with the same password must get different hashes (a random salt)').not.toBe(hb)
    const record = JSON.stringify(await users.all())
    expect(record, 'no stored field may hold the password').not.toContain(PASSWORD)
  })

  it('gives the admin role to the configured admin emails (case-insensitively)', async () => {
    const { register } = await setup(['ops@example.com', 'Root@Example.com'])
    expect((await register('ROOT@example.com')).role, 'role of ROOT@example.com with adminEmails ["ops@example.com", "Root@Example.com"]').toBe('admin')
    expect((await register('someone@example.com')).role, 'role of someone@example.com').toBe('user')
  })

  it('409 {"error":"email_taken"} for an email already registered, in any case', async () => {
    const { app, users, register } = await setup()
    await register('ada@example.com')
    const res = await request(app).post('/auth/register').send({ email: 'ADA@example.com', password: 'another password' })
    expect(res.status, 'POST /auth/register ADA@example.com after ada@example.com').toBe(409)
    expect(res.body, 'body').toEqual({ error: 'email_taken' })
    expect(await users.count(), 'users stored').toBe(1)
  })

  it('lets exactly one of 5 concurrent registrations of the same email win; the others get 409', async () => {
    const { app, users } = await setup()
    // Forced interleaving (see UsersView.race): all 5 requests look the email up before any of them
    // inserts it, so a "look up, then insert" check always sees the email free 5 times.
    const results = await users.race(5, () =>
      Promise.all(Array.from({ length: 5 }, (_, i) => request(app).post('/auth/register').send({ email: 'race@example.com', password: `password-${i}` }))),
    )
    const statuses = results.map((r) => r.status).sort()
    const why = goTrack
      ? 'the suite held the inserts back until all 5 requests had reached theirs, so any lookup saw the email free 5 times. ' +
        'PostgreSQL rejects the duplicates with a unique violation (SQLSTATE 23505): map that error to 409 (a lookup first cannot prevent the race)'
      : 'all 5 looked the email up before any inserted it. ' +
        'The store rejects the duplicates with code "duplicate": map that rejection to 409 (a lookup first cannot prevent the race)'
    expect(statuses, `statuses of 5 concurrent POST /auth/register race@example.com: ${why}`).toEqual([201, 409, 409, 409, 409])
    expect(await users.count(), 'users stored').toBe(1)
  })

  it('accepts passwords of 8 and of 72 characters', async () => {
    const { register } = await setup()
    await register('eight@example.com', 'p'.repeat(8))
    await register('seventy-two@example.com', 'p'.repeat(72))
    // Characters, not bytes: 72 Cyrillic letters are 144 bytes of UTF-8.
    await register('cyrillic@example.com', 'п'.repeat(72))
  })

  it.each([
    [{ password: PASSWORD }, { email: 'required' }],
    [{ email: 'not-an-email', password: PASSWORD }, { email: 'format' }],
    [{ email: 'ada@example.com', password: 'short' }, { password: 'length' }],
    [{ email: 'ada@example.com', password: 'x'.repeat(73) }, { password: 'length' }],
    [{ email: 42, password: 12345678 }, { email: 'type', password: 'type' }],
  ])('400 validation for %j → fields %j, nothing stored', async (body, fields) => {
    const { app, users } = await setup()
    const res = await request(app).post('/auth/register').send(body)
    expect(res.status, `POST /auth/register ${JSON.stringify(body)}`).toBe(400)
    expect(res.body, 'body').toEqual({ error: 'validation', fields })
    expect(await users.count(), 'users stored').toBe(0)
  })
})

describe('step 2: login and signed tokens', () => {
  it('POST /auth/login → 200 { token, tokenType: "Bearer", expiresIn } with an HS256 JWT signed with the secret', async () => {
    const { app, clock, register } = await setup()
    const user = await register('ada@example.com')
    const res = await request(app).post('/auth/login').send({ email: 'Ada@Example.com', password: PASSWORD })
    expect(res.status, 'POST /auth/login with the right password (email in another case)').toBe(200)
    expect(res.body, 'POST /auth/login: body').toEqual({ token: expect.any(String), tokenType: 'Bearer', expiresIn: TTL })
    expect(res.body.token, 'the token (base64url without "=" padding)').toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/)
    const parts = res.body.token.split('.')
    expect(parts, 'the token has three dot-separated parts').toHaveLength(3)
    const [h, p, s] = parts as [string, string, string]
    expect(decode(h), 'the JWT header').toMatchObject({ alg: 'HS256', typ: 'JWT' })
    const iat = Math.floor(clock.now() / 1000)
    expect(decode(p), 'the JWT payload').toMatchObject({ sub: user.id, iat, exp: iat + TTL })
    expect(s, 'the JWT signature = base64url(HMAC-SHA256(secret, header.payload))').toBe(createHmac('sha256', SECRET).update(`${h}.${p}`).digest('base64url'))
  })

  it('401 {"error":"invalid_credentials"} for a wrong password or an unknown email — the same answer for both', async () => {
    const { app, register } = await setup()
    await register('ada@example.com')
    const wrong = await request(app).post('/auth/login').send({ email: 'ada@example.com', password: 'wrong password' })
    const unknown = await request(app).post('/auth/login').send({ email: 'nobody@example.com', password: PASSWORD })
    for (const [what, res] of [
      ['a wrong password', wrong],
      ['an unknown email', unknown],
    ] as const) {
      expect(res.status, `POST /auth/login with ${what}`).toBe(401)
      expect(res.body, `POST /auth/login with ${what}: body`).toEqual({ error: 'invalid_credentials' })
    }
  })

  it('GET /me with the token → 200 { id, email, role }', async () => {
    const { app, register, login } = await setup()
    const user = await register('ada@example.com')
    const res = await me(app, `Bearer ${await login('ada@example.com')}`)
    expect(res.status, 'GET /me with a fresh token').toBe(200)
    expect(res.body, 'GET /me: body').toEqual(user)
  })

  it('accepts any HS256 JWT signed with the secret (not only the exact string it issued)', async () => {
    const { app, clock, register } = await setup()
    const user = await register('ada@example.com')
    const iat = Math.floor(clock.now() / 1000)
    const token = hs256({ typ: 'JWT', alg: 'HS256' }, { sub: user.id, iat, exp: iat + 60 })
    expect((await me(app, `Bearer ${token}`)).status, 'GET /me with a token the suite signed with the secret').toBe(200)
  })

  it('401 + WWW-Authenticate: Bearer without a usable token', async () => {
    const { app, register, login } = await setup()
    await register('ada@example.com')
    const token = await login('ada@example.com')
    expect401(await me(app), 'GET /me without Authorization')
    expect401(await me(app, `Basic ${Buffer.from('ada@example.com:x').toString('base64')}`), 'GET /me with Basic auth')
    expect401(await me(app, 'Bearer not.a.jwt'), 'GET /me with Bearer not.a.jwt')
    expect401(await me(app, `Bearer ${token}x`), 'GET /me with a token whose signature was changed')
    expect401(await me(app, token), 'GET /me with the token but without "Bearer "')
  })

  it('401 for a forged token: another secret, a tampered payload, or alg "none"', async () => {
    const { app, clock, register, login } = await setup()
    const ada = await register('ada@example.com')
    const eve = await register('eve@example.com')
    const token = await login('eve@example.com')
    const iat = Math.floor(clock.now() / 1000)
    const [h, , s] = token.split('.') as [string, string, string]
    expect401(await me(app, `Bearer ${hs256({ alg: 'HS256', typ: 'JWT' }, { sub: ada.id, iat, exp: iat + 60 }, 'guessed-secret')}`), 'a token for Ada signed with another secret')
    expect401(await me(app, `Bearer ${h}.${b64({ sub: ada.id, iat, exp: iat + TTL })}.${s}`), "Eve's token with its payload changed to Ada's id")
    expect401(await me(app, `Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: ada.id, iat, exp: iat + 60 })}.`), 'an unsigned token with alg "none"')
    expect((await me(app, `Bearer ${token}`)).body.id, "Eve's real token still identifies Eve").toBe(eve.id)
  })

  it('401 once the token has expired (at exp, measured with now())', async () => {
    const { app, clock, register, login } = await setup()
    await register('ada@example.com')
    const token = await login('ada@example.com')
    clock.advance((TTL - 1) * 1000)
    expect((await me(app, `Bearer ${token}`)).status, `GET /me ${TTL - 1} s after login (ttl ${TTL} s)`).toBe(200)
    clock.advance(1000)
    expect401(await me(app, `Bearer ${token}`), `GET /me ${TTL} s after login (ttl ${TTL} s)`)
  })

  it('401 for a valid token of a user that no longer exists', async () => {
    const { app, users, register, login } = await setup()
    const user = await register('ada@example.com')
    const token = await login('ada@example.com')
    await users.delete(user.id)
    expect401(await me(app, `Bearer ${token}`), 'GET /me after the user was deleted from the store')
  })
})

describe('step 3: roles — 401 (who are you?) vs 403 (you may not)', () => {
  it('GET /admin/users: 401 without a token, 403 {"error":"forbidden"} for a user, 200 for an admin', async () => {
    const { app, register, login } = await setup()
    const root = await register('root@example.com')
    const ada = await register('ada@example.com')
    expect401(await request(app).get('/admin/users'), 'GET /admin/users without a token')
    const asUser = await request(app).get('/admin/users').set('Authorization', `Bearer ${await login('ada@example.com')}`)
    expect(asUser.status, 'GET /admin/users as a user').toBe(403)
    expect(asUser.body, 'GET /admin/users as a user: body').toEqual({ error: 'forbidden' })
    const asAdmin = await request(app).get('/admin/users').set('Authorization', `Bearer ${await login('root@example.com')}`)
    expect(asAdmin.status, 'GET /admin/users as an admin').toBe(200)
    const items = (asAdmin.body.items as { id: string }[]).slice().sort((a, b) => a.id.localeCompare(b.id))
    const expected = [root, ada].map((u) => ({ ...u, createdAt: expect.any(String) })).sort((a, b) => a.id.localeCompare(b.id))
    expect(items, 'GET /admin/users: items (no password hashes)').toEqual(expected)
    expect(asAdmin.text, 'GET /admin/users must not expose hashes').not.toMatch(/passwordHash|scrypt|argon|bcrypt/i)
  })

  it('PATCH /admin/users/:id { role } lets an admin promote or demote; 400 for an unknown role, 404 for an unknown user', async () => {
    const { app, users, register, login } = await setup()
    await register('root@example.com')
    const ada = await register('ada@example.com')
    const auth = `Bearer ${await login('root@example.com')}`
    const res = await request(app).patch(`/admin/users/${ada.id}`).set('Authorization', auth).send({ role: 'admin' })
    expect(res.status, 'PATCH /admin/users/:ada {"role":"admin"} as admin').toBe(200)
    expect(res.body, 'body').toEqual({ ...ada, role: 'admin' })
    expect((await users.get(ada.id))?.role, "Ada's role in the store").toBe('admin')
    const bad = await request(app).patch(`/admin/users/${ada.id}`).set('Authorization', auth).send({ role: 'superuser' })
    expect(bad.status, 'PATCH {"role":"superuser"}').toBe(400)
    expect(bad.body, 'PATCH {"role":"superuser"}: body').toEqual({ error: 'validation', fields: { role: 'format' } })
    const missing = await request(app).patch('/admin/users/no-such-user').set('Authorization', auth).send({ role: 'user' })
    expect(missing.status, 'PATCH /admin/users/no-such-user').toBe(404)
  })

  it('403 for a user who tries to promote themselves, and nothing changes', async () => {
    const { app, users, register, login } = await setup()
    const ada = await register('ada@example.com')
    const res = await request(app).patch(`/admin/users/${ada.id}`).set('Authorization', `Bearer ${await login('ada@example.com')}`).send({ role: 'admin' })
    expect(res.status, 'PATCH /admin/users/:self {"role":"admin"} as a user').toBe(403)
    expect((await users.get(ada.id))?.role, "Ada's role in the store").toBe('user')
  })

  it('checks the current role on every request: a demotion or promotion applies to tokens already issued', async () => {
    const { app, register, login } = await setup()
    await register('root@example.com')
    const ada = await register('ada@example.com')
    const rootAuth = `Bearer ${await login('root@example.com')}`
    const adaAuth = `Bearer ${await login('ada@example.com')}`
    await request(app).patch(`/admin/users/${ada.id}`).set('Authorization', rootAuth).send({ role: 'admin' })
    expect((await request(app).get('/admin/users').set('Authorization', adaAuth)).status, "Ada's old token after her promotion").toBe(200)
    await request(app).patch(`/admin/users/${ada.id}`).set('Authorization', rootAuth).send({ role: 'user' })
    expect((await request(app).get('/admin/users').set('Authorization', adaAuth)).status, "Ada's old token after her demotion").toBe(403)
  })
})
