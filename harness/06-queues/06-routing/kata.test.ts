import { describe, expect, it } from 'vitest'
import type { Channel, ConfirmChannel } from 'amqplib'
import { useRabbit } from '#support/rabbitmq'
import { drain, json, sleep, watchChannel, within } from '#support/queues'
import { declareTopology, publishEvent, topicMatches } from '@kata/queues/routing'

interface Topology {
  exchange: string
  type: 'direct' | 'topic'
  bindings: Record<string, string[]>
}
const declare = (ch: Channel, t: Topology): Promise<void> => declareTopology(ch, t)
const matches = (pattern: string, key: string): boolean => topicMatches(pattern, key)
const publish = (ch: ConfirmChannel, ex: string, key: string, ev: unknown): Promise<'routed' | 'unroutable'> => publishEvent(ch, ex, key, ev)

const rabbit = useRabbit()

/** Unique queue names for roles like "audit", "eu-orders". */
function queues<K extends string>(roles: readonly K[]): Record<K, string> {
  return Object.fromEntries(roles.map((r) => [r, rabbit.queue(`rt.${r}`)])) as Record<K, string>
}

/** Publishes one message per routing key (the body is the key) and waits until the broker has them. */
async function publishKeys(exchange: string, keys: string[]) {
  const conn = await rabbit.connect()
  const ch = await conn.createConfirmChannel()
  for (const key of keys) ch.publish(exchange, key, json(key))
  await ch.waitForConfirms()
}

/** Routing keys each queue received, sorted. */
async function received(ch: Channel, names: Record<string, string>) {
  const out: Record<string, string[]> = {}
  for (const [role, q] of Object.entries(names)) out[role] = (await drain(ch, q)).map((m) => JSON.parse(m.content.toString()) as string).sort()
  return out
}

async function brokerError(fn: (ch: Channel) => Promise<unknown>): Promise<string | null> {
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

describe('declareTopology(channel, { exchange, type, bindings })', () => {
  it('direct exchange: a message goes to exactly the queues bound with its routing key', async () => {
    const exchange = rabbit.exchange('rt.logs')
    const q = queues(['errors', 'chatty', 'ops'] as const)
    const ch = await rabbit.channel()
    const watch = watchChannel(ch)
    await declare(ch, { exchange, type: 'direct', bindings: { [q.errors]: ['error'], [q.chatty]: ['info', 'warning'], [q.ops]: ['error', 'info'] } })
    await publishKeys(exchange, ['error', 'info', 'warning', 'debug'])
    expect(await received(ch, q), `routing keys each queue received after publishing error, info, warning, debug${watch.describe()}`).toEqual({
      errors: ['error'],
      chatty: ['info', 'warning'],
      ops: ['error', 'info'],
    })
  })

  it('topic exchange: `*` is one word, `#` is zero or more words', async () => {
    const exchange = rabbit.exchange('rt.events')
    const q = queues(['audit', 'euOrders', 'created', 'payments', 'users'] as const)
    const ch = await rabbit.channel()
    const watch = watchChannel(ch)
    const bindings = {
      [q.audit]: ['#'],
      [q.euOrders]: ['order.eu.*'],
      [q.created]: ['*.*.created'],
      [q.payments]: ['order.#.paid'],
      [q.users]: ['user.#'],
    }
    await declare(ch, { exchange, type: 'topic', bindings })
    const keys = ['order.eu.created', 'order.us.created', 'order.eu.paid', 'order.eu.card.paid', 'order.paid', 'user.signup', 'user', 'invoice.eu.created.v2']
    await publishKeys(exchange, keys)
    expect(
      await received(ch, q),
      `routing keys each queue received; bindings audit "#", euOrders "order.eu.*", created "*.*.created", payments "order.#.paid", users "user.#"${watch.describe()}`,
    ).toEqual({
      audit: [...keys].sort(),
      euOrders: ['order.eu.created', 'order.eu.paid'],
      created: ['order.eu.created', 'order.us.created'],
      payments: ['order.eu.card.paid', 'order.eu.paid', 'order.paid'],
      users: ['user', 'user.signup'],
    })
  })

  it('declares a durable exchange of the requested type and durable queues', async () => {
    const exchange = rabbit.exchange('rt.durable')
    const q = queues(['one'] as const)
    const ch = await rabbit.channel()
    await declare(ch, { exchange, type: 'topic', bindings: { [q.one]: ['a.#'] } })
    expect(await brokerError((c) => c.checkExchange(exchange)), `the exchange "${exchange}" exists`).toBeNull()
    expect(await brokerError((c) => c.assertExchange(exchange, 'topic', { durable: true })), 'declaring the same exchange as a durable topic exchange from another connection agrees').toBeNull()
    expect(await brokerError((c) => c.assertQueue(q.one, { durable: true })), 'declaring the queue as durable from another connection agrees').toBeNull()
  })

  it('can be declared again by every process that starts: no error, no double delivery', async () => {
    const exchange = rabbit.exchange('rt.again')
    const q = queues(['one'] as const)
    const ch = await rabbit.channel()
    const watch = watchChannel(ch)
    const t: Topology = { exchange, type: 'direct', bindings: { [q.one]: ['k'] } }
    await declare(ch, t)
    await expect(declare(ch, t), `a second declareTopology with the same topology${watch.describe()}`).resolves.toBeUndefined()
    await publishKeys(exchange, ['k'])
    expect(await received(ch, q), 'messages the queue received for one publish with key "k"').toEqual({ one: ['k'] })
  })
})

describe('topicMatches(pattern, routingKey) agrees with RabbitMQ', () => {
  const patterns = ['#', '*', 'a', 'a.*', 'a.#', '#.a', '*.a', 'a.*.b', 'a.#.b', '#.b.#', '*.*', '#.*', 'a.*.#', '*.#.*', 'a.#.#', '#.x.*']
  const keys = ['a', 'b', 'x', 'a.b', 'b.a', 'a.a', 'a.x.b', 'a.x.y.b', 'a.b.c', 'x.b.y', 'a.b.b', 'b.x.a', 'q.x.z', 'x.a']

  it(`${patterns.length} patterns × ${keys.length} routing keys: the same answer as a real topic exchange`, async () => {
    // The truth comes from the broker: one queue per pattern, one message per key.
    const exchange = rabbit.exchange('rt.truth')
    const ch = await rabbit.channel()
    await ch.assertExchange(exchange, 'topic', { durable: false })
    const names: Record<string, string> = {}
    for (const p of patterns) {
      const q = rabbit.queue('rt.p')
      names[p] = q
      await ch.assertQueue(q, { durable: false })
      await ch.bindQueue(q, exchange, p)
    }
    await publishKeys(exchange, keys)
    const truth = await received(ch, names)
    const wrong: string[] = []
    for (const p of patterns)
      for (const k of keys) {
        const broker = truth[p]!.includes(k)
        let yours: unknown
        try {
          yours = matches(p, k)
        } catch (err) {
          yours = `throws ${(err as Error).message}`
        }
        if (yours !== broker) wrong.push(`topicMatches("${p}", "${k}") is ${String(yours)}, RabbitMQ says ${broker}`)
      }
    expect(wrong.slice(0, 12), `answers that differ from RabbitMQ (${wrong.length} of ${patterns.length * keys.length})`).toEqual([])
  })

  it('matches words, not substrings or prefixes', () => {
    expect(matches('order.*', 'orders.new'), 'topicMatches("order.*", "orders.new")').toBe(false)
    expect(matches('order.new', 'order.news'), 'topicMatches("order.new", "order.news")').toBe(false)
    expect(matches('a.b', 'a.b.c'), 'topicMatches("a.b", "a.b.c")').toBe(false)
    expect(matches('order.new', 'order-new'), 'topicMatches("order.new", "order-new"): "." separates words, it is not "any character"').toBe(false)
    expect(matches('order.#', 'order_x'), 'topicMatches("order.#", "order_x")').toBe(false)
    expect(matches('stock.*.nyse', 'stock.usd.nyse'), 'topicMatches("stock.*.nyse", "stock.usd.nyse")').toBe(true)
  })
})

describe('publishEvent(confirmChannel, exchange, routingKey, event)', () => {
  async function topicSetup(base: string) {
    const exchange = rabbit.exchange(base)
    const q = queues(['orders'] as const)
    const admin = await rabbit.channel()
    await admin.assertExchange(exchange, 'topic', { durable: true })
    await admin.assertQueue(q.orders, { durable: true })
    await admin.bindQueue(q.orders, exchange, 'order.#')
    const conn = await rabbit.connect()
    const ch = await conn.createConfirmChannel()
    return { exchange, q, admin, ch, watch: watchChannel(ch) }
  }

  it('returns "routed" when a queue took the event, and the queue holds it as JSON', async () => {
    const s = await topicSetup('rt.pub')
    const result = await within(publish(s.ch, s.exchange, 'order.created', { id: 1 }), 3000, 'publishEvent(ch, exchange, "order.created", {id:1})')
    expect(result, `publishEvent with a key bound to a queue ("order.#")${s.watch.describe()}`).toBe('routed')
    const [m] = await drain(s.admin, s.q.orders)
    expect(m && JSON.parse(m.content.toString()), 'the event in the queue').toEqual({ id: 1 })
  })

  it('returns "unroutable" when no binding matches (the message would silently vanish)', async () => {
    const s = await topicSetup('rt.lost')
    const result = await within(publish(s.ch, s.exchange, 'invoice.created', { id: 2 }), 3000, 'publishEvent(ch, exchange, "invoice.created", ...)')
    expect(result, `publishEvent with a key no queue is bound to${s.watch.describe()}`).toBe('unroutable')
  })

  it('tells each of 30 parallel publishes apart: routed and unroutable mixed', async () => {
    const s = await topicSetup('rt.mix')
    const keys = Array.from({ length: 30 }, (_, i) => (i % 3 === 0 ? `nobody.${i}` : `order.${i}`))
    const results = await within(Promise.all(keys.map((k, i) => publish(s.ch, s.exchange, k, { i }))), 3000, '30 parallel publishEvent calls')
    const wrong = keys.map((k, i) => [k, results[i]] as const).filter(([k, r]) => r !== (k.startsWith('order.') ? 'routed' : 'unroutable'))
    expect(wrong, `publishes whose result is wrong, as [routingKey, result]${s.watch.describe()}`).toEqual([])
    await sleep(20)
    expect((await drain(s.admin, s.q.orders)).length, 'events in the orders queue').toBe(20)
  })

  it('rejects, instead of hanging, when the exchange does not exist', async () => {
    const s = await topicSetup('rt.gone')
    s.ch.on('error', () => undefined)
    expect(await within(publish(s.ch, s.exchange, 'order.ok', {}), 3000, 'publishEvent to an existing exchange'), 'publishEvent to the existing exchange first').toBe('routed')
    let outcome = 'pending'
    await within(
      publish(s.ch, rabbit.exchange('rt.missing'), 'order.x', {}).then(
        (r) => void (outcome = `resolved ${r}`),
        () => void (outcome = 'rejected'),
      ),
      2000,
      'publishEvent to an exchange that does not exist',
    )
    expect(outcome, 'publishEvent to a missing exchange (RabbitMQ closes the channel with 404)').toBe('rejected')
  })
})
