import { describe, expect, it } from 'vitest'
import type { Channel } from 'amqplib'
import type { Redis } from 'ioredis'
import { useRabbit } from '#support/rabbitmq'
import { useRedis } from '#support/redis'
import { json, readyCount, sleep, waitFor, watchChannel } from '#support/queues'
import { raceGate, tapRedis } from '#support/faults/redis'
import { tapChannel } from '#support/faults/amqp'
import { startIdempotentConsumer } from '@kata/queues/idempotent-consumer'

type Handler = (body: unknown, meta: { messageId: string }) => Promise<void>
interface Options {
  channel: Channel
  queue: string
  redis: Redis
  ttlSeconds: number
  lockMs: number
}
const start = (o: Options, h: Handler): Promise<void> => startIdempotentConsumer(o, h)

const rabbit = useRabbit()
const redis = useRedis()
// A keyspace of its own for the TTL check, so keys of the other tests do not count.
const ttlRedis = useRedis()

async function setup(base: string) {
  const queue = rabbit.queue(base)
  const admin = await rabbit.channel()
  await admin.assertQueue(queue, { durable: true })
  const publish = (body: unknown, messageId?: string) => admin.sendToQueue(queue, json(body), messageId ? { messageId } : {})
  return { queue, admin, publish }
}

async function consumer(queue: string, extra: Partial<Options> = {}) {
  const conn = await rabbit.connect()
  const channel = await conn.createChannel()
  const watch = watchChannel(channel)
  return { conn, channel, watch, options: { channel, queue, redis: redis.client(), ttlSeconds: 3600, lockMs: 5000, ...extra } }
}

/** Counts the business effect per message id. */
function effects() {
  const byId = new Map<string, number>()
  return {
    byId,
    record: (id: string) => byId.set(id, (byId.get(id) ?? 0) + 1),
    repeated: () => [...byId].filter(([, n]) => n > 1).map(([id, n]) => `${id} ×${n}`),
  }
}

describe('startIdempotentConsumer({ channel, queue, redis, ttlSeconds, lockMs }, handler)', () => {
  it('handles each message once with its messageId and acknowledges it', async () => {
    const s = await setup('idem.basic')
    const c = await consumer(s.queue)
    const seen: [unknown, string][] = []
    await start(c.options, async (body, meta) => void seen.push([body, meta?.messageId]))
    s.publish({ n: 1 }, 'm-1')
    s.publish({ n: 2 }, 'm-2')
    await waitFor(() => seen.length === 2, () => `2 messages to be handled (handled ${seen.length})${c.watch.describe()}`)
    expect(seen, 'handler calls as [body, messageId]').toEqual([
      [{ n: 1 }, 'm-1'],
      [{ n: 2 }, 'm-2'],
    ])
    await sleep(50)
    await c.conn.close()
    await sleep(50)
    expect(await readyCount(s.admin, s.queue), 'messages back in the queue after the consumer disconnected').toBe(0)
  })

  it('a duplicate that arrives after the original was handled changes nothing and is acknowledged', async () => {
    const s = await setup('idem.later')
    const c = await consumer(s.queue)
    const fx = effects()
    await start(c.options, async (_b, meta) => void fx.record(meta?.messageId))
    s.publish({ pay: 100 }, 'pay-1')
    await waitFor(() => fx.byId.size === 1, () => `the original to be handled${c.watch.describe()}`)
    await sleep(50)
    s.publish({ pay: 100 }, 'pay-1') // the producer retried after a lost confirm
    s.publish({ pay: 100 }, 'pay-1')
    s.publish({ pay: 5 }, 'pay-2')
    await waitFor(() => fx.byId.has('pay-2'), () => `the next message pay-2 to be handled${c.watch.describe()}`)
    await sleep(150)
    expect(fx.byId.get('pay-1'), 'handler calls for messageId pay-1 (sent 3 times)').toBe(1)
    expect(fx.byId.get('pay-2'), 'handler calls for messageId pay-2').toBe(1)
    await c.conn.close()
    await sleep(50)
    expect(await readyCount(s.admin, s.queue), 'messages back in the queue after the consumer disconnected (duplicates must be acked, not left hanging)').toBe(0)
  })

  it('deduplicates by messageId, not by content: two messages with the same body are both handled', async () => {
    const s = await setup('idem.body')
    const c = await consumer(s.queue)
    const fx = effects()
    await start(c.options, async (_b, meta) => void fx.record(meta?.messageId))
    s.publish({ same: true }, 'a-1')
    s.publish({ same: true }, 'a-2')
    await waitFor(() => fx.byId.size === 2, () => `both messages to be handled (handled ${JSON.stringify([...fx.byId.keys()])})${c.watch.describe()}`)
  })

  it('30 messages each delivered 3 times to 3 consumers at once: every message handled exactly once', async () => {
    const s = await setup('idem.race')
    const fx = effects()
    const consumers = await Promise.all([0, 1, 2].map(() => consumer(s.queue)))
    const taps = consumers.map((c) => tapChannel(c.channel))
    for (const [i, c] of consumers.entries())
      await start({ ...c.options, channel: taps[i]!.channel }, async (_b, meta) => {
        await sleep(5)
        fx.record(meta?.messageId)
      })
    const ids = Array.from({ length: 30 }, (_, i) => `order-${i}`)
    for (let copy = 0; copy < 3; copy++) for (const id of ids) s.publish({ id }, id)
    await waitFor(() => fx.byId.size === 30, () => `all 30 message ids to be handled (handled ${fx.byId.size})${consumers.map((c) => c.watch.describe()).join('')}`, 4000)
    // A copy of an id still in progress may circulate (put back, delivered again) after the queue
    // looks empty, longer on a busy machine: wait until the consumers ack or nack nothing more for
    // 300 ms with the queue empty.
    let steps = -1
    let quietSince = Date.now()
    const settled = async () => {
      const now = taps.reduce((n, t) => n + t.log.length, 0)
      if (now !== steps) [steps, quietSince] = [now, Date.now()]
      return Date.now() - quietSince >= 300 && (await readyCount(s.admin, s.queue)) === 0
    }
    await waitFor(settled, 'the consumers to settle every copy (the queue empty, no ack or nack for 300 ms)', 8000)
    expect(fx.repeated(), 'message ids handled more than once (the check and the mark must be one atomic step, e.g. SET NX)').toEqual([])
    await Promise.all(consumers.map((c) => c.conn.close()))
    await sleep(50)
    expect(await readyCount(s.admin, s.queue), 'messages back in the queue after the consumers disconnected').toBe(0)
  })

  it('a copy whose consumer is held just before its first write, while another copy is handled completely, is not handled again', async () => {
    const s = await setup('idem.window')
    const other = await setup('idem.window.b')
    const fx = effects()
    const handler: Handler = async (_b, meta) => void fx.record(meta?.messageId)
    // Consumer A: its Redis connection is tapped; its first write (the claim, whatever its
    // form) waits on a gate until consumer B has handled another copy of the same id.
    const tap = tapRedis(redis.client())
    const WRITES = ['set', 'setnx', 'eval', 'evalsha', 'fcall', 'incr', 'hsetnx', 'sadd']
    const gate = tap.hold((cmd) => WRITES.includes(cmd.name))
    const a = await consumer(s.queue, { redis: tap.client })
    const aTap = tapChannel(a.channel)
    await start({ ...a.options, channel: aTap.channel }, handler)
    s.publish({ pay: 7 }, 'twice-1')
    try {
      const outcome = await raceGate(gate, sleep(3000))
      expect(outcome, `consumer A to write its claim of twice-1 to Redis${a.watch.describe()}`).toBe('reached')
      // Consumer B (its own queue, the same Redis) gets another copy and handles it to the end.
      const b = await consumer(other.queue)
      const bTap = tapChannel(b.channel)
      await start({ ...b.options, channel: bTap.channel }, handler)
      other.publish({ pay: 7 }, 'twice-1')
      await waitFor(() => fx.byId.get('twice-1') === 1 && bTap.log.some((st) => st.op === 'ack'), () => `consumer B to handle and ack its copy of twice-1${b.watch.describe()}`)
    } finally {
      gate.release()
    }
    await waitFor(() => aTap.log.some((st) => st.op === 'ack'), () => `consumer A to ack its copy of twice-1 once B had handled it${a.watch.describe()}`, 3000)
    await sleep(50)
    expect(
      fx.byId.get('twice-1'),
      'handler calls for twice-1: consumer A checked Redis (nothing there), then B claimed, handled and finished the same id, then A wrote its claim and handled it again. The check and the claim must be one atomic step on one key (SET key processing NX PX lockMs), and a finished id must stay claimed',
    ).toBe(1)
  })

  it('a handler failure does not mark the message as done: the redelivery is handled', async () => {
    const s = await setup('idem.fail')
    const c = await consumer(s.queue)
    let attempts = 0
    const fx = effects()
    await start(c.options, async (_b, meta) => {
      if (++attempts === 1) throw new Error('database is down')
      fx.record(meta?.messageId)
    })
    s.publish({ n: 1 }, 'fail-1')
    await waitFor(() => fx.byId.get('fail-1') === 1, () => `the message to be handled after its first attempt failed (attempts: ${attempts})${c.watch.describe()}`)
    s.publish({ n: 1 }, 'fail-1')
    await sleep(150)
    expect(fx.byId.get('fail-1'), 'successful handler runs for fail-1 (a duplicate came after the success)').toBe(1)
    expect(attempts, 'handler calls for fail-1: one failure, one success, the duplicate skipped').toBe(2)
  })

  it('a consumer that dies in the middle does not make its message look done: another consumer handles it after lockMs', async () => {
    const s = await setup('idem.crash')
    const a = await consumer(s.queue, { lockMs: 300 })
    let aStarted = false
    await start(a.options, async () => {
      aStarted = true
      await new Promise(() => undefined) // hangs: the process froze
    })
    s.publish({ n: 1 }, 'crash-1')
    await waitFor(() => aStarted, () => `consumer A to start handling crash-1${a.watch.describe()}`)
    await a.conn.close() // A dies; RabbitMQ requeues crash-1
    const b = await consumer(s.queue, { lockMs: 300 })
    const fx = effects()
    await start(b.options, async (_b, meta) => void fx.record(meta?.messageId))
    await waitFor(() => fx.byId.get('crash-1') === 1, () => `consumer B to handle crash-1 once A's claim (lockMs 300) expired; it must not ack it as a duplicate${b.watch.describe()}`)
    await sleep(100)
    expect(fx.byId.get('crash-1'), 'handler calls for crash-1 on consumer B').toBe(1)
  })

  it('the dedupe records expire: every key written has a TTL of at most ttlSeconds', async () => {
    const s = await setup('idem.ttl')
    const c = await consumer(s.queue, { ttlSeconds: 120, redis: ttlRedis.client() })
    const fx = effects()
    await start(c.options, async (_b, meta) => void fx.record(meta?.messageId))
    for (let i = 0; i < 5; i++) s.publish({ i }, `ttl-${i}`)
    await waitFor(() => fx.byId.size === 5, () => `5 messages to be handled${c.watch.describe()}`)
    await sleep(100)
    const raw = ttlRedis.raw()
    const keys = await raw.keys(`${ttlRedis.prefix}*`)
    expect(keys.length, 'keys your consumer wrote in Redis (through the client it was given)').toBeGreaterThanOrEqual(5)
    for (const key of keys) {
      const ttl = await raw.ttl(key)
      expect(ttl, `TTL of the key "${key.slice(ttlRedis.prefix.length)}" in seconds (-1 = never expires: the dedupe set would grow forever)`).toBeGreaterThan(0)
      expect(ttl, `TTL of the key "${key.slice(ttlRedis.prefix.length)}" with ttlSeconds 120`).toBeLessThanOrEqual(120)
    }
  })

  it('a message without a messageId cannot be deduplicated: it is rejected and the handler is not called', async () => {
    const s = await setup('idem.noid')
    const c = await consumer(s.queue)
    const seen: unknown[] = []
    await start(c.options, async (b) => void seen.push(b))
    s.publish({ anonymous: true })
    s.publish({ named: true }, 'named-1')
    await waitFor(() => seen.length >= 1, () => `the message with a messageId to be handled${c.watch.describe()}`)
    await sleep(100)
    expect(seen, 'bodies the handler received').toEqual([{ named: true }])
    await c.conn.close()
    await sleep(50)
    expect(await readyCount(s.admin, s.queue), 'messages back in the queue after the consumer disconnected (the anonymous one must be rejected)').toBe(0)
  })
})
