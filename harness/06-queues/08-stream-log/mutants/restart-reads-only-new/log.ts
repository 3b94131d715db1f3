import type { Redis } from 'ioredis'

export interface LogOptions {
  redis: Redis
  /** Partition p of the topic lives in the Redis stream `${topic}:${p}`. */
  topic: string
  partitions: number
}

export interface LogRecord {
  partition: number
  id: string
  key: string
  value: unknown
}

export interface Producer {
  send(key: string, value: unknown): Promise<{ partition: number; id: string }>
}

export interface Consumer {
  poll(count: number): Promise<LogRecord[]>
  ack(records: LogRecord[]): Promise<void>
  recover(minIdleMs: number, count: number): Promise<LogRecord[]>
}

export interface ConsumerOptions extends LogOptions {
  group: string
  consumer: string
}

/** FNV-1a: stable across processes and runs, unlike anything random or Map-order based. */
export function partitionFor(key: string, partitions: number): number {
  let h = 0x811c9dc5
  for (const byte of Buffer.from(key, 'utf8')) h = Math.imul(h ^ byte, 0x01000193)
  return (h >>> 0) % partitions
}

const streamOf = (topic: string, p: number) => `${topic}:${p}`
type Entry = [id: string, fields: string[]]

function toRecord(partition: number, [id, fields]: Entry): LogRecord {
  const f: Record<string, string> = {}
  for (let i = 0; i < fields.length; i += 2) f[fields[i]!] = fields[i + 1]!
  return { partition, id, key: f.key ?? '', value: JSON.parse(f.value ?? 'null') }
}

export function createProducer({ redis, topic, partitions }: LogOptions): Producer {
  return {
    async send(key, value) {
      const partition = partitionFor(key, partitions)
      // One key → one stream: the stream's order is the key's order.
      const id = await redis.xadd(streamOf(topic, partition), '*', 'key', key, 'value', JSON.stringify(value))
      return { partition, id: id! }
    },
  }
}

export function createConsumer({ redis, topic, partitions, group, consumer }: ConsumerOptions): Consumer {
  const all = Array.from({ length: partitions }, (_, p) => p)
  const ready = new Set<number>()
  // Start by re-reading this consumer's own pending entries (delivered before a restart, never
  // acked), walking them with a cursor; once a partition has none left, read new entries with ">".
  const history = new Map<number, string>()

  const ensureGroup = async (p: number) => {
    if (ready.has(p)) return
    try {
      await redis.xgroup('CREATE', streamOf(topic, p), group, '0', 'MKSTREAM')
    } catch (err) {
      if (!String((err as Error).message).includes('BUSYGROUP')) throw err
    }
    ready.add(p)
  }

  const readGroup = async (p: number, count: number, from: string): Promise<LogRecord[]> => {
    const res = (await redis.xreadgroup('GROUP', group, consumer, 'COUNT', count, 'STREAMS', streamOf(topic, p), from)) as [string, Entry[]][] | null
    return (res?.[0]?.[1] ?? []).map((e) => toRecord(p, e))
  }

  return {
    async poll(count) {
      const out: LogRecord[] = []
      for (const p of all) {
        if (out.length >= count) break
        await ensureGroup(p)
        const cursor = history.get(p)
        if (cursor !== undefined) {
          const pending = await readGroup(p, count - out.length, cursor)
          if (pending.length) {
            out.push(...pending)
            history.set(p, pending[pending.length - 1]!.id)
            continue
          }
          history.delete(p)
        }
        out.push(...(await readGroup(p, count - out.length, '>')))
      }
      return out
    },

    async ack(records) {
      const byPartition = new Map<number, string[]>()
      for (const r of records) byPartition.set(r.partition, [...(byPartition.get(r.partition) ?? []), r.id])
      for (const [p, ids] of byPartition) await redis.xack(streamOf(topic, p), group, ...ids)
    },

    async recover(minIdleMs, count) {
      const out: LogRecord[] = []
      for (const p of all) {
        await ensureGroup(p)
        let cursor = '0-0'
        do {
          const [next, entries] = (await redis.xautoclaim(streamOf(topic, p), group, consumer, minIdleMs, cursor, 'COUNT', count - out.length)) as [string, Entry[]]
          out.push(...entries.filter((e) => e && e[1]).map((e) => toRecord(p, e)))
          cursor = next
        } while (cursor !== '0-0' && out.length < count)
        if (out.length >= count) break
      }
      return out
    },
  }
}

/** Replay: the records of one partition after `afterId` ("0" = from the start), groups untouched. */
export async function readFrom({ redis, topic }: LogOptions, partition: number, afterId: string, count: number): Promise<LogRecord[]> {
  const start = afterId === '0' ? '-' : `(${afterId}`
  const entries = (await redis.xrange(streamOf(topic, partition), start, '+', 'COUNT', count)) as Entry[]
  return entries.map((e) => toRecord(partition, e))
}
