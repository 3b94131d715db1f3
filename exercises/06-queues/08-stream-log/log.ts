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

/** Step 1: the partition of a key, the same in every process. */
export function partitionFor(key: string, partitions: number): number {
  throw new Error('TODO: hash the key (e.g. FNV-1a) and take it modulo partitions\nTODO(ru): вычислить хеш ключа (например, FNV-1a) и взять остаток от деления на partitions')
}

/** Step 1: appends { key, value } to the key's partition stream. */
export function createProducer(options: LogOptions): Producer {
  throw new Error('TODO: send(key, value) = XADD `${topic}:${partitionFor(key)}` * key <key> value <json>\nTODO(ru): send(key, value) — выполнить XADD `${topic}:${partitionFor(key)}` * key <key> value <json>')
}

/** Steps 2 and 4: a member of a consumer group. */
export function createConsumer(options: ConsumerOptions): Consumer {
  throw new Error('TODO: poll with XREADGROUP (own pending first, then ">"), ack with XACK, recover with XAUTOCLAIM\nTODO(ru): читать через XREADGROUP (сначала свои необработанные, затем «>»), подтверждать через XACK, забирать зависшие через XAUTOCLAIM')
}

/** Step 3: replay one partition after an offset, without touching any group. */
export async function readFrom(options: LogOptions, partition: number, afterId: string, count: number): Promise<LogRecord[]> {
  throw new Error('TODO: XRANGE with an exclusive start\nTODO(ru): XRANGE с исключённым началом диапазона')
}
