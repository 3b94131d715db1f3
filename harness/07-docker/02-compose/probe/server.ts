// Stands in for the api of the learner's compose file while it runs: GET /healthz answers
// 200 only when DATABASE_URL, REDIS_URL and AMQP_URL, as the compose file gives them,
// each accept a connection and a command; otherwise 503 with what failed.
import { createServer } from 'node:http'
import amqp from 'amqplib'
import { Redis } from 'ioredis'
import pg from 'pg'

const within = <T>(ms: number, work: Promise<T>) =>
  Promise.race([work, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms).unref())])

async function postgres(url: string) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 })
  try {
    await within(4000, client.connect())
    await within(4000, client.query('SELECT 1'))
  } finally {
    await client.end().catch(() => undefined)
  }
}

async function redis(url: string) {
  const client = new Redis(url, { lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 0, retryStrategy: () => null })
  try {
    await within(4000, client.connect())
    await within(4000, client.ping())
  } finally {
    client.disconnect()
  }
}

async function rabbitmq(url: string) {
  const connection = await within(4000, amqp.connect(url, { timeout: 3000 }))
  await connection.close().catch(() => undefined)
}

const CHECKS = { DATABASE_URL: postgres, REDIS_URL: redis, AMQP_URL: rabbitmq }

async function health(): Promise<Record<string, string>> {
  const entries = await Promise.all(
    Object.entries(CHECKS).map(async ([name, check]) => {
      const url = process.env[name]
      if (!url) return [name, 'not set in the api environment'] as const
      try {
        await check(url)
        return [name, 'ok'] as const
      } catch (err) {
        return [name, (err as Error).message || String(err)] as const
      }
    }),
  )
  return Object.fromEntries(entries)
}

createServer((req, res) => {
  if (req.url !== '/healthz') {
    res.writeHead(404).end()
    return
  }
  void health().then((report) => {
    const ok = Object.values(report).every((v) => v === 'ok')
    res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(report))
  })
}).listen(Number(process.env.PORT ?? 3000))
