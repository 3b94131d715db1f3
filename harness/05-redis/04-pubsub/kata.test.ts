import { afterEach, describe, expect, it } from 'vitest'
import { useRedis } from '#support/redis'
import { lazyRaw, sleep, waitFor } from '#support/redis-chapter'
import { tapRedis, type Gate, type RedisTap } from '#support/faults/redis'
import { createBus } from '@kata/redis/pubsub'

const redis = useRedis()
const raw = lazyRaw(redis)

type Handler = (message: unknown) => void
interface Bus {
  publish(channel: string, message: unknown): Promise<number>
  subscribe(channel: string, handler: Handler): Promise<() => Promise<void>>
  close(): Promise<void>
}

const opened: Bus[] = []

/** One app instance's bus: its own publisher, its own connections, this suite's namespace. */
function bus(): Bus {
  const b = createBus({ publisher: redis.client(), connect: () => redis.client(), namespace: redis.prefix }) as Bus
  opened.push(b)
  return b
}

/** A handler that records what it receives. */
function recorder() {
  const got: unknown[] = []
  const handler: Handler = (m) => {
    got.push(m)
  }
  return { got, handler }
}

/** How many connections are subscribed to a channel of this suite, asked of Redis itself. */
async function subscribers(channel: string): Promise<number> {
  const reply = (await raw().pubsub('NUMSUB', redis.prefix + channel)) as [string, number]
  return Number(reply[1])
}

afterEach(async () => {
  await Promise.allSettled(opened.splice(0).map((b) => b.close()))
})

describe('createBus({ publisher, connect, namespace })', () => {
  it('delivers every message published after subscribe() resolved to every subscriber, in order', async () => {
    const subs = [recorder(), recorder(), recorder()]
    for (const s of subs) await bus().subscribe('news', s.handler)
    const publisher = bus()
    const sent = Array.from({ length: 30 }, (_, i) => ({ seq: i, text: `item ${i}` }))
    await Promise.all(sent.map((m) => publisher.publish('news', m)))
    await waitFor(() => subs.every((s) => s.got.length >= sent.length), 3000)
    subs.forEach((s, i) => {
      expect(s.got, `messages received by subscriber #${i + 1} (its own bus) of 30 published on "news"`).toEqual(sent)
    })
  })

  it('publish() resolves to the number of connections that received the message', async () => {
    const publisher = bus()
    expect(await publisher.publish('empty-room', 'hello?'), 'publish("empty-room", …) with nobody subscribed').toBe(0)
    await bus().subscribe('room', () => undefined)
    await bus().subscribe('room', () => undefined)
    expect(await publisher.publish('room', 'hi'), 'publish("room", …) with 2 buses subscribed to "room"').toBe(2)
  })

  it('subscribe() resolves only once Redis has the subscription', async () => {
    // The subscriber connection is tapped: its SUBSCRIBE waits on a gate, so a subscribe()
    // that resolves before Redis confirmed is caught every time, not only when it is slow.
    const taps: RedisTap[] = []
    const gates: Gate[] = []
    const b = createBus({
      publisher: redis.client(),
      connect: () => {
        const tap = tapRedis(redis.client())
        taps.push(tap)
        gates.push(tap.hold((cmd) => ['subscribe', 'psubscribe', 'ssubscribe'].includes(cmd.name)))
        return tap.client
      },
      namespace: redis.prefix,
    }) as Bus
    opened.push(b)
    let resolved = false
    const subscribing = b.subscribe('ready', () => undefined).then(() => void (resolved = true))
    try {
      await Promise.race([Promise.any(gates.map((g) => g.reached)), subscribing, sleep(3000)])
      if (gates.some((g) => g.isReached())) {
        await sleep(50)
        expect(resolved, 'subscribe("ready") resolved while its SUBSCRIBE had not reached Redis yet: wait for the subscription to be confirmed').toBe(false)
      }
    } finally {
      for (const t of taps) t.releaseAll()
    }
    await subscribing
    expect(await subscribers('ready'), 'PUBSUB NUMSUB for "ready" right after subscribe("ready", …) resolved').toBe(1)
  })

  it('carries JSON values: objects, arrays, strings, numbers, booleans and null arrive as they were sent', async () => {
    const r = recorder()
    await bus().subscribe('values', r.handler)
    const sent: unknown[] = [{ user: { id: 7, tags: ['a', 'b'] } }, [1, 2, 3], 'plain text', 42, true, null]
    const publisher = bus()
    for (const m of sent) await publisher.publish('values', m)
    await waitFor(() => r.got.length >= sent.length, 3000)
    expect(r.got, 'values received on "values"').toEqual(sent)
  })

  it('puts the namespace in front of every channel name, in both directions', async () => {
    const listener = redis.raw()
    const seen: Array<[string, string]> = []
    listener.on('message', (channel: string, message: string) => seen.push([channel, message]))
    await listener.subscribe(`${redis.prefix}orders`)
    await bus().publish('orders', { id: 1 })
    await waitFor(() => seen.length > 0, 2000)
    expect(seen[0], 'what a plain Redis subscriber of "<namespace>orders" got after bus.publish("orders", { id: 1 })').toEqual([
      `${redis.prefix}orders`,
      JSON.stringify({ id: 1 }),
    ])

    const r = recorder()
    await bus().subscribe('orders', r.handler)
    const publisher = redis.client()
    await publisher.publish(`${redis.prefix}orders`, JSON.stringify({ id: 2 }))
    await waitFor(() => r.got.length > 0, 2000)
    expect(r.got, 'handler of subscribe("orders") after a plain PUBLISH to "<namespace>orders"').toEqual([{ id: 2 }])
  })

  it('gives each handler only the messages of its own channel', async () => {
    const a = recorder()
    const b = recorder()
    const sub = bus()
    await sub.subscribe('ch-a', a.handler)
    await sub.subscribe('ch-b', b.handler)
    const publisher = bus()
    // One publisher connection keeps its order: once "a1" arrived, "b1" would have too.
    await publisher.publish('ch-b', 'b1')
    await publisher.publish('ch-a', 'a1')
    await waitFor(() => a.got.length > 0 && b.got.length > 0, 2000)
    expect(a.got, 'handler of "ch-a" after publish("ch-b", "b1") then publish("ch-a", "a1")').toEqual(['a1'])
    expect(b.got, 'handler of "ch-b"').toEqual(['b1'])
  })

  it('serves several handlers of one channel with one subscription, and unsubscribes when the last one leaves', async () => {
    const sub = bus()
    const first = recorder()
    const second = recorder()
    const offFirst = await sub.subscribe('shared', first.handler)
    const offSecond = await sub.subscribe('shared', second.handler)
    expect(await subscribers('shared'), 'PUBSUB NUMSUB "shared" with 2 handlers on one bus: one connection, one subscription').toBe(1)

    const publisher = bus()
    expect(await publisher.publish('shared', 'm1'), 'publish("shared", "m1"): receiving connections').toBe(1)
    await waitFor(() => first.got.length > 0 && second.got.length > 0, 2000)
    expect([first.got, second.got], 'what the two handlers of "shared" got').toEqual([['m1'], ['m1']])

    await offFirst()
    expect(await subscribers('shared'), 'PUBSUB NUMSUB "shared" after one of two handlers unsubscribed').toBe(1)
    await publisher.publish('shared', 'm2')
    await waitFor(() => second.got.length > 1, 2000)
    expect(second.got, 'the remaining handler after the first one unsubscribed').toEqual(['m1', 'm2'])
    expect(first.got, 'the handler that unsubscribed (must get nothing more)').toEqual(['m1'])

    await offSecond()
    expect(await subscribers('shared'), 'PUBSUB NUMSUB "shared" after the last handler unsubscribed').toBe(0)
  })

  it('keeps delivering to the other handlers when one handler throws', async () => {
    const sub = bus()
    const good = recorder()
    await sub.subscribe('fragile', () => {
      throw new Error('a buggy handler')
    })
    await sub.subscribe('fragile', good.handler)
    const publisher = bus()
    await publisher.publish('fragile', 1)
    await publisher.publish('fragile', 2)
    await waitFor(() => good.got.length >= 2, 2000)
    expect(good.got, 'messages of the well-behaved handler next to one that throws').toEqual([1, 2])
  })

  it('close() drops every subscription of the bus', async () => {
    const sub = bus()
    const r = recorder()
    await sub.subscribe('c1', r.handler)
    await sub.subscribe('c2', r.handler)
    await sub.close()
    expect([await subscribers('c1'), await subscribers('c2')], 'PUBSUB NUMSUB for "c1" and "c2" after close()').toEqual([0, 0])
    expect(await bus().publish('c1', 'late'), 'publish("c1", …) after the only subscriber closed').toBe(0)
  })
})
