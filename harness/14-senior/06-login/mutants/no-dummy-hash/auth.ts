// Sign-up and log-in done safely: passwords stored as salted scrypt hashes, log-in
// attempts throttled in Redis per account+IP and per IP, no way to tell unknown emails apart.
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto'
import express, { type Express, type Request } from 'express'
import type { Redis } from 'ioredis'
import type pg from 'pg'

export interface Limits {
  /** Failed attempts for one email from one IP before that pair is blocked. */
  maxFailuresPerAccountIp: number
  /** Failed attempts from one IP, over all emails, before the IP is blocked. */
  maxFailuresPerIp: number
  /** How long failures are remembered (and a block lasts), from the first failure. */
  windowSec: number
}

export interface Deps {
  db: Pick<pg.Pool, 'query'>
  redis: Redis
  limits?: Partial<Limits>
}

const DEFAULT_LIMITS: Limits = { maxFailuresPerAccountIp: 5, maxFailuresPerIp: 20, windowSec: 900 }

const LN = 14
const R = 8
const P = 1
const SALT_BYTES = 16
const KEY_BYTES = 32

const scrypt = (password: string, salt: Buffer, keylen: number, opts: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) => scryptCb(password, salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key))))

// 128 × N × r bytes, with room to spare.
const maxmem = (n: number, r: number) => 256 * n * r

/** `$scrypt$ln=14,r=8,p=1$<salt>$<hash>` (base64): everything needed to check it later. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES)
  const hash = await scrypt(password, salt, KEY_BYTES, { N: 2 ** LN, r: R, p: P, maxmem: maxmem(2 ** LN, R) })
  return `$scrypt$ln=${LN},r=${R},p=${P}$${salt.toString('base64')}$${hash.toString('base64')}`
}

const FORMAT = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,3}),p=(\d{1,3})\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/

/** Checks a password against a stored hash, with the parameters the hash itself names. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const m = FORMAT.exec(stored)
  if (!m) return false
  const [ln, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])]
  if (ln < 1 || ln > 20 || r < 1 || p < 1) return false
  const salt = Buffer.from(m[4]!, 'base64')
  const expected = Buffer.from(m[5]!, 'base64')
  if (!expected.length) return false
  const actual = await scrypt(password, salt, expected.length, { N: 2 ** ln, r, p, maxmem: maxmem(2 ** ln, r) }).catch(() => undefined)
  // Constant-time comparison: how many bytes matched must not show in the timing.
  return actual !== undefined && timingSafeEqual(actual, expected)
}

// Verified when the email is unknown, so that answer takes as long as a wrong password.
const DUMMY_HASH = hashPassword(randomBytes(16).toString('hex'))

/** DECR the IP counter only while it exists (an expired key must not come back without a TTL). */
const REFUND = "if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('DECR', KEYS[1]) end redis.call('DEL', KEYS[2]) return 1"

const normalize = (email: unknown) => (typeof email === 'string' ? email.trim().toLowerCase() : '')

export function createApp({ db, redis, limits = {} }: Deps): Express {
  const { maxFailuresPerAccountIp, maxFailuresPerIp, windowSec } = { ...DEFAULT_LIMITS, ...limits }
  const app = express()
  // One proxy (the load balancer) in front: req.ip is the address it saw, not what the client claims.
  app.set('trust proxy', 1)
  app.use(express.json())

  app.post('/register', async (req, res) => {
    const email = normalize(req.body?.email)
    const password = req.body?.password
    if (!email.includes('@') || typeof password !== 'string' || password.length < 8 || password.length > 256) {
      return void res.status(400).json({ error: 'an email and a password of 8 to 256 characters are required' })
    }
    try {
      const { rows } = await db.query<{ id: number }>('INSERT INTO users (email, password_hash) VALUES ($1, $2) RETURNING id', [email, await hashPassword(password)])
      res.status(201).json({ id: rows[0]!.id })
    } catch (err) {
      if ((err as { code?: string }).code === '23505') return void res.status(409).json({ error: 'email already registered' })
      throw err
    }
  })

  /** Takes one attempt from a counter; the answer is how long to wait when none are left. */
  async function take(key: string, max: number): Promise<number | undefined> {
    const [[, count], , [, pttl]] = (await redis.multi().incr(key).expire(key, windowSec, 'NX').pttl(key).exec()) as [[null, number], unknown, [null, number]]
    return count > max ? Math.max(1, Math.ceil(pttl / 1000)) : undefined
  }

  app.post('/login', async (req: Request, res) => {
    const email = normalize(req.body?.email)
    const password = typeof req.body?.password === 'string' ? req.body.password : ''
    const ip = req.ip ?? 'unknown'
    const ipKey = `login:ip:${ip}`
    const pairKey = `login:pair:${ip}:${email}`
    // Count the attempt before checking the password: concurrent guesses cannot slip past.
    const wait = Math.max((await take(ipKey, maxFailuresPerIp)) ?? 0, (await take(pairKey, maxFailuresPerAccountIp)) ?? 0)
    if (wait) {
      res.setHeader('Retry-After', String(wait))
      return void res.status(429).json({ error: 'too many attempts, try again later' })
    }
    const { rows } = await db.query<{ id: number; password_hash: string }>('SELECT id, password_hash FROM users WHERE email = $1', [email])
    const user = rows[0]
    const ok = user !== undefined && (await verifyPassword(password, user.password_hash))
    if (!user || !ok) return void res.status(401).json({ error: 'invalid email or password' })
    // A success was not a failure: give the attempt back and forget this pair's failures.
    await redis.eval(REFUND, 2, ipKey, pairKey)
    res.json({ userId: user.id })
  })

  return app
}
