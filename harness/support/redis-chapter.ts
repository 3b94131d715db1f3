// Helpers shared by the suites of chapter 05 (redis): looking at the keys a kata wrote
// under the fixture's prefix, and waiting.
import type { Redis } from 'ioredis'
import type { RedisFixture } from './redis.ts'

import { sleep } from './async.ts'
export { sleep }

/** Every key under `prefix`, with the prefix cut off (what the learner's code named it). */
export async function keysUnder(raw: Redis, prefix: string): Promise<string[]> {
  const found: string[] = []
  let cursor = '0'
  do {
    const [next, keys] = await raw.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500)
    cursor = next
    found.push(...keys.map((k) => k.slice(prefix.length)))
  } while (cursor !== '0')
  return found.sort()
}

/** Deletes every key under `prefix`, so each test starts from an empty keyspace. */
export async function clearKeys(raw: Redis, prefix: string): Promise<void> {
  let cursor = '0'
  do {
    const [next, keys] = await raw.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500)
    cursor = next
    if (keys.length) await raw.unlink(...keys)
  } while (cursor !== '0')
}

/** PTTL of every key under `prefix` (-1: no expiry, -2: gone meanwhile), by unprefixed name. */
export async function ttlsUnder(raw: Redis, prefix: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {}
  for (const key of await keysUnder(raw, prefix)) {
    const ttl = await raw.pttl(prefix + key)
    // -2: the key expired between the listing and this read; a gone key has no TTL to judge.
    if (ttl !== -2) out[key] = ttl
  }
  return out
}

/** A promise with its resolve/reject exposed, to hold a loader or a handler open. */
import { deferred } from './async.ts'
export { deferred }

/** Polls `check` every 10 ms until it is true or `timeoutMs` passes; returns the last result. */
export async function waitFor(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > until) return false
    await sleep(10)
  }
  return true
}

/** One unprefixed client for the suite's own checks, made on first use (the fixture closes it). */
export function lazyRaw(fixture: RedisFixture): () => Redis {
  let client: Redis | undefined
  return () => (client ??= fixture.raw())
}
