// The sale's front door: Redis decides who gets a unit (one atomic Lua script), and only
// the winners reach PostgreSQL, where the order and its outbox event are written together.
import { randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { Session } from 'node:inspector/promises'
import type { Redis } from 'ioredis'
import type { Pool } from 'pg'

export interface SaleDeps {
  db: Pool
  redis: Redis
}

export interface Sale {
  /** Opens a sale of `stock` units: resets the stock and forgets previous buyers. */
  open(stock: number): Promise<void>
  /** Gives a user's unit back to the sale (compensation); a no-op if they hold none. */
  release(userId: string): Promise<void>
  handler: (req: IncomingMessage, res: ServerResponse) => void
}

const STOCK = 'sale:stock'
const BUYERS = 'sale:buyers'

// Check-and-take in one script: Redis runs it atomically, so two buyers can never both
// see the last unit. -1: already bought, 0: sold out, 1: the unit is yours.
const TAKE = `
local left = tonumber(redis.call('GET', KEYS[1]) or '0')
if left <= 0 then return 0 end
redis.call('DECR', KEYS[1])
redis.call('SADD', KEYS[2], ARGV[1])
return 1`

// Only a user who holds a unit gives one back: releasing twice returns one unit.
const GIVE_BACK = `
if redis.call('SREM', KEYS[2], ARGV[1]) == 1 then return redis.call('INCR', KEYS[1]) end
return -1`

const USER = /^[\w.-]{1,64}$/
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

function send(res: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
  res.end(text)
}

function readJson(req: IncomingMessage, limit = 4096): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let size = 0
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size > limit) reject(new Error('body too large'))
      else chunks.push(c)
    })
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString() || 'null'))
      } catch (err) {
        reject(err)
      }
    })
    req.on('error', reject)
  })
}

/** The pprof counterpart: a CPU profile of the next `seconds`, as a .cpuprofile file. */
async function cpuProfile(seconds: number) {
  const session = new Session()
  session.connect()
  try {
    await session.post('Profiler.enable')
    await session.post('Profiler.start')
    await new Promise((r) => setTimeout(r, seconds * 1000))
    const { profile } = await session.post('Profiler.stop')
    return profile
  } finally {
    session.disconnect()
  }
}

export function createSale({ db, redis }: SaleDeps): Sale {
  // defineCommand sends EVALSHA: the script's text crosses the network once, not per request.
  redis.defineCommand('saleTake', { numberOfKeys: 2, lua: TAKE })
  redis.defineCommand('saleGiveBack', { numberOfKeys: 2, lua: GIVE_BACK })
  const scripts = redis as unknown as Record<'saleTake' | 'saleGiveBack', (stock: string, buyers: string, userId: string) => Promise<number>>
  const take = (userId: string) => scripts.saleTake(STOCK, BUYERS, userId)
  const giveBack = (userId: string) => scripts.saleGiveBack(STOCK, BUYERS, userId)

  async function buy(userId: string): Promise<[number, unknown]> {
    const got = await take(userId)
    if (got === -1) return [409, { error: 'already bought' }]
    if (got === 0) return [409, { error: 'sold out' }]
    const orderId = randomUUID()
    try {
      // The order and its event commit together or not at all — that is the outbox. One
      // statement is one implicit transaction and one round trip: the winners' requests stay
      // fast while hundreds of them arrive in the same second.
      await db.query(
        `with o as (insert into orders (id, user_id, status) values ($1, $2, 'pending') returning id, user_id)
         insert into outbox (topic, payload) select 'order.placed', json_build_object('orderId', o.id, 'userId', o.user_id) from o`,
        [orderId, userId],
      )
    } catch (err) {
      await giveBack(userId) // the unit was taken in Redis but never sold: put it back
      throw err
    }
    return [201, { orderId, status: 'pending' }]
  }

  async function route(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://sale')
    if (req.method === 'POST' && url.pathname === '/buy') {
      const body = (await readJson(req).catch(() => undefined)) as { userId?: unknown } | undefined
      const userId = body?.userId
      if (typeof userId !== 'string' || !USER.test(userId)) return send(res, 400, { error: 'userId must be 1-64 letters, digits, "-", "_" or "."' })
      const [status, reply] = await buy(userId)
      return send(res, status, reply)
    }
    if (req.method === 'GET' && url.pathname === '/stock') {
      return send(res, 200, { stock: Number((await redis.get(STOCK)) ?? 0) })
    }
    const order = /^\/orders\/([^/]+)$/.exec(url.pathname)
    if (req.method === 'GET' && order) {
      const id = order[1]!
      const { rows } = UUID.test(id) ? await db.query('select id, user_id, status from orders where id = $1', [id]) : { rows: [] }
      if (!rows[0]) return send(res, 404, { error: `order ${id} not found` })
      return send(res, 200, { id: rows[0].id, userId: rows[0].user_id, status: rows[0].status })
    }
    if (req.method === 'GET' && url.pathname === '/debug/profile') {
      const seconds = Number(url.searchParams.get('seconds') ?? 1)
      if (!(seconds > 0 && seconds <= 30)) return send(res, 400, { error: 'seconds must be a number in (0, 30]' })
      return send(res, 200, await cpuProfile(seconds))
    }
    send(res, 404, { error: 'no such route' })
  }

  return {
    async open(stock) {
      await redis.multi().set(STOCK, stock).del(BUYERS).exec()
    },
    async release(userId) {
      await giveBack(userId)
    },
    handler(req, res) {
      route(req, res).catch(() => {
        if (!res.headersSent) send(res, 500, { error: 'internal error' })
        else res.destroy()
      })
    },
  }
}
