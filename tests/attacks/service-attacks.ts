// Attacks on the shared services (issue 15, point 2): graded code gets a PostgreSQL role
// owning its own database, a Redis user on its key prefix and a RabbitMQ vhost of its
// own, and each attack below must fail with them. Each is a kata of a throwaway catalog.
import { chmodSync, cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { ServiceName } from '../../src/catalog/schema.ts'
import { demoRoot, tmp } from '../helpers.ts'

/** Left in the default vhost / outside every run's prefix by the test: must survive the attacks. */
export const CANARY_QUEUE = 'roadmap-attack-canary'
export const CANARY_KEY = 'roadmap-attack-canary'
/** A file COPY … TO PROGRAM would create. */
export const PROGRAM_MARK = '/tmp/roadmap-attack-copy-to-program'

const SUITES: Record<ServiceName & ('postgres' | 'redis' | 'rabbitmq'), (id: string) => string> = {
  postgres: (id) => `import { expect, it } from 'vitest'
import { usePostgres } from '../../support/postgres.ts'
import { answer } from '@kata/${id}'
const pg = usePostgres()
it('keeps a number in a table of its own', async () => {
  expect(await answer(pg.pool, pg.url)).toBe(42)
})
`,
  redis: (id) => `import { expect, it } from 'vitest'
import { useRedis } from '../../support/redis.ts'
import { answer } from '@kata/${id}'
const redis = useRedis()
it('keeps a number under a key', async () => {
  expect(await answer(redis.client(), redis.url)).toBe(42)
})
`,
  rabbitmq: (id) => `import { expect, it } from 'vitest'
import { useRabbit } from '../../support/rabbitmq.ts'
import { answer } from '@kata/${id}'
const mq = useRabbit()
it('sends a number through a queue', async () => {
  expect(await answer(await mq.channel(), mq.url, mq.queue('numbers'))).toBe(42)
})
`,
}

/** What a correct solution of each service kata does. */
export const HONEST: Record<'postgres' | 'redis' | 'rabbitmq', string> = {
  postgres: `export async function answer(pool: any) {
  await pool.query('create table numbers (v int)')
  await pool.query('insert into numbers values (42)')
  return (await pool.query('select v from numbers')).rows[0].v
}
`,
  redis: `export async function answer(client: any) {
  await client.set('n', '42')
  return Number(await client.get('n'))
}
`,
  rabbitmq: `export async function answer(ch: any, _url: string, queue: string) {
  await ch.assertQueue(queue)
  ch.sendToQueue(queue, Buffer.from('42'))
  for (let i = 0; i < 100; i++) {
    const m = await ch.get(queue, { noAck: true })
    if (m) return Number(m.content.toString())
    await new Promise((r) => setTimeout(r, 20))
  }
  return 0
}
`,
}

/** Tries each step, prints what happened (the test reads it in results.json), and answers wrong. */
const attempt = (service: 'postgres' | 'redis' | 'rabbitmq', imports: string, steps: string[]) => `${imports}
export async function answer(handle: any, url: string) {
  for (const step of [${steps.join(', ')}]) {
    try {
      await step(handle, url)
      console.log('attack succeeded:', String(step).slice(0, 80))
    } catch (e: any) {
      console.log('attack refused:', e?.message)
    }
  }
  return 0
}
// ${service}
`

const other = (db: string) => `async (_: any, url: string) => { const u = new URL(url); u.pathname = '/${db}'; const c = new pg.Client({ connectionString: u.toString() }); await c.connect(); try { await c.query('create table pwned (v int)') } finally { await c.end() } }`

/** Attack kata name → the service its suite uses and the submission's code. */
export const SERVICE_ATTACKS: Record<string, { service: 'postgres' | 'redis' | 'rabbitmq'; code: string; gated?: true }> = {
  'pg-copy-to-program': { service: 'postgres', code: attempt('postgres', '', [`(pool: any) => pool.query("copy (select 1) to program 'touch ${PROGRAM_MARK}'")`]) },
  'pg-event-trigger': {
    service: 'postgres',
    code: attempt('postgres', "import pg from 'pg'", [
      `async (pool: any) => { await pool.query("create function pwn() returns event_trigger language plpgsql as $$ begin raise exception 'pwned'; end $$"); await pool.query('create event trigger pwn on ddl_command_start execute function pwn()') }`,
      `async (_: any, url: string) => { const u = new URL(url); u.pathname = '/roadmap_template'; const c = new pg.Client({ connectionString: u.toString() }); await c.connect(); try { await c.query("create function pwn() returns event_trigger language plpgsql as $$ begin raise exception 'pwned'; end $$"); await c.query('create event trigger pwn on ddl_command_start execute function pwn()') } finally { await c.end() } }`,
      "(pool: any) => pool.query('alter database roadmap_template allow_connections true')",
    ]),
  },
  'pg-alter-system': { service: 'postgres', code: attempt('postgres', '', ["(pool: any) => pool.query(\"alter system set max_connections = '3'\")", '(pool: any) => pool.query(\'alter role current_user superuser\')', "(pool: any) => pool.query('create role pwned superuser login')"]) },
  'pg-other-database': { service: 'postgres', code: attempt('postgres', "import pg from 'pg'", [other('postgres'), other('roadmap_template'), other('template1')]) },
  'redis-config-set': { service: 'redis', code: attempt('redis', '', ["(c: any) => c.call('CONFIG', 'SET', 'maxmemory', '1')", "(c: any) => c.call('ACL', 'SETUSER', 'pwned', 'on', 'nopass', '~*', '+@all')", "(c: any) => c.call('DEBUG', 'SLEEP', '0')"]) },
  'redis-flushall': {
    service: 'redis',
    code: attempt('redis', "import { Redis } from 'ioredis'", ["(c: any) => c.call('FLUSHALL')", "(c: any) => c.call('FLUSHDB')", `async (_: any, url: string) => { const r = new Redis(url, { maxRetriesPerRequest: 0 }); try { await r.del('${CANARY_KEY}') ; await r.set('${CANARY_KEY}', 'pwned') } finally { r.disconnect() } }`]),
  },
  // The machine's own admin logins (trust on 127.0.0.1, `default` without a password,
  // guest/guest) and the host's other ports: only the service gate of a grading user's own
  // network namespace stops these (`gated`: a grader that is not root cannot defend them).
  'pg-admin-login': {
    service: 'postgres',
    gated: true,
    code: attempt('postgres', "import pg from 'pg'", [
      "async () => { const c = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' }); await c.connect(); try { await c.query('create table pwned (v int)') } finally { await c.end() } }",
      "async () => { const c = new pg.Client({ connectionString: 'postgres://postgres@localhost:5432/template1' }); await c.connect(); try { await c.query('create table pwned (v int)') } finally { await c.end() } }",
      "async () => { const c = new pg.Client({ host: '/var/run/postgresql', user: 'postgres', database: 'postgres' }); await c.connect(); try { await c.query('create table pwned (v int)') } finally { await c.end() } }",
      "async (_: any, url: string) => { const u = new URL(url); u.password = 'guessed'; const c = new pg.Client({ connectionString: u.toString() }); await c.connect(); await c.end() }",
    ]),
  },
  'redis-default-user': {
    service: 'redis',
    gated: true,
    code: attempt('redis', "import { Redis } from 'ioredis'", [
      `async () => { const r = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: 0, retryStrategy: () => null }); r.on('error', () => {}); try { await r.set('${CANARY_KEY}', 'pwned') } finally { r.disconnect() } }`,
      `async (_: any, url: string) => { const u = new URL(url); u.username = 'default'; const r = new Redis(u.toString(), { maxRetriesPerRequest: 0, retryStrategy: () => null }); r.on('error', () => {}); try { await r.set('${CANARY_KEY}', 'pwned') } finally { r.disconnect() } }`,
      `async (_: any, url: string) => { const r = new Redis(url, { maxRetriesPerRequest: 0, retryStrategy: () => null }); r.on('error', () => {}); try { await r.call('RESET'); await r.set('${CANARY_KEY}', 'pwned') } finally { r.disconnect() } }`,
      `async (_: any, url: string) => { const r = new Redis(url, { maxRetriesPerRequest: 0, retryStrategy: () => null }); r.on('error', () => {}); try { await r.call('HELLO', '2', 'AUTH', 'default', 'x'); await r.set('${CANARY_KEY}', 'pwned') } finally { r.disconnect() } }`,
    ]),
  },
  'rabbit-guest': {
    service: 'rabbitmq',
    gated: true,
    code: attempt('rabbitmq', "import amqp from 'amqplib'", [
      `async () => { const c = await amqp.connect('amqp://guest:guest@127.0.0.1:5672'); try { const ch = await c.createChannel(); await ch.deleteQueue('${CANARY_QUEUE}') } finally { await c.close().catch(() => {}) } }`,
      `async (_: any, url: string) => { const u = new URL(url); u.username = 'guest'; u.password = 'guest'; const c = await amqp.connect(u.toString()); await c.close().catch(() => {}) }`,
    ]),
  },
  'host-other-ports': {
    service: 'rabbitmq',
    gated: true,
    code: attempt('rabbitmq', "import net from 'node:net'", [15672, 3306, 1883, 22].map((port) => `() => new Promise((ok, no) => { const s = net.connect(${port}, '127.0.0.1', () => { s.destroy(); ok(0) }); s.on('error', no) })`)),
  },
  'rabbit-delete-queue': {
    service: 'rabbitmq',
    code: attempt('rabbitmq', "import amqp from 'amqplib'", [
      `async (_: any, url: string) => { const u = new URL(url); u.pathname = '/%2F'; const c = await amqp.connect(u.toString()); try { const ch = await c.createChannel(); await ch.deleteQueue('${CANARY_QUEUE}') } finally { await c.close().catch(() => {}) } }`,
      `async (_: any, url: string) => { const c = await amqp.connect(url); try { const ch = await c.createChannel(); await ch.checkQueue('${CANARY_QUEUE}') } finally { await c.close().catch(() => {}) } }`,
    ]),
  },
}

export interface ServiceCorpus {
  root: string
  /** The attacker's submission (and the honest katas beside them). */
  attacker: string
  /** The next student: correct solutions of the honest katas. */
  next: string
}

/** A catalog with one honest kata per service and one kata per attack. */
export function buildServiceCorpus(): ServiceCorpus {
  const root = demoRoot()
  const attacker = tmp('roadmap-svc-attacker-')
  const next = tmp('roadmap-svc-next-')
  for (const d of [attacker, next]) chmodSync(d, 0o755)
  const katas: [name: string, service: 'postgres' | 'redis' | 'rabbitmq', code: string | undefined][] = [
    ...(['postgres', 'redis', 'rabbitmq'] as const).map((s): [string, typeof s, undefined] => [`honest-${s}`, s, undefined]),
    ...Object.entries(SERVICE_ATTACKS).map(([name, a]): [string, typeof a.service, string] => [name, a.service, a.code]),
  ]
  katas.forEach(([name, service, code], i) => {
    const dir = `00-demo/${50 + i}-${name}`
    const id = `demo/${name}`
    mkdirSync(join(root, 'harness', dir), { recursive: true })
    writeFileSync(join(root, 'harness', dir, 'kata.yaml'), `id: ${id}\ntitle: { en: ${name}, ru: ${name} }\ntopics: ["start.loop"]\nservices: [${service}]\nfiles: [add.ts]\nbudgetMs: 60000\npoints: 10\nhints: [{ en: Store it., ru: Сохраните. }, { en: "set then get", ru: "set, затем get" }]\n`)
    writeFileSync(join(root, 'harness', dir, 'kata.test.ts'), SUITES[service](id))
    for (const side of ['exercises', 'solutions']) {
      mkdirSync(join(root, side, dir), { recursive: true })
      writeFileSync(join(root, side, dir, 'add.ts'), side === 'solutions' ? HONEST[service] : 'export async function answer() { return 0 }\n')
    }
    cpSync(join(root, 'exercises/00-demo/01-add/README.md'), join(root, 'exercises', dir, 'README.md'))
    cpSync(join(root, 'exercises/00-demo/01-add/README.ru.md'), join(root, 'exercises', dir, 'README.ru.md'))
    const mine = join(attacker, 'exercises', dir)
    mkdirSync(mine, { recursive: true })
    writeFileSync(join(mine, 'add.ts'), code ?? HONEST[service])
    if (!code) {
      mkdirSync(join(next, 'exercises', dir), { recursive: true })
      writeFileSync(join(next, 'exercises', dir, 'add.ts'), HONEST[service])
    }
  })
  const chapterFile = join(root, 'harness/00-demo/chapter.yaml')
  writeFileSync(chapterFile, readFileSync(chapterFile, 'utf8').replace(/katas: \[(.*)\]/, (_m, list) => `katas: [${list}, ${katas.map(([n]) => n).join(', ')}]`))
  return { root, attacker, next }
}
