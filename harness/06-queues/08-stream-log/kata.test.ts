import { describe, expect, it } from 'vitest'
import type { Redis } from 'ioredis'
import { useRedis } from '#support/redis'
import { sleep } from '#support/queues'
import { createConsumer, createProducer, partitionFor, readFrom } from '@kata/queues/stream-log'

interface LogOptions {
  redis: Redis
  topic: string
  partitions: number
}
interface LogRecord {
  partition: number
  id: string
  key: string
  value: unknown
}
interface Producer {
  send(key: string, value: unknown): Promise<{ partition: number; id: string }>
}
interface Consumer {
  poll(count: number): Promise<LogRecord[]>
  ack(records: LogRecord[]): Promise<void>
  recover(minIdleMs: number, count: number): Promise<LogRecord[]>
}
const partitionOf = (key: string, n: number): number => partitionFor(key, n)
const producer = (o: LogOptions): Producer => createProducer(o)
const consumer = (o: LogOptions, group: string, name: string): Consumer => createConsumer({ ...o, group, consumer: name })
const replay = (o: LogOptions, p: number, after: string, count: number): Promise<LogRecord[]> => readFrom(o, p, after, count)

const redis = useRedis()
let topics = 0

/** A fresh topic with 4 partitions, written through a prefixed client like the learner's. */
function log(partitions = 4): LogOptions {
  return { redis: redis.client(), topic: `orders${++topics}`, partitions }
}

/** The raw entries of one partition stream, read by the suite itself. */
async function streamEntries(o: LogOptions, p: number) {
  const entries = (await redis.raw().xrange(`${redis.prefix}${o.topic}:${p}`, '-', '+')) as [string, string[]][]
  return entries.map(([id, f]) => {
    const fields: Record<string, string> = {}
    for (let i = 0; i < f.length; i += 2) fields[f[i]!] = f[i + 1]!
    return { id, fields }
  })
}

async function pendingCount(o: LogOptions, group: string): Promise<number> {
  let total = 0
  for (let p = 0; p < o.partitions; p++) {
    const info = (await redis.raw().xpending(`${redis.prefix}${o.topic}:${p}`, group).catch(() => [0])) as [number]
    total += Number(info[0])
  }
  return total
}

/** Sends `perKey` events for each key, all fired at once in call order; value = { key, seq }. */
async function fill(o: LogOptions, keys: string[], perKey: number) {
  const p = producer(o)
  const sends: Promise<{ partition: number; id: string }>[] = []
  for (let seq = 0; seq < perKey; seq++) for (const key of keys) sends.push(p.send(key, { key, seq }))
  return Promise.all(sends)
}

/** Polls until the consumer gets nothing (at most `rounds` polls, so a broken poll cannot loop forever). */
async function pollAll(c: Consumer, count: number, rounds = 200) {
  const out: LogRecord[] = []
  for (let i = 0; i < rounds; i++) {
    const batch = await c.poll(count)
    if (!batch.length) return out
    out.push(...batch)
  }
  return out
}

const keysOf = (n: number) => Array.from({ length: n }, (_, i) => `customer-${i}`)
const seqsByKey = (records: LogRecord[]) => {
  const m: Record<string, number[]> = {}
  for (const r of records) (m[r.key] ??= []).push((r.value as { seq: number }).seq)
  return m
}
/** Stream ids are unique per partition only: a record is identified by both. */
const ref = (r: { partition: number; id: string }) => `${r?.partition}/${r?.id}`
const dupes = (ids: string[]) => ids.filter((id, i) => ids.indexOf(id) !== i)

describe('step 1: partition by key', () => {
  it('partitionFor(key, n) is an integer in [0, n) and always the same for the same key', () => {
    for (const n of [1, 3, 8]) {
      for (const key of ['a', 'customer-42', 'ключ', '']) {
        const p = partitionOf(key, n)
        expect(Number.isInteger(p) && p >= 0 && p < n, `partitionFor(${JSON.stringify(key)}, ${n}) = ${p}: an integer in [0, ${n})`).toBe(true)
        expect(partitionOf(key, n), `partitionFor(${JSON.stringify(key)}, ${n}) called again`).toBe(p)
      }
    }
  })

  it('partitionFor spreads keys over all partitions', () => {
    const counts = [0, 0, 0, 0]
    for (let i = 0; i < 400; i++) counts[partitionOf(`user-${i}`, 4)]!++
    for (const [p, c] of counts.entries()) expect(c, `keys user-0..user-399 that land in partition ${p} of 4 (counts ${JSON.stringify(counts)})`).toBeGreaterThanOrEqual(40)
  })

  it('send(key, value) appends { key, value (JSON) } to the stream `${topic}:${partitionFor(key)}` and returns its partition and id', async () => {
    const o = log()
    const res = await producer(o).send('customer-7', { amount: 10 })
    const p = partitionOf('customer-7', 4)
    expect(res?.partition, 'send(...).partition').toBe(p)
    const entries = await streamEntries(o, p)
    expect(entries.length, `entries in the stream "${o.topic}:${p}"`).toBe(1)
    expect(res?.id, 'send(...).id is the stream entry id').toBe(entries[0]?.id)
    expect(entries[0]?.fields.key, 'the entry field "key"').toBe('customer-7')
    expect(JSON.parse(entries[0]?.fields.value ?? 'null'), 'the entry field "value" parsed as JSON').toEqual({ amount: 10 })
    for (let q = 0; q < 4; q++) if (q !== p) expect((await streamEntries(o, q)).length, `entries in the other partition ${q}`).toBe(0)
  })

  it('all events of one key land in one partition, in the order they were sent', async () => {
    const o = log()
    const keys = keysOf(8)
    await fill(o, keys, 25)
    const byKey: Record<string, { p: number; seq: number }[]> = {}
    let total = 0
    for (let p = 0; p < 4; p++)
      for (const e of await streamEntries(o, p)) {
        total++
        const v = JSON.parse(e.fields.value ?? 'null') as { seq: number }
        ;(byKey[e.fields.key ?? '?'] ??= []).push({ p, seq: v.seq })
      }
    expect(total, 'entries in all partitions after 200 sends').toBe(200)
    for (const key of keys) {
      const list = byKey[key] ?? []
      expect(new Set(list.map((x) => x.p)).size, `partitions that hold events of ${key}`).toBe(1)
      expect(list.map((x) => x.seq), `the order of ${key}'s events in its partition`).toEqual(Array.from({ length: 25 }, (_, i) => i))
    }
  })
})

describe('step 2: consumer groups and acknowledged offsets', () => {
  it('one consumer reads every record exactly once, each key in order, at most `count` per poll', async () => {
    const o = log()
    const sent = await fill(o, keysOf(6), 5)
    const c = consumer(o, 'billing', 'c1')
    const out: LogRecord[] = []
    for (let i = 0; i < 100; i++) {
      const batch = await c.poll(7)
      expect(batch.length, `poll(7) number ${i + 1} returned more than 7 records`).toBeLessThanOrEqual(7)
      if (!batch.length) break
      out.push(...batch)
      await c.ack(batch)
    }
    expect(dupes(out.map(ref)), 'records (partition/id) read twice').toEqual([])
    expect(out.map(ref).sort(), 'records (partition/id) read').toEqual(sent.map(ref).sort())
    const first = out.find((r) => ref(r) === ref(sent[0]!))
    expect(first, 'the record of the first send: { partition, id, key, value }').toEqual({ partition: sent[0]!.partition, id: sent[0]!.id, key: 'customer-0', value: { key: 'customer-0', seq: 0 } })
    for (const [key, seqs] of Object.entries(seqsByKey(out))) expect(seqs, `the order in which ${key}'s records were read`).toEqual([0, 1, 2, 3, 4])
  })

  it('two consumers of one group share the records: no record goes to both, none is missed', async () => {
    const o = log()
    const sent = await fill(o, keysOf(8), 5)
    const a = consumer(o, 'shipping', 'a')
    const b = consumer(o, 'shipping', 'b')
    const got = { a: [] as LogRecord[], b: [] as LogRecord[] }
    for (let i = 0; i < 100; i++) {
      const [ba, bb] = [await a.poll(4), await b.poll(4)]
      got.a.push(...ba)
      got.b.push(...bb)
      await a.ack(ba)
      await b.ack(bb)
      if (!ba.length && !bb.length) break
    }
    const ids = [...got.a, ...got.b].map(ref)
    expect(dupes(ids), 'records delivered to both consumers of the group').toEqual([])
    expect(ids.length, 'records the group read in total').toBe(sent.length)
    expect(got.a.length > 0 && got.b.length > 0, `both consumers got a share (a: ${got.a.length}, b: ${got.b.length})`).toBe(true)
  })

  it('each group has its own position: two groups both read everything', async () => {
    const o = log()
    const sent = await fill(o, keysOf(4), 3)
    const billing = await pollAll(consumer(o, 'billing', 'x'), 50)
    const audit = await pollAll(consumer(o, 'audit', 'x'), 50)
    expect(billing.length, 'records group "billing" read').toBe(sent.length)
    expect(audit.length, 'records group "audit" read (independent of "billing")').toBe(sent.length)
  })

  it('acknowledged offsets survive a restart: the restarted consumer gets its unacknowledged records again, never the acknowledged ones', async () => {
    const o = log()
    const sent = await fill(o, keysOf(6), 5)
    const before = consumer(o, 'billing', 'worker-1')
    const taken = await before.poll(10)
    expect(taken.length, 'poll(10) with 30 records in the topic').toBe(10)
    await before.ack(taken.slice(0, 6))
    // worker-1 crashes; a new process starts with the same consumer name.
    const after = consumer(o, 'billing', 'worker-1')
    const out = await pollAll(after, 8)
    const ids = out.map(ref)
    const acked = taken.slice(0, 6).map(ref)
    const unacked = taken.slice(6).map(ref)
    expect(ids.filter((id) => acked.includes(id)), 'acknowledged records delivered again after the restart').toEqual([])
    expect(unacked.filter((id) => !ids.includes(id)), 'records delivered before the crash, never acknowledged, and not delivered again after it (read your own pending entries first: XREADGROUP … 0)').toEqual([])
    expect(dupes(ids), 'records delivered twice after the restart').toEqual([])
    expect(ids.length, 'records after the restart: 4 unacknowledged + 20 never delivered').toBe(sent.length - 6)
    await after.ack(out)
    expect(await pendingCount(o, 'billing'), 'pending (unacknowledged) entries of the group after acking everything').toBe(0)
  })

  it('records sent after the consumer caught up arrive on the next poll', async () => {
    const o = log()
    await fill(o, keysOf(2), 2)
    const c = consumer(o, 'g', 'c')
    await c.ack(await pollAll(c, 10))
    expect(await c.poll(10), 'poll when there is nothing new').toEqual([])
    const r = await producer(o).send('late', { late: true })
    const next = await c.poll(10)
    expect(next.map(ref), 'the next poll after one more send (partition/id)').toEqual([ref(r)])
  })
})

describe('step 3: replay from an offset', () => {
  it('readFrom(partition, "0", count) reads the partition from the start, in order', async () => {
    const o = log()
    await fill(o, keysOf(6), 4)
    const p = partitionOf('customer-0', 4)
    const entries = await streamEntries(o, p)
    const records = await replay(o, p, '0', 1000)
    expect(records.map((r) => r.id), `ids readFrom(${p}, "0", 1000) returned`).toEqual(entries.map((e) => e.id))
    expect(records[0], 'the first record').toEqual({ partition: p, id: entries[0]!.id, key: entries[0]!.fields.key, value: JSON.parse(entries[0]!.fields.value!) })
  })

  it('readFrom(partition, id, count) starts right after `id` and returns at most `count` records', async () => {
    const o = log()
    await fill(o, ['k'], 10)
    const p = partitionOf('k', 4)
    const entries = await streamEntries(o, p)
    const records = await replay(o, p, entries[3]!.id, 3)
    expect(records.map((r) => (r.value as { seq: number }).seq), `seqs after the offset of seq 3, count 3`).toEqual([4, 5, 6])
    expect(await replay(o, p, entries[9]!.id, 5), 'readFrom after the last record').toEqual([])
  })

  it('records stay in the log after a group acknowledged them, and replay does not disturb any group', async () => {
    const o = log()
    await fill(o, ['k'], 6)
    const p = partitionOf('k', 4)
    const c = consumer(o, 'g', 'c')
    const firstTwo = await c.poll(2)
    await c.ack(firstTwo)
    const unacked = await c.poll(2)
    const replayed = await replay(o, p, '0', 100)
    expect(replayed.length, 'records readFrom(…, "0", …) returns after the group acknowledged 2 of 6').toBe(6)
    expect(await pendingCount(o, 'g'), 'pending entries of the group after a replay (2 polled, not acked)').toBe(unacked.length)
    const rest = await pollAll(c, 10)
    expect(rest.length, 'records the group still gets after the replay').toBe(2)
  })
})

describe('step 4: recovering the pending entries of a dead consumer', () => {
  it('recover(minIdleMs, count) takes over records another consumer read but never acknowledged, once they are idle long enough', async () => {
    const o = log()
    await fill(o, keysOf(6), 2)
    const dead = consumer(o, 'g', 'dead')
    const taken = await dead.poll(6)
    // "dead" crashes here and never acknowledges.
    const rescuer = consumer(o, 'g', 'rescuer')
    expect(await rescuer.recover(300, 100), 'recover(300 ms, …) right away: the records are not idle for 300 ms yet').toEqual([])
    await sleep(350)
    const recovered = await rescuer.recover(300, 100)
    expect(recovered.map(ref).sort(), 'records (partition/id) recovered after 350 ms idle').toEqual(taken.map(ref).sort())
    expect(recovered.find((r) => ref(r) === ref(taken[0]!)), 'a recovered record is decoded like a polled one').toEqual(taken[0])
    await rescuer.ack(recovered)
    expect(await pendingCount(o, 'g'), 'pending entries after the rescuer acknowledged them').toBe(0)
    expect(await rescuer.recover(0, 100), 'recover again: nothing left').toEqual([])
  })

  it('recover leaves records that a live consumer took recently, and takes at most `count`', async () => {
    const o = log()
    await fill(o, keysOf(6), 2)
    const live = consumer(o, 'g', 'live')
    const old = await live.poll(5)
    await sleep(350)
    const fresh = await live.poll(3)
    expect(fresh.length, 'second poll(3)').toBe(3)
    const rescuer = consumer(o, 'g', 'rescuer')
    const two = await rescuer.recover(300, 2)
    expect(two.length, 'recover(300, count 2)').toBe(2)
    const rest = await rescuer.recover(300, 100)
    const ids = [...two, ...rest].map(ref).sort()
    expect(ids, 'records (partition/id) recovered: only the 5 records idle for 350 ms, not the 3 just polled').toEqual(old.map(ref).sort())
  })
})
