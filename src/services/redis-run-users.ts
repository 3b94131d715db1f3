import { randomBytes } from 'node:crypto'
import { createRequire } from 'node:module'
import type { Redis } from 'ioredis'

// Loaded on first use: the runner imports this module, and a watch session whose first
// kata needs no Redis should not pay for the client before its first verdict.
const require = createRequire(import.meta.url)

const USER_PREFIX = 'roadmap_run_'
const STALE_SECONDS = 3600

/**
 * What a run may do: every command but the server's (@admin: CONFIG, DEBUG, SHUTDOWN,
 * ACL, MODULE, CLIENT KILL…) and the dangerous ones (FLUSHALL, FLUSHDB, SWAPDB, MIGRATE,
 * MONITOR…), minus what is shared by every run (SCRIPT FLUSH/KILL, FUNCTION); plus the
 * two the suites use themselves: KEYS (listing their own prefix) and INFO (the client's
 * ready check). Keys and channels only under the run's prefix.
 */
const RULES = ['+@all', '-@admin', '-@dangerous', '+keys', '+info', '-script|flush', '-script|kill', '-function']

/** A Redis user of one run. */
export interface RedisRunUser {
  name: string
  /** The run user's URL: the only Redis URL graded code gets. */
  url: string
}

/** The admin connection the grader keeps (never handed to a worker). */
export function redisAdmin(adminUrl: string): Redis {
  const { Redis: Client } = require('ioredis') as typeof import('ioredis')
  const c = new Client(adminUrl, { maxRetriesPerRequest: 1 })
  c.on('error', () => undefined)
  return c
}

/** The key and channel pattern of a run: the fixture's prefix is `rm.<run tag><random>:`. */
export const runKeyPattern = (tag: string) => `rm.${tag}*`

export async function createRedisRunUser(admin: Redis, adminUrl: string, tag: string): Promise<RedisRunUser> {
  const name = `${USER_PREFIX}${Math.floor(Date.now() / 1000)}_${tag}`
  const password = randomBytes(18).toString('hex')
  const pattern = runKeyPattern(tag)
  await admin.call('ACL', 'SETUSER', name, 'reset', 'on', `>${password}`, `~${pattern}`, `&${pattern}`, ...RULES)
  const u = new URL(adminUrl)
  u.username = name
  u.password = password
  return { name, url: u.toString() }
}

/** Deletes the user (Redis closes its connections) and every key it could write. */
export async function dropRedisRunUser(admin: Redis, name: string) {
  const tag = name.split('_').at(-1)!
  await admin.call('ACL', 'DELUSER', name)
  let cursor = '0'
  do {
    const [next, keys] = await admin.scan(cursor, 'MATCH', runKeyPattern(tag), 'COUNT', 500)
    cursor = next
    if (keys.length) await admin.unlink(...keys)
  } while (cursor !== '0')
}

/** Users (and keys) of runs whose grader died, older than an hour. */
export async function dropStaleRedisUsers(admin: Redis) {
  const users = (await admin.call('ACL', 'USERS')) as string[]
  const now = Math.floor(Date.now() / 1000)
  for (const name of users.filter((u) => u.startsWith(USER_PREFIX))) {
    const born = Number(name.slice(USER_PREFIX.length).split('_')[0])
    if (born && now - born > STALE_SECONDS) await dropRedisRunUser(admin, name).catch(() => undefined)
  }
}
