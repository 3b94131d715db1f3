import { describe, expect, it } from 'vitest'
import type { ChannelModel } from 'amqplib'
import { useRabbit } from '#support/rabbitmq'
import { deferred, sleep, waitFor, within } from '#support/queues'
import { createEventBus } from '@kata/queues/event-bus'

interface EventEnvelope {
  id: string
  type: string
  occurredAt: string
  payload: unknown
}
type EventHandler = (event: EventEnvelope) => Promise<void>
interface Subscription {
  stop(): Promise<void>
}
interface EventBus {
  publish(type: string, payload: unknown): Promise<EventEnvelope>
  subscribe(queue: string, patterns: string[], handler: EventHandler): Promise<Subscription>
}
const busOn = (conn: ChannelModel, exchange: string): Promise<EventBus> => createEventBus(conn, exchange)

const rabbit = useRabbit()

/** A bus for the producer side and one per "service", each on its own connection. */
async function world(base: string) {
  const exchange = rabbit.exchange(base)
  const producer = await busOn(await rabbit.connect(), exchange)
  const service = async () => busOn(await rabbit.connect(), exchange)
  return { exchange, producer, service }
}

/** Records the events a subscriber handled. */
function inbox() {
  const events: EventEnvelope[] = []
  return { events, handler: (async (e) => void events.push(e)) as EventHandler, types: () => events.map((e) => e.type) }
}

describe('createEventBus(connection, exchange)', () => {
  it('publish(type, payload) returns the envelope it sent: a unique id, the type, occurredAt, the payload', async () => {
    const w = await world('ev.env')
    const before = Date.now()
    const a = await within(w.producer.publish('order.placed', { orderId: 1 }), 3000, 'publish("order.placed", ...)')
    const b = await w.producer.publish('order.placed', { orderId: 2 })
    expect(a.type, 'envelope.type').toBe('order.placed')
    expect(a.payload, 'envelope.payload').toEqual({ orderId: 1 })
    expect(typeof a.id === 'string' && a.id.length > 0, `envelope.id is a non-empty string (got ${JSON.stringify(a.id)})`).toBe(true)
    expect(a.id === b.id, 'two publishes got the same envelope.id').toBe(false)
    const at = Date.parse(a.occurredAt)
    expect(Number.isNaN(at), `envelope.occurredAt is an ISO date string (got ${JSON.stringify(a.occurredAt)})`).toBe(false)
    expect(at >= before - 1000 && at <= Date.now() + 1000, `envelope.occurredAt is the time of publishing (got ${a.occurredAt})`).toBe(true)
  })

  it('one event, several independent subscribers: each gets every event exactly once, the same envelope', async () => {
    const w = await world('ev.fan')
    const names = { billing: rabbit.queue('ev.billing'), shipping: rabbit.queue('ev.shipping'), email: rabbit.queue('ev.email') }
    const boxes = { billing: inbox(), shipping: inbox(), email: inbox() }
    for (const k of ['billing', 'shipping', 'email'] as const) await (await w.service()).subscribe(names[k], ['order.placed'], boxes[k].handler)
    const sent: EventEnvelope[] = []
    for (let i = 0; i < 5; i++) sent.push(await w.producer.publish('order.placed', { orderId: i }))
    const all = () => Object.values(boxes).every((b) => b.events.length >= 5)
    await waitFor(all, () => `each subscriber to get 5 events (got ${Object.entries(boxes).map(([k, b]) => `${k} ${b.events.length}`).join(', ')})`)
    await sleep(100)
    for (const [k, b] of Object.entries(boxes)) {
      expect(b.events.map((e) => e.id).sort(), `envelope ids subscriber "${k}" received (each once)`).toEqual(sent.map((e) => e.id).sort())
      expect(b.events.find((e) => e.id === sent[0]!.id), `the envelope "${k}" received for the first event`).toEqual(sent[0])
    }
  })

  it('subscribers choose event types with topic patterns', async () => {
    const w = await world('ev.types')
    const shipping = inbox()
    const analytics = inbox()
    const accounts = inbox()
    await (await w.service()).subscribe(rabbit.queue('ev.ship'), ['order.placed'], shipping.handler)
    await (await w.service()).subscribe(rabbit.queue('ev.analytics'), ['order.*', 'user.signed-up'], analytics.handler)
    await (await w.service()).subscribe(rabbit.queue('ev.accounts'), ['user.#'], accounts.handler)
    for (const t of ['order.placed', 'order.cancelled', 'user.signed-up', 'user.email.changed', 'invoice.sent']) await w.producer.publish(t, {})
    await waitFor(() => analytics.events.length >= 3 && accounts.events.length >= 2 && shipping.events.length >= 1, 'the subscribers to get their events')
    await sleep(100)
    expect(shipping.types(), 'event types "order.placed" subscriber got').toEqual(['order.placed'])
    expect(analytics.types().sort(), 'event types the ["order.*", "user.signed-up"] subscriber got').toEqual(['order.cancelled', 'order.placed', 'user.signed-up'])
    expect(accounts.types().sort(), 'event types the "user.#" subscriber got').toEqual(['user.email.changed', 'user.signed-up'])
  })

  it('two instances of one service share its queue: each event is handled once per service, not once per instance', async () => {
    const w = await world('ev.scale')
    const queue = rabbit.queue('ev.billing2')
    const one = inbox()
    const two = inbox()
    const other = inbox()
    await (await w.service()).subscribe(queue, ['order.placed'], one.handler)
    await (await w.service()).subscribe(queue, ['order.placed'], two.handler)
    await (await w.service()).subscribe(rabbit.queue('ev.other'), ['order.placed'], other.handler)
    for (let i = 0; i < 10; i++) await w.producer.publish('order.placed', { i })
    await waitFor(() => one.events.length + two.events.length >= 10 && other.events.length >= 10, 'both services to handle the 10 events')
    await sleep(100)
    const ids = [...one.events, ...two.events].map((e) => e.id)
    expect(ids.length, 'events handled by the two instances of the billing service together').toBe(10)
    expect(new Set(ids).size, 'distinct events handled by the billing service').toBe(10)
    expect(other.events.length, 'events handled by the other service (its own queue: all of them)').toBe(10)
  })

  it('a failing subscriber does not block the others, and its failures are not redelivered forever', async () => {
    const w = await world('ev.fail')
    let failing = 0
    const healthy = inbox()
    await (await w.service()).subscribe(rabbit.queue('ev.broken'), ['order.placed'], async () => {
      failing++
      throw new Error('this service is broken')
    })
    await (await w.service()).subscribe(rabbit.queue('ev.healthy'), ['order.placed'], healthy.handler)
    for (let i = 0; i < 8; i++) await w.producer.publish('order.placed', { i })
    await waitFor(() => healthy.events.length >= 8, () => `the healthy subscriber to get all 8 events (got ${healthy.events.length})`)
    await waitFor(() => failing >= 8, () => `the failing subscriber to be called for each of the 8 events, one after another failure (called ${failing} times)`)
    await sleep(150)
    expect(failing, 'calls of the failing handler for 8 events (a failure rejects that subscriber\'s copy, no redelivery loop)').toBe(8)
    expect(healthy.events.length, 'events the healthy subscriber handled').toBe(8)
  })

  it('a subscriber whose handler hangs does not delay the others', async () => {
    const w = await world('ev.hang')
    let hanging = 0
    const fast = inbox()
    await (await w.service()).subscribe(rabbit.queue('ev.stuck'), ['#'], async () => {
      hanging++
      await new Promise(() => undefined)
    })
    await (await w.service()).subscribe(rabbit.queue('ev.fast'), ['#'], fast.handler)
    for (let i = 0; i < 6; i++) await w.producer.publish('thing.happened', { i })
    await waitFor(() => fast.events.length >= 6, () => `the other subscriber to get all 6 events while one subscriber hangs (got ${fast.events.length})`)
    expect(hanging, 'the hanging subscriber was called (it has its own copy)').toBeGreaterThan(0)
  })

  it("a subscription that fails with a channel error does not take down the bus's other subscriptions", async () => {
    const w = await world('ev.chanerr')
    const bus = await w.service()
    const alive = inbox()
    await bus.subscribe(rabbit.queue('ev.alive'), ['#'], alive.handler)
    // A queue that already exists with other arguments: declaring it durable makes RabbitMQ
    // close the channel that tried (406 PRECONDITION_FAILED).
    const clash = rabbit.queue('ev.clash')
    const admin = await rabbit.channel()
    await admin.assertQueue(clash, { durable: false })
    const outcome = await within(
      bus.subscribe(clash, ['#'], async () => undefined).then(
        () => 'subscribed',
        () => 'rejected',
      ),
      3000,
      'subscribe() to a queue that exists with other arguments',
    )
    expect(outcome, 'subscribe() to a queue that already exists as non-durable: RabbitMQ refuses the declaration').toBe('rejected')
    await w.producer.publish('thing.after', { n: 1 })
    await waitFor(
      () => alive.events.length === 1,
      () => `the bus's other subscription to keep getting events after one subscribe() failed with a channel error (got ${alive.events.length}): give every subscriber a channel of its own`,
    )
  })

  it('stop() resolves only once the handler in progress has finished', async () => {
    const w = await world('ev.stop')
    const started = deferred()
    const release = deferred()
    let finished = false
    const sub = await (await w.service()).subscribe(rabbit.queue('ev.stopping'), ['#'], async () => {
      started.resolve()
      await release.promise
      finished = true
    })
    await w.producer.publish('job.long', {})
    await within(started.promise, 3000, 'the handler to start')
    let stopped = false
    const stopping = sub.stop().then(() => void (stopped = true))
    await sleep(100)
    expect(stopped, 'stop() resolved while a handler was still running (it must wait for it)').toBe(false)
    release.resolve()
    await within(stopping, 3000, 'subscription.stop() after the handler finished')
    expect(finished, 'the handler had finished when stop() resolved').toBe(true)
  })

  it('a stopped subscriber gets the events it missed when it comes back; a brand-new one does not get old events', async () => {
    const w = await world('ev.later')
    const queue = rabbit.queue('ev.reports')
    const first = inbox()
    const sub = await (await w.service()).subscribe(queue, ['report.#'], first.handler)
    await w.producer.publish('report.daily', { day: 1 })
    await waitFor(() => first.events.length === 1, 'the subscriber to get the first event')
    await within(sub.stop(), 3000, 'subscription.stop()')
    const missed = [await w.producer.publish('report.daily', { day: 2 }), await w.producer.publish('report.weekly', { week: 1 })]
    await sleep(100)
    expect(first.events.length, 'events handled after stop()').toBe(1)
    const back = inbox()
    await (await w.service()).subscribe(queue, ['report.#'], back.handler)
    const newcomer = inbox()
    await (await w.service()).subscribe(rabbit.queue('ev.newcomer'), ['report.#'], newcomer.handler)
    await waitFor(() => back.events.length >= 2, () => `the restarted subscriber to get the 2 events published while it was stopped (got ${back.events.length})`)
    await sleep(100)
    expect(back.events.map((e) => e.id), 'events the restarted subscriber got: exactly the missed ones').toEqual(missed.map((e) => e.id))
    expect(newcomer.events, 'events a brand-new subscriber got (its queue did not exist when they were published)').toEqual([])
  })
})
