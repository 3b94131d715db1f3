import { connect as tcpConnect } from 'node:net'
import type { ServiceName } from '../catalog/schema.ts'

/** Why a probe failed, in a few words (ECONNREFUSED, a timeout, an auth error). */
export class ProbeError extends Error {
  override name = 'ProbeError'
}

/** Ticks of the deadline clock; a longer gap between ticks means this process was not running. */
const TICK_MS = 50

/**
 * A deadline counted in time this process could listen, not wall-clock time: a gap
 * between ticks longer than a tick (the event loop blocked by module loading, or the
 * machine too busy to schedule us) does not count against the server. When it runs
 * out, the verdict waits one more turn of the loop (setImmediate runs after the I/O
 * phase), so an answer that arrived meanwhile is seen before the timeout is declared.
 */
export function serverDeadline(ms: number): { expired: Promise<never>; cancel(): void } {
  let timer: NodeJS.Timeout | undefined
  let cancelled = false
  const expired = new Promise<never>((_, reject) => {
    let counted = 0
    let last = performance.now()
    const tick = () => {
      const now = performance.now()
      counted += Math.min(now - last, 2 * TICK_MS)
      last = now
      if (counted < ms) timer = setTimeout(tick, TICK_MS).unref()
      else setImmediate(() => cancelled || reject(new ProbeError(`no answer in ${ms} ms`)))
    }
    timer = setTimeout(tick, TICK_MS).unref()
  })
  expired.catch(() => undefined)
  return {
    expired,
    cancel: () => {
      cancelled = true
      clearTimeout(timer)
    },
  }
}

async function withDeadline<T>(work: () => Promise<T>, ms: number): Promise<T> {
  const deadline = serverDeadline(ms)
  try {
    return await Promise.race([work(), deadline.expired])
  } finally {
    deadline.cancel()
  }
}

/** Opens a TCP connection and closes it: is anything listening there at all? */
export function tcpOpen(host: string, port: number, ms = 1500): Promise<void> {
  const socket = tcpConnect({ host, port })
  const attempt = new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve())
    socket.once('error', (err: NodeJS.ErrnoException) => reject(new ProbeError(`${host}:${port}: ${err.code ?? err.message}`)))
  })
  return withDeadline(() => attempt, ms)
    .catch((err: Error) => {
      throw err instanceof ProbeError && !err.message.startsWith(`${host}:`) ? new ProbeError(`${host}:${port}: ${err.message}`) : err
    })
    .finally(() => socket.destroy())
}

/** The client library of each service, loaded before any deadline starts: loading is our time, not the server's. */
const clients = {
  postgres: () => import('pg'),
  redis: () => import('ioredis'),
  rabbitmq: () => import('amqplib'),
  nats: () => import('nats'),
} as const

/**
 * Speaks the service's own protocol, so a wrong server on the port is not taken for the
 * right one. A server is judged by an answer or a refusal; a silence is tried once more
 * before it counts as "not found" (one slow moment of a busy machine is not an outage).
 */
export async function probe(name: ServiceName, url: string, ms = 3000): Promise<void> {
  const u = new URL(url)
  await clients[name]()
  const once = async () => {
    await tcpOpen(u.hostname, Number(u.port) || defaultPort(name))
    await withDeadline(() => protocolProbe(name, url, ms), ms).catch((err: Error) => {
      throw err instanceof ProbeError && err.message.startsWith('no answer') ? new ProbeError(`${url}: ${err.message}`) : err
    })
  }
  try {
    await once()
  } catch (err) {
    // A refusal is an answer: nothing listens there. Anything else (silence, a reset mid-handshake) gets one more try.
    if (/ECONNREFUSED|EADDRNOTAVAIL|ENOTFOUND/.test((err as Error).message)) throw err
    await once()
  }
}

async function protocolProbe(name: ServiceName, url: string, ms: number): Promise<void> {
  // The clients' own timeouts are wall-clock timers: set above our deadline, so ours decides.
  const wide = ms * 4
  switch (name) {
    case 'postgres': {
      const { default: pg } = await clients.postgres()
      const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: wide })
      try {
        await client.connect()
        await client.query('select 1')
      } finally {
        await client.end().catch(() => undefined)
      }
      return
    }
    case 'redis': {
      const { Redis } = await clients.redis()
      const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: wide })
      try {
        await client.connect()
        await client.ping()
      } finally {
        client.disconnect()
      }
      return
    }
    case 'rabbitmq': {
      const amqp = await clients.rabbitmq()
      const conn = await amqp.connect(url, { noDelay: true, timeout: wide })
      await conn.close()
      return
    }
    case 'nats': {
      const { connect } = await clients.nats()
      const nc = await connect({ servers: url, timeout: wide, reconnect: false })
      await nc.close()
      return
    }
  }
}

function defaultPort(name: ServiceName): number {
  return { postgres: 5432, redis: 6379, rabbitmq: 5672, nats: 4222 }[name]
}
