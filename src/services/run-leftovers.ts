import type { Channel, ChannelModel } from 'amqplib'
import type { Redis } from 'ioredis'
import { redisAdmin } from './redis-run-users.ts'

/** What one run left: the tag of its Redis prefixes, the RabbitMQ names its suite reported. */
export interface Leftovers {
  /** The run tag: its fixtures' keys are `rm.<tag><6 hex>:…`. */
  redisTag?: string
  /** Where the queues and exchanges live (the run's own vhost when grading). */
  rabbitUrl?: string
  queues: string[]
  exchanges: string[]
}

/** The reported names, bounded: graded code runs in the worker and could report anything. */
const MAX_NAMES = 200
const NAME = /^[\w.:-]{1,255}$/

/**
 * Removes what a run's service fixtures left (Redis keys under the run's prefixes, the
 * RabbitMQ queues and exchanges its suite named) after the verdict, while the learner
 * reads it: off the save's clock, like the database stock. One connection per service,
 * kept for the runner's life, instead of a new one in every suite's afterAll. The next
 * run waits for the sweep (`settled`), so each run starts clean.
 */
export class RunLeftovers {
  private redis: { url: string; client: Redis } | undefined
  private rabbit: { url: string; connection: Promise<ChannelModel> } | undefined
  private pending: Promise<unknown> = Promise.resolve()

  /** `redisUrl`: where to sweep keys (undefined when someone else does, e.g. grading's per-run users). */
  afterRun(left: Leftovers, redisUrl: string | undefined) {
    const jobs: Promise<unknown>[] = []
    if (left.redisTag && redisUrl) jobs.push(this.sweepRedis(redisUrl, left.redisTag))
    const queues = left.queues.filter((n) => NAME.test(n)).slice(0, MAX_NAMES)
    const exchanges = left.exchanges.filter((n) => NAME.test(n)).slice(0, MAX_NAMES)
    if (left.rabbitUrl && (queues.length || exchanges.length)) jobs.push(this.deleteRabbit(left.rabbitUrl, queues, exchanges))
    // A service that went away takes its leftovers with it, or a later sweep finds them.
    this.pending = Promise.allSettled([this.pending, ...jobs])
  }

  /** Waits for the last run's sweep. */
  async settled() {
    await this.pending
  }

  private async sweepRedis(url: string, tag: string) {
    if (this.redis?.url !== url) {
      this.redis?.client.disconnect()
      this.redis = { url, client: redisAdmin(url) }
    }
    const c = this.redis.client
    // Exactly this run's prefixes (`rm.<tag>` and six hex digits): never another run's.
    let cursor = '0'
    do {
      const [next, keys] = await c.scan(cursor, 'MATCH', `rm.${tag}??????:*`, 'COUNT', 500)
      cursor = next
      if (keys.length) await c.unlink(...keys)
    } while (cursor !== '0')
  }

  private async deleteRabbit(url: string, queues: string[], exchanges: string[]) {
    if (this.rabbit?.url !== url) {
      void this.rabbit?.connection.then((c) => c.close()).catch(() => undefined)
      const { default: amqp } = await import('amqplib')
      const connection = amqp.connect(url, { noDelay: true, timeout: 3000 }).then((c) => {
        c.on('error', () => undefined)
        return c
      })
      this.rabbit = { url, connection }
    }
    let channel: Channel | undefined
    try {
      channel = await (await this.rabbit.connection).createChannel()
    } catch (err) {
      this.rabbit = undefined // reconnect next time
      throw err
    }
    channel.on('error', () => undefined)
    try {
      for (const q of queues) await channel.deleteQueue(q)
      for (const e of exchanges) await channel.deleteExchange(e)
    } finally {
      await channel.close().catch(() => undefined)
    }
  }

  async close() {
    await this.pending
    this.redis?.client.disconnect()
    await this.rabbit?.connection.then((c) => c.close()).catch(() => undefined)
  }
}
