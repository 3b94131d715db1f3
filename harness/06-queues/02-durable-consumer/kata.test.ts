import { describe, expect, it } from 'vitest'
import type { Channel, ConfirmChannel } from 'amqplib'
import { useRabbit } from '#support/rabbitmq'
import { readyCount, sleep, waitFor, watchChannel, within } from '#support/queues'
import { tapChannel } from '#support/faults/amqp'
import { declareDurableQueue, publishPersistent, startConsumer } from '@kata/queues/durable-consumer'

type Handler = (message: unknown) => Promise<void>
const declare = (ch: Channel, q: string): Promise<void> => declareDurableQueue(ch, q)
const publish = (ch: ConfirmChannel, q: string, m: unknown): Promise<void> => publishPersistent(ch, q, m)
const consume = (ch: Channel, q: string, h: Handler): Promise<void> => startConsumer(ch, q, h)

const rabbit = useRabbit()

/** Runs `fn` on a throwaway channel and returns RabbitMQ's error message, or null when it succeeded. */
async function brokerSays(fn: (ch: Channel) => Promise<unknown>): Promise<string | null> {
  const conn = await rabbit.connect()
  const ch = await conn.createChannel()
  ch.on('error', () => undefined)
  try {
    await fn(ch)
    return null
  } catch (err) {
    return (err as Error).message
  } finally {
    await conn.close().catch(() => undefined)
  }
}

async function consumerSession() {
  const conn = await rabbit.connect()
  const ch = await conn.createChannel()
  return { conn, ch, watch: watchChannel(ch) }
}

async function publisher() {
  const conn = await rabbit.connect()
  const ch = await conn.createConfirmChannel()
  return { conn, ch, watch: watchChannel(ch) }
}

describe('declareDurableQueue(channel, queue)', () => {
  it('creates a durable queue that is neither exclusive nor auto-deleted', async () => {
    const queue = rabbit.queue('dur.decl')
    const ch = await rabbit.channel()
    await declare(ch, queue)
    expect(await brokerSays((c) => c.checkQueue(queue)), `checkQueue("${queue}") after declareDurableQueue: the queue must exist`).toBeNull()
    const mismatch = await brokerSays((c) => c.assertQueue(queue, { durable: true, exclusive: false, autoDelete: false }))
    expect(mismatch, 'declaring the same queue as { durable: true, exclusive: false, autoDelete: false } from another connection must agree with yours').toBeNull()
  })

  it('can be called again for an existing queue (every process declares what it uses)', async () => {
    const queue = rabbit.queue('dur.twice')
    const ch = await rabbit.channel()
    const watch = watchChannel(ch)
    await declare(ch, queue)
    await expect(declare(ch, queue), `a second declareDurableQueue("${queue}")${watch.describe()}`).resolves.toBeUndefined()
  })
})

describe('publishPersistent(confirmChannel, queue, message)', () => {
  it('publishes the message as persistent JSON (deliveryMode 2)', async () => {
    const queue = rabbit.queue('dur.pub')
    const pub = await publisher()
    await declare(pub.ch, queue)
    await within(publish(pub.ch, queue, { order: 7, items: ['a'] }), 3000, 'publishPersistent(...)')
    const probe = await rabbit.channel()
    const msg = await probe.get(queue, { noAck: true })
    expect(msg, 'a message in the queue after publishPersistent').not.toBe(false)
    if (!msg) return
    expect(JSON.parse(msg.content.toString()), 'the message body parsed as JSON').toEqual({ order: 7, items: ['a'] })
    expect(msg.properties.deliveryMode, 'properties.deliveryMode of the published message (2 = persistent, written to disk)').toBe(2)
  })

  it('resolves only when RabbitMQ confirmed the message, and rejects when RabbitMQ refused it', async () => {
    // A queue that refuses every message: RabbitMQ answers the publish with a nack.
    const full = rabbit.queue('dur.full')
    const setup = await rabbit.channel()
    await setup.assertQueue(full, { durable: true, arguments: { 'x-max-length': 0, 'x-overflow': 'reject-publish' } })
    const pub = await publisher()
    const fine = rabbit.queue('dur.fine')
    await declare(pub.ch, fine)
    await expect(within(publish(pub.ch, fine, { accepted: true }), 3000, 'publishPersistent to a normal queue'), 'publishPersistent to a normal durable queue resolves').resolves.toBeUndefined()
    let outcome = 'pending'
    await within(
      publish(pub.ch, full, { refused: true }).then(
        () => void (outcome = 'resolved'),
        () => void (outcome = 'rejected'),
      ),
      3000,
      'publishPersistent to a queue that refuses messages',
    )
    expect(outcome, 'publishPersistent to a full queue (x-overflow: reject-publish): RabbitMQ sends a nack, so the promise must reject').toBe('rejected')
  })

  it('messages wait in the queue while no consumer runs and the publisher is gone', async () => {
    const queue = rabbit.queue('dur.wait')
    const pub = await publisher()
    await declare(pub.ch, queue)
    for (let n = 0; n < 5; n++) await publish(pub.ch, queue, { n })
    await pub.conn.close()
    const probe = await rabbit.channel()
    expect(await readyCount(probe, queue), 'messages in the queue after 5 publishPersistent calls and closing the publisher').toBe(5)
  })
})

describe('startConsumer(channel, queue, handler): a consumer restart loses nothing and repeats nothing', () => {
  it('after the consumer dies mid-stream, a new one gets exactly the unfinished messages', async () => {
    const queue = rabbit.queue('dur.restart')
    const pub = await publisher()
    await declare(pub.ch, queue)
    const total = 20
    for (let n = 0; n < total; n++) await publish(pub.ch, queue, { n })

    // Session 1: the first 6 handler calls finish, the others hang as if the process froze.
    const s1 = await consumerSession()
    const finished1: number[] = []
    let calls1 = 0
    await consume(s1.ch, queue, async (m) => {
      const { n } = m as { n: number }
      if (calls1++ < 6) {
        await sleep(2)
        finished1.push(n)
        return
      }
      await new Promise(() => undefined)
    })
    await waitFor(() => finished1.length === 6, () => `the first consumer to finish 6 messages (finished ${finished1.length})${s1.watch.describe()}`)
    await sleep(100)
    await s1.conn.close() // the consumer process dies

    // Session 2: a fresh connection and consumer handle whatever is left.
    const s2 = await consumerSession()
    const finished2: number[] = []
    await consume(s2.ch, queue, async (m) => void finished2.push((m as { n: number }).n))
    const expected = total - finished1.length
    await waitFor(() => finished2.length >= expected, () => `the second consumer to get the ${expected} messages the first one did not finish (got ${finished2.length}: ${JSON.stringify(finished2)})${s2.watch.describe()}`).catch(() => undefined)
    await sleep(100)

    const again = finished2.filter((n) => finished1.includes(n))
    expect(again, `messages the first consumer had finished (${JSON.stringify(finished1.sort((a, b) => a - b))}) but the second got again: they were never acknowledged`).toEqual([])
    const lost = Array.from({ length: total }, (_, n) => n).filter((n) => !finished1.includes(n) && !finished2.includes(n))
    expect(lost, 'messages nobody finished: delivered to the dead consumer but acknowledged before its handler finished, so RabbitMQ forgot them').toEqual([])
    expect(finished2.length, 'messages the second consumer handled (each exactly once)').toBe(expected)
    expect(await readyCount(pub.ch, queue), 'messages left in the queue at the end').toBe(0)
  })

  it('a message whose handler failed goes back to the queue and is delivered again', async () => {
    const queue = rabbit.queue('dur.retry')
    const pub = await publisher()
    await declare(pub.ch, queue)
    for (let n = 0; n < 3; n++) await publish(pub.ch, queue, { n })
    const s = await consumerSession()
    const attempts = new Map<number, number>()
    const done: number[] = []
    await consume(s.ch, queue, async (m) => {
      const { n } = m as { n: number }
      attempts.set(n, (attempts.get(n) ?? 0) + 1)
      if (n === 1 && attempts.get(n) === 1) throw new Error('temporary failure')
      done.push(n)
    })
    await waitFor(() => done.length === 3, () => `all 3 messages to be handled, message 1 after its first attempt failed (handled ${JSON.stringify(done)})${s.watch.describe()}`)
    expect(attempts.get(1), 'handler calls for message 1 (failed once, then succeeded)').toBe(2)
    expect(attempts.get(0), 'handler calls for message 0').toBe(1)
    await sleep(50)
    await s.conn.close()
    await sleep(50)
    expect(await readyCount(pub.ch, queue), 'messages left in the queue after all were handled and the consumer disconnected').toBe(0)
  })

  it('rejects a body that is not JSON without requeueing it, and goes on with the next message', async () => {
    const queue = rabbit.queue('dur.garbage')
    const pub = await publisher()
    await declare(pub.ch, queue)
    pub.ch.sendToQueue(queue, Buffer.from('<order id="1"/>'), { persistent: true })
    await publish(pub.ch, queue, { n: 2 })
    const s = await consumerSession()
    const tap = tapChannel(s.ch)
    const got: unknown[] = []
    await consume(tap.channel, queue, async (m) => void got.push(m))
    await waitFor(() => got.length === 1, () => `the JSON message after the broken one to be handled${s.watch.describe()}`)
    await sleep(100)
    expect(got, 'bodies the handler received').toEqual([{ n: 2 }])
    const requeued = tap.log.filter((st) => (st.op === 'nack' || st.op === 'reject') && st.requeue).length
    expect(requeued, 'nacks/rejects with requeue for the body that is not JSON (no retry can fix it: reject it with requeue false)').toBe(0)
    await s.conn.close()
    await sleep(50)
    expect(await readyCount(pub.ch, queue), 'messages left in the queue after the consumer disconnected (the broken one must be rejected, not left or requeued)').toBe(0)
  })

  it('declares the queue itself and consumes messages published later', async () => {
    const queue = rabbit.queue('dur.late')
    const s = await consumerSession()
    const got: unknown[] = []
    await consume(s.ch, queue, async (m) => void got.push(m))
    const pub = await publisher()
    await publish(pub.ch, queue, { late: true })
    await waitFor(() => got.length === 1, () => `the consumer to get a message published after it started${s.watch.describe()}`)
    expect(got[0], 'the message the handler received').toEqual({ late: true })
  })
})
