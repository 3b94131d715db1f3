import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http'
import { randomUUID } from 'node:crypto'

export interface User {
  id: string
  name: string
  email: string
}

/** Where users live; the suite passes its own (and sometimes a broken one). */
export interface UserStore {
  list(): Promise<User[]>
  get(id: string): Promise<User | undefined>
  findByEmail(email: string): Promise<User | undefined>
  insert(user: User): Promise<void>
  remove(id: string): Promise<boolean>
}

export interface AppOptions {
  store: UserStore
  /** Clients must send `Authorization: Bearer <apiKey>`. */
  apiKey: string
  /** The largest accepted request body, in bytes (default 1024). */
  maxBodyBytes?: number
}

/** Thrown while reading a request body; carries the status it maps to. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
  ) {
    super(code)
  }
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

export function createApp({ store, apiKey, maxBodyBytes = 1024 }: AppOptions): RequestListener {
  return (req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (err instanceof HttpError) return send(res, err.status, { error: err.code })
      // Never leak the cause (it may hold hosts or secrets); log it server-side instead.
      send(res, 500, { error: 'internal' })
    })
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const path = new URL(req.url ?? '/', 'http://local').pathname
    const one = /^\/users\/([^/]+)$/.exec(path)
    const allowed = path === '/users' ? ['GET', 'POST'] : one ? ['GET', 'DELETE'] : undefined
    if (!allowed) return send(res, 404, { error: 'not_found' })
    if (!allowed.includes(req.method ?? '')) {
      res.setHeader('Allow', allowed.join(', '))
      return send(res, 405, { error: 'method_not_allowed' })
    }
    if (req.headers.authorization !== `Bearer ${apiKey}`) {
      res.setHeader('WWW-Authenticate', 'Bearer')
      return send(res, 401, { error: 'unauthorized' })
    }

    if (one) {
      const id = decodeURIComponent(one[1]!)
      if (req.method === 'GET') {
        const user = await store.get(id)
        return user ? send(res, 200, user) : send(res, 404, { error: 'not_found' })
      }
      if (!(await store.remove(id))) return send(res, 404, { error: 'not_found' })
      res.statusCode = 204
      return void res.end()
    }
    if (req.method === 'GET') return send(res, 200, await store.list())

    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase()
    const text = await readBody(req, maxBodyBytes)
    if (type !== 'application/json') throw new HttpError(415, 'unsupported_media_type')
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch {
      throw new HttpError(400, 'invalid_json')
    }
    const fields = validate(body)
    if (!fields) throw new HttpError(400, 'invalid_body')
    if (await store.findByEmail(fields.email)) throw new HttpError(409, 'conflict')
    const user: User = { id: randomUUID(), ...fields }
    await store.insert(user)
    res.setHeader('Location', `/users/${user.id}`)
    send(res, 201, user)
  }
}

function validate(value: unknown): Omit<User, 'id'> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined
  const { name, email } = value as Record<string, unknown>
  if (typeof name !== 'string' || name.trim() === '' || name.length > 100) return undefined
  if (typeof email !== 'string' || !EMAIL.test(email)) return undefined
  return { name: name.trim(), email: email.toLowerCase() }
}

/** Reads at most `limit` bytes: refuses early on Content-Length, else counts as it reads. */
function readBody(req: IncomingMessage, limit: number): Promise<string> {
  if (Number(req.headers['content-length']) > limit) return Promise.reject(new HttpError(413, 'payload_too_large'))
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) {
        // Stop reading but keep the socket: the 413 still has to go out on it.
        req.off('data', onData)
        req.pause()
        return reject(new HttpError(413, 'payload_too_large'))
      }
      chunks.push(chunk)
    }
    req.on('data', onData)
    req.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.once('error', reject)
  })
}

function send(res: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body)
  // Unread body bytes would otherwise be left on a connection we want to reuse.
  if (status === 413) res.setHeader('Connection', 'close')
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) })
  res.end(text)
}
