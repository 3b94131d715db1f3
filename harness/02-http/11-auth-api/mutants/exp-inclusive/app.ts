import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http'
import { createHmac, randomBytes, randomUUID, scrypt, timingSafeEqual } from 'node:crypto'
import { promisify } from 'node:util'

export type Role = 'user' | 'admin'

export interface UserRecord {
  id: string
  email: string
  passwordHash: string
  role: Role
  createdAt: string
}

/** The users table. The suite passes its own and inspects what you store. */
export interface UserStore {
  /** Rejects with an error whose `code` is 'duplicate' when the email is taken (a UNIQUE constraint). */
  insert(user: UserRecord): Promise<void>
  findByEmail(email: string): Promise<UserRecord | undefined>
  findById(id: string): Promise<UserRecord | undefined>
  list(): Promise<UserRecord[]>
  update(id: string, changes: Partial<Omit<UserRecord, 'id'>>): Promise<UserRecord | undefined>
}

export interface AppOptions {
  users: UserStore
  /** The HMAC key that signs tokens. */
  secret: string
  /** Token lifetime in seconds (default 900). */
  tokenTtlSec?: number
  /** Emails that register as admins. */
  adminEmails?: string[]
  /** The clock in ms (default Date.now). */
  now?: () => number
}

const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, keylen: number) => Promise<Buffer>
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(String(body.error))
  }
}

const unauthorized = () => new HttpError(401, { error: 'unauthorized' }, { 'WWW-Authenticate': 'Bearer' })

export function createApp({ users, secret, tokenTtlSec = 900, adminEmails = [], now = Date.now }: AppOptions): RequestListener {
  const admins = new Set(adminEmails.map((e) => e.trim().toLowerCase()))

  return (req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (err instanceof HttpError) {
        for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v)
        send(res, err.status, err.body)
      } else send(res, 500, { error: 'internal' })
    })
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const path = new URL(req.url ?? '/', 'http://local').pathname
    const route = `${req.method} ${path}`

    if (route === 'POST /auth/register') {
      const { email, password } = credentials(await readJson(req))
      const user: UserRecord = {
        id: randomUUID(),
        email,
        passwordHash: await hashPassword(password),
        role: admins.has(email) ? 'admin' : 'user',
        createdAt: new Date(now()).toISOString(),
      }
      try {
        // No "check, then insert": the store's unique constraint decides, race-free.
        await users.insert(user)
      } catch (err) {
        if ((err as { code?: unknown }).code === 'duplicate') throw new HttpError(409, { error: 'email_taken' })
        throw err
      }
      return send(res, 201, publicUser(user))
    }

    if (route === 'POST /auth/login') {
      const body = await readJson(req)
      const email = typeof body.email === 'string' ? body.email.trim().toLowerCase() : ''
      const password = typeof body.password === 'string' ? body.password : ''
      const user = email ? await users.findByEmail(email) : undefined
      // Same answer for "no such user" and "wrong password": do not reveal which emails exist.
      if (!user || !(await verifyPassword(password, user.passwordHash))) throw new HttpError(401, { error: 'invalid_credentials' })
      const iat = Math.floor(now() / 1000)
      const token = sign({ sub: user.id, iat, exp: iat + tokenTtlSec }, secret)
      return send(res, 200, { token, tokenType: 'Bearer', expiresIn: tokenTtlSec })
    }

    if (route === 'GET /me') return send(res, 200, publicUser(await authenticate(req)))

    if (route === 'GET /admin/users') {
      await authorize(req, 'admin')
      return send(res, 200, { items: (await users.list()).map((u) => ({ ...publicUser(u), createdAt: u.createdAt })) })
    }

    const roleRoute = /^\/admin\/users\/([^/]+)$/.exec(path)
    if (req.method === 'PATCH' && roleRoute) {
      await authorize(req, 'admin')
      const { role } = await readJson(req)
      if (role !== 'user' && role !== 'admin') throw new HttpError(400, { error: 'validation', fields: { role: 'format' } })
      const updated = await users.update(decodeURIComponent(roleRoute[1]!), { role })
      if (!updated) throw new HttpError(404, { error: 'not_found' })
      return send(res, 200, publicUser(updated))
    }

    throw new HttpError(404, { error: 'not_found' })
  }

  /** Who is calling: a valid, unexpired token of a user that still exists. Else 401. */
  async function authenticate(req: IncomingMessage): Promise<UserRecord> {
    const match = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')
    const claims = match ? verify(match[1]!, secret) : undefined
    if (!claims || claims.exp < Math.floor(now() / 1000)) throw unauthorized()
    const user = await users.findById(claims.sub)
    if (!user) throw unauthorized()
    return user
  }

  /** Known caller (else 401) with the role (else 403). The role is read fresh from the store. */
  async function authorize(req: IncomingMessage, role: Role): Promise<UserRecord> {
    const user = await authenticate(req)
    if (user.role !== role) throw new HttpError(403, { error: 'forbidden' })
    return user
  }
}

function credentials(body: Record<string, unknown>): { email: string; password: string } {
  const fields: Record<string, string> = {}
  const { email, password } = body
  if (email === undefined || email === null) fields.email = 'required'
  else if (typeof email !== 'string') fields.email = 'type'
  else if (!EMAIL.test(email.trim())) fields.email = 'format'
  if (password === undefined || password === null) fields.password = 'required'
  else if (typeof password !== 'string') fields.password = 'type'
  else if (password.length < 8 || password.length > 72) fields.password = 'length'
  if (Object.keys(fields).length) throw new HttpError(400, { error: 'validation', fields })
  return { email: (email as string).trim().toLowerCase(), password: password as string }
}

const publicUser = (u: UserRecord) => ({ id: u.id, email: u.email, role: u.role })

// scrypt is deliberately slow and memory-hard; the random salt makes equal passwords hash differently.
async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16)
  const hash = await scryptAsync(password, salt, 32)
  return `scrypt$${salt.toString('base64')}$${hash.toString('base64')}`
}

async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, salt, hash] = stored.split('$')
  if (scheme !== 'scrypt' || !salt || !hash) return false
  const expected = Buffer.from(hash, 'base64')
  const actual = await scryptAsync(password, Buffer.from(salt, 'base64'), expected.length)
  return timingSafeEqual(actual, expected)
}

interface Claims {
  sub: string
  iat: number
  exp: number
}

const b64url = (data: string | Buffer) => Buffer.from(data).toString('base64url')
const HEADER = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))

/** A JWT signed with HMAC-SHA256 (HS256). */
function sign(claims: Claims, secret: string): string {
  const payload = b64url(JSON.stringify(claims))
  const signature = createHmac('sha256', secret).update(`${HEADER}.${payload}`).digest('base64url')
  return `${HEADER}.${payload}.${signature}`
}

function verify(token: string, secret: string): Claims | undefined {
  const [header, payload, signature, ...rest] = token.split('.')
  if (!header || !payload || !signature || rest.length) return undefined
  const expected = createHmac('sha256', secret).update(`${header}.${payload}`).digest()
  const given = Buffer.from(signature, 'base64url')
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined
  try {
    // The algorithm is ours to choose, never the token's: anything but HS256 ("none"!) is refused.
    const { alg } = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { alg?: unknown }
    if (alg !== 'HS256') return undefined
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Partial<Claims>
    if (typeof claims.sub !== 'string' || typeof claims.exp !== 'number') return undefined
    return claims as Claims
  } catch {
    return undefined
  }
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  let body: unknown
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'))
  } catch {
    throw new HttpError(400, { error: 'invalid_json' })
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, { error: 'validation', fields: { $: 'type' } })
  return body as Record<string, unknown>
}

function send(res: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) })
  res.end(text)
}
