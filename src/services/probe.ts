import { connect as tcpConnect } from 'node:net'
import type { ServiceName } from '../catalog/schema.ts'

/** Why a probe failed, in a few words (ECONNREFUSED, a timeout, an auth error). */
export class ProbeError extends Error {
  override name = 'ProbeError'
}

const withTimeout = <T>(p: Promise<T>, ms: number, what: string) =>
  Promise.race([p, new Promise<never>((_, rej) => setTimeout(() => rej(new ProbeError(`${what}: no answer in ${ms} ms`)), ms).unref())])

/** Opens a TCP connection and closes it: is anything listening there at all? */
export function tcpOpen(host: string, port: number, ms = 1500): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect({ host, port })
    const done = (err?: Error) => {
      socket.destroy()
      if (err) reject(new ProbeError(`${host}:${port}: ${(err as NodeJS.ErrnoException).code ?? err.message}`))
      else resolve()
    }
    socket.setTimeout(ms, () => done(new Error(`no answer in ${ms} ms`)))
    socket.once('connect', () => done())
    socket.once('error', done)
  })
}

/** Speaks the service's own protocol, so a wrong server on the port is not taken for the right one. */
export async function probe(name: ServiceName, url: string, ms = 3000): Promise<void> {
  const u = new URL(url)
  await tcpOpen(u.hostname, Number(u.port) || defaultPort(name))
  await withTimeout(protocolProbe(name, url), ms, url)
}

async function protocolProbe(name: ServiceName, url: string): Promise<void> {
  switch (name) {
    case 'postgres': {
      const { default: pg } = await import('pg')
      const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 })
      try {
        await client.connect()
        await client.query('select 1')
      } finally {
        await client.end().catch(() => undefined)
      }
      return
    }
    case 'redis': {
      const { Redis } = await import('ioredis')
      const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 2000 })
      try {
        await client.connect()
        await client.ping()
      } finally {
        client.disconnect()
      }
      return
    }
    case 'rabbitmq': {
      const amqp = await import('amqplib')
      const conn = await amqp.connect(url, { noDelay: true, timeout: 2000 })
      await conn.close()
      return
    }
    case 'nats': {
      const { connect } = await import('nats')
      const nc = await connect({ servers: url, timeout: 2000, reconnect: false })
      await nc.close()
      return
    }
  }
}

function defaultPort(name: ServiceName): number {
  return { postgres: 5432, redis: 6379, rabbitmq: 5672, nats: 4222 }[name]
}
