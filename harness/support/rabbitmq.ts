// RabbitMQ resources per suite: uniquely named queues and exchanges, deleted after.
import amqp, { type Channel, type ChannelModel } from 'amqplib'
import { afterAll, beforeAll, inject } from 'vitest'
import { serviceUrl, uniqueName, unavailable } from './services.ts'

export interface RabbitFixture {
  readonly url: string
  /** A new connection (Nagle off: without it each round trip costs ~40 ms); closed after the suite. */
  connect(): Promise<ChannelModel>
  /** A unique queue name for this suite, deleted after it. */
  queue(base: string): string
  /** A unique exchange name for this suite, deleted after it. */
  exchange(base: string): string
  /** A channel for the suite's own checks. */
  channel(): Promise<Channel>
}

export function useRabbit(): RabbitFixture {
  let url = ''
  const connections: ChannelModel[] = []
  const queues: string[] = []
  const exchanges: string[] = []

  const connect = async () => {
    if (!url) throw new Error('useRabbit(): connections exist only inside tests and hooks')
    try {
      const c = await amqp.connect(url, { noDelay: true, timeout: 3000 })
      c.on('error', () => undefined)
      connections.push(c)
      return c
    } catch (err) {
      throw unavailable('rabbitmq', err)
    }
  }

  // Under roadmap's runner the names go in the suite's meta and the runner deletes them
  // after the verdict, over a connection it keeps: none is opened for it on the save's clock.
  const runnerDeletes = () => inject('roadmap:after-run')?.includes('rabbitmq') ?? false

  // eslint-disable-next-line no-empty-pattern -- Vitest reads the first argument as fixtures: a pattern is required
  beforeAll(async ({}, suite) => {
    url = serviceUrl('rabbitmq')
    if (runnerDeletes()) Object.assign(suite.meta, { 'roadmap:queues': queues, 'roadmap:exchanges': exchanges })
  })

  afterAll(async () => {
    const closing = Promise.allSettled(connections.map((c) => c.close()))
    // Under roadmap's runner the worker ends with the run and its connections with it (the
    // broker requeues what they held): no close handshake on the save's clock.
    if (runnerDeletes()) return
    await deleteOwn()
    await closing
  })

  const deleteOwn = async () => {
    try {
      const c = await amqp.connect(url, { noDelay: true, timeout: 3000 })
      const ch = await c.createChannel()
      for (const q of queues) await ch.deleteQueue(q).catch(() => undefined)
      for (const e of exchanges) await ch.deleteExchange(e).catch(() => undefined)
      await c.close().catch(() => undefined)
    } catch {
      // RabbitMQ went away: its resources went with it or will be cleaned next time.
    }
  }

  return {
    get url() {
      return url
    },
    connect,
    queue: (base) => {
      const q = uniqueName(base)
      queues.push(q)
      return q
    },
    exchange: (base) => {
      const e = uniqueName(base)
      exchanges.push(e)
      return e
    },
    channel: async () => (await connect()).createChannel(),
  }
}
