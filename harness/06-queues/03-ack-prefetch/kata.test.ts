import { describe, expect, it } from 'vitest'
import type { Channel } from 'amqplib'
import { useRabbit } from '#support/rabbitmq'
import { deferred, drain, json, readyCount, sleep, waitFor, watchChannel } from '#support/queues'
import { tapChannel } from '#support/faults/amqp'
import { startConsumer } from '@kata/queues/ack-prefetch'

interface Delivery {
  body: unknown
  redelivered: boolean
}
type Handler = (d: Delivery) => Promise<void>
const start = (ch: Channel, q: string, prefetch: number, h: Handler): Promise<void> => startConsumer(ch, q, { prefetch }, h)

const rabbit = useRabbit()

/** A work queue whose rejected messages are dead-lettered into a second queue we can inspect. */
async function setup(base: string) {
  const queue = rabbit.queue(base)
  const dlq = rabbit.queue(`${base}.dlq`)
  const admin = await rabbit.channel()
  await admin.assertQueue(dlq, { durable: true })
  await admin.assertQueue(queue, { durable: true, arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': dlq } })
  const conn = await rabbit.connect()
  const ch = await conn.createChannel()
  return { queue, dlq, admin, conn, ch, watch: watchChannel(ch) }
}

/** Tracks how many handler calls run at once, and lets the test release them. */
function gatedHandler() {
  let inFlight = 0
  let maxInFlight = 0
  let done = 0
  const gates: (() => void)[] = []
  const handler: Handler = async () => {
    inFlight++
    maxInFlight = Math.max(maxInFlight, inFlight)
    const gate = deferred()
    gates.push(() => gate.resolve())
    await gate.promise
    inFlight--
    done++
  }
  return {
    handler,
    get inFlight() {
      return inFlight
    },
    get maxInFlight() {
      return maxInFlight
    },
    get done() {
      return done
    },
    releaseAll() {
      for (const g of gates.splice(0)) g()
    },
  }
}

describe('startConsumer(channel, queue, { prefetch }, handler): prefetch', () => {
  for (const prefetch of [3, 1]) {
    it(`prefetch ${prefetch}: never more than ${prefetch} unacknowledged messages in flight, the rest stay in the queue`, async () => {
      const s = await setup(`ack.pf${prefetch}`)
      const total = 12
      for (let i = 0; i < total; i++) s.admin.sendToQueue(s.queue, json({ i }))
      await waitFor(async () => (await readyCount(s.admin, s.queue)) === total, () => `${total} messages to be in the queue`)
      const g = gatedHandler()
      await start(s.ch, s.queue, prefetch, g.handler)
      await waitFor(() => g.inFlight >= prefetch, () => `${prefetch} handler calls to run at once (running: ${g.inFlight})${s.watch.describe()}`)
      await sleep(150)
      expect(g.inFlight, `handler calls running at once while none has finished, with prefetch ${prefetch}`).toBe(prefetch)
      expect(
        await readyCount(s.admin, s.queue),
        `messages still waiting in the queue (RabbitMQ must hold back all but ${prefetch}: set the prefetch on the channel, a local limit is not enough)`,
      ).toBe(total - prefetch)
      // Release the handlers wave by wave; the window must hold the whole time.
      while (g.done < total) {
        g.releaseAll()
        await sleep(5)
        if (g.inFlight === 0 && g.done < total) {
          await waitFor(() => g.inFlight > 0 || g.done >= total, () => `more deliveries after ${g.done} handler calls finished (RabbitMQ sends the next ones only when those are acknowledged)${s.watch.describe()}`)
        }
      }
      expect(g.maxInFlight, `the most handler calls that ever ran at once, prefetch ${prefetch}`).toBe(prefetch)
      await sleep(50)
      await s.conn.close()
      await sleep(50)
      expect(await readyCount(s.admin, s.queue), 'messages back in the queue after every handler succeeded and the consumer disconnected (all must be acked)').toBe(0)
      expect(await readyCount(s.admin, s.dlq), 'messages dead-lettered although every handler succeeded').toBe(0)
    })
  }
})

describe('startConsumer: ack, nack and redelivery', () => {
  it('acknowledges a message only when its handler succeeded: the handler sees redelivered=false the first time', async () => {
    const s = await setup('ack.ok')
    const seen: Delivery[] = []
    await start(s.ch, s.queue, 5, async (d) => void seen.push(d))
    for (let i = 0; i < 4; i++) s.admin.sendToQueue(s.queue, json({ i }))
    await waitFor(() => seen.length === 4, () => `4 deliveries to reach the handler (got ${seen.length})${s.watch.describe()}`)
    expect(seen.map((d) => d.body), 'the bodies the handler received, parsed').toEqual([0, 1, 2, 3].map((i) => ({ i })))
    expect(seen.map((d) => d.redelivered), 'delivery.redelivered of first deliveries').toEqual([false, false, false, false])
    await sleep(50)
    await s.conn.close()
    await sleep(50)
    expect(await readyCount(s.admin, s.queue), 'messages back in the queue after the consumer disconnected').toBe(0)
  })

  it('a handler that fails once: the message is requeued, redelivered with redelivered=true, and then acknowledged', async () => {
    const s = await setup('ack.retry')
    const calls: Delivery[] = []
    await start(s.ch, s.queue, 5, async (d) => {
      calls.push(d)
      if (!d.redelivered) throw new Error('temporary failure')
    })
    s.admin.sendToQueue(s.queue, json({ order: 1 }))
    await waitFor(() => calls.length >= 2, () => `the failed message to be delivered a second time (handler calls: ${calls.length})${s.watch.describe()}`)
    await sleep(100)
    expect(calls.length, 'handler calls for a message that failed once').toBe(2)
    expect(calls.map((c) => c.redelivered), 'delivery.redelivered on the first and the second call').toEqual([false, true])
    expect(calls[1]?.body, 'the body of the redelivered message').toEqual({ order: 1 })
    expect(await readyCount(s.admin, s.dlq), 'messages dead-lettered (the second attempt succeeded: none)').toBe(0)
  })

  it('a handler that fails again on the redelivery: the message is rejected without requeue (dead-lettered), not looped forever', async () => {
    const s = await setup('ack.poison')
    const calls: unknown[] = []
    await start(s.ch, s.queue, 5, async (d) => {
      calls.push(d.body)
      if ((d.body as { bad?: boolean }).bad) throw new Error('always fails')
    })
    s.admin.sendToQueue(s.queue, json({ bad: true }))
    s.admin.sendToQueue(s.queue, json({ bad: false }))
    await waitFor(async () => (await readyCount(s.admin, s.dlq)) === 1, () => `the failing message to reach the dead-letter queue (handler calls: ${JSON.stringify(calls)})${s.watch.describe()}`)
    await sleep(100)
    expect(calls.filter((b) => (b as { bad: boolean }).bad).length, 'handler calls for the message that always fails (first try + one redelivery)').toBe(2)
    expect(calls.filter((b) => !(b as { bad: boolean }).bad).length, 'handler calls for the good message sent after it').toBe(1)
    const [dead] = await drain(s.admin, s.dlq)
    expect(dead && JSON.parse(dead.content.toString()), 'the dead-lettered message keeps its body').toEqual({ bad: true })
    await s.conn.close()
    await sleep(50)
    expect(await readyCount(s.admin, s.queue), 'messages left in the work queue').toBe(0)
  })

  it('a body that is not JSON is rejected at once without calling the handler', async () => {
    const s = await setup('ack.garbage')
    const calls: unknown[] = []
    const tap = tapChannel(s.ch)
    await start(tap.channel, s.queue, 5, async (d) => void calls.push(d.body))
    s.admin.sendToQueue(s.queue, Buffer.from('{not json'))
    s.admin.sendToQueue(s.queue, json({ fine: true }))
    await waitFor(() => calls.length >= 1, () => `the JSON message after the broken one to be handled${s.watch.describe()}`)
    await waitFor(async () => (await readyCount(s.admin, s.dlq)) === 1, 'the broken message to reach the dead-letter queue')
    await sleep(50)
    expect(calls, 'bodies the handler was called with (never the broken one)').toEqual([{ fine: true }])
    const [dead] = await drain(s.admin, s.dlq)
    expect(dead?.content.toString(), 'the dead-lettered message').toBe('{not json')
    const requeued = tap.log.filter((st) => (st.op === 'nack' || st.op === 'reject') && st.requeue && st.message.content.toString() === '{not json').length
    expect(requeued, 'nacks with requeue for the body that is not JSON (no retry can fix it: nack it without requeue the first time)').toBe(0)
  })

  it('a slow message does not hold back the others: the window keeps moving', async () => {
    const s = await setup('ack.slow')
    const slow = deferred()
    const done: number[] = []
    await start(s.ch, s.queue, 2, async (d) => {
      const { i } = d.body as { i: number }
      if (i === 0) await slow.promise
      done.push(i)
    })
    for (let i = 0; i < 6; i++) s.admin.sendToQueue(s.queue, json({ i }))
    await waitFor(() => done.length === 5, () => `messages 1..5 to be handled while message 0 is still in progress (handled ${JSON.stringify(done)})${s.watch.describe()}`)
    expect(done, 'messages handled while message 0 is still in progress, prefetch 2').toEqual([1, 2, 3, 4, 5])
    slow.resolve()
    await waitFor(() => done.length === 6, 'message 0 to finish')
  })
})
