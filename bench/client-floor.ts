// What a service kata's test does with its service, alone: a fresh connection (each run has a
// fresh worker, so the suite's first connection is always new), the kata's few commands, the
// close. Run in the bench's own process with the clients already loaded, it is the part of a
// service kata's save → verdict that no harness can remove: the service row's floor is the
// no-service row plus this.
import amqp from 'amqplib'
import { Redis } from 'ioredis'
import pg from 'pg'
import { randomBytes } from 'node:crypto'

type Work = (url: string) => Promise<void>

const WORK: Record<string, Work> = {
  postgres: async (url) => {
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    await client.query('select 41 as n')
    await client.end()
  },
  redis: async (url) => {
    const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0 })
    await redis.connect()
    await redis.set(`bench:${randomBytes(3).toString('hex')}`, '41', 'PX', 10_000)
    await redis.get('n')
    await redis.quit()
  },
  rabbitmq: async (url) => {
    const connection = await amqp.connect(url, { noDelay: true })
    const channel = await connection.createChannel()
    const queue = `bench.${randomBytes(3).toString('hex')}`
    await channel.assertQueue(queue, { autoDelete: true })
    channel.sendToQueue(queue, Buffer.from('41'))
    await new Promise<void>((resolve) => void channel.consume(queue, (m) => m && resolve(), { noAck: true }))
    await connection.close()
  },
}

/** Milliseconds of each of `times` rounds of the service's work, after one round to warm up. */
export async function clientFloor(service: string, url: string, times: number): Promise<number[]> {
  const work = WORK[service]
  if (!work) return []
  await work(url)
  const out: number[] = []
  for (let i = 0; i < times; i++) {
    const t = performance.now()
    await work(url)
    out.push(performance.now() - t)
  }
  return out
}
