import { existsSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import amqp from 'amqplib'
import { Redis } from 'ioredis'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { prepareServicesForGrading } from '../../src/services/grading-services.ts'
import { probe } from '../../src/services/probe.ts'
import { SERVICES } from '../../src/services/catalog.ts'
import { management } from '../../src/services/rabbitmq-run-vhosts.ts'
import { ROOT, tmp } from '../helpers.ts'
import { exec } from './corpus.ts'
import { buildServiceCorpus, CANARY_KEY, CANARY_QUEUE, PROGRAM_MARK, SERVICE_ATTACKS, type ServiceCorpus } from './service-attacks.ts'

// Graded code against the shared services: every attack of service-attacks.ts is refused
// by the run's own credentials, nothing outside the run changes, and the next student's
// correct solutions still pass.
const ADMIN = { postgres: SERVICES.postgres.localUrl, redis: SERVICES.redis.localUrl, rabbitmq: SERVICES.rabbitmq.localUrl }
const reachable = await Promise.all(Object.entries(ADMIN).map(([n, u]) => probe(n as keyof typeof ADMIN, u).then(() => true, () => false)))
const servicesUp = reachable.every(Boolean)
const isRoot = process.getuid?.() === 0
/** A vhost per grade needs RabbitMQ's management API or rabbitmqctl, which only root may run: without either, RabbitMQ katas are not graded (tested in services.test.ts). */
const rabbitPerGrade = servicesUp && (await management(ADMIN.rabbitmq).then(() => true, () => false))
const SERVICES_GRADED = ['postgres', 'redis', ...(rabbitPerGrade ? ['rabbitmq' as const] : [])]
const HONEST_IDS = SERVICES_GRADED.map((s) => `demo/honest-${s}`)
/** The attacks this grader can defend: the machine's admin logins only with a network of the run's own (root). */
const ATTACKS = Object.keys(SERVICE_ATTACKS).filter((name) => (isRoot || !SERVICE_ATTACKS[name]!.gated) && SERVICES_GRADED.includes(SERVICE_ATTACKS[name]!.service))

interface Results {
  status: string
  katas: { id: string; verdict: string; score: number; message: string | null; output: string | null; tests: { output: string | null; message: string | null }[] }[]
}

async function grade(sub: string, root: string, only: string[] = []): Promise<{ code: number; stderr: string; json: Results }> {
  const out = join(tmp('roadmap-svc-out-'), 'out')
  const args = [join(ROOT, 'bin/roadmap.js'), 'grade', sub, '--root', root, '--out', out, '--min-score', '0', ...only.flatMap((id) => ['--kata', id]), ...(isRoot ? [] : ['--unsafe-same-user'])]
  let code = 0
  let stderr = ''
  try {
    stderr = (await exec(process.execPath, args, { env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 64 << 20, timeout: 600_000 })).stderr
  } catch (err) {
    ;({ code, stderr } = err as { code: number; stderr: string })
  }
  return { code, stderr, json: existsSync(join(out, 'results.json')) ? JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) : { status: 'missing', katas: [] } }
}

const adminPg = async <T,>(db: string, fn: (c: pg.Client) => Promise<T>) => {
  const u = new URL(ADMIN.postgres)
  u.pathname = `/${db}`
  const c = new pg.Client({ connectionString: u.toString() })
  await c.connect()
  try {
    return await fn(c)
  } finally {
    await c.end()
  }
}

describe.runIf(servicesUp)('grade: each run has least-privilege credentials on the services', () => {
  let corpus: ServiceCorpus
  let attacker: Awaited<ReturnType<typeof grade>>
  let next: Awaited<ReturnType<typeof grade>>
  let redis: Redis
  let maxmemory: string

  beforeAll(async () => {
    rmSync(PROGRAM_MARK, { force: true })
    redis = new Redis(ADMIN.redis)
    maxmemory = ((await redis.call('CONFIG', 'GET', 'maxmemory')) as string[])[1]!
    await redis.set(CANARY_KEY, 'intact')
    const c = await amqp.connect(ADMIN.rabbitmq)
    await (await c.createChannel()).assertQueue(CANARY_QUEUE)
    await c.close()
    corpus = buildServiceCorpus()
    attacker = await grade(corpus.attacker, corpus.root, [...HONEST_IDS, ...ATTACKS.map((n) => `demo/${n}`)])
    next = await grade(corpus.next, corpus.root, HONEST_IDS)
  }, 1_200_000)

  afterAll(async () => {
    await redis?.del(CANARY_KEY)
    redis?.disconnect()
    const c = await amqp.connect(ADMIN.rabbitmq)
    await (await c.createChannel()).deleteQueue(CANARY_QUEUE)
    await c.close()
  })

  it('scores every attack 0 (not unavailable) and the honest katas beside them full marks', () => {
    const byId = new Map(attacker.json.katas.map((k) => [k.id, k]))
    for (const s of SERVICES_GRADED) expect(byId.get(`demo/honest-${s}`), `honest ${s} kata beside the attacks: ${attacker.stderr}`).toMatchObject({ verdict: 'pass', score: 10 })
    const won = ATTACKS
      .map((name) => byId.get(`demo/${name}`))
      .filter((k) => !k || k.score > 0 || k.verdict === 'unavailable')
    expect(won, 'attacks that earned a point or voided the grade').toEqual([])
  })

  it('refuses every attempt (none reports success)', () => {
    for (const name of ATTACKS) {
      const k = attacker.json.katas.find((x) => x.id === `demo/${name}`)!
      const printed = [k.output, ...k.tests.map((t) => t.output)].join('\n')
      expect(printed, `${name}: what the attack printed`).toContain('attack refused')
      expect(printed, `${name}: what the attack printed`).not.toContain('attack succeeded')
    }
  })

  it('leaves the services as they were: no program ran, the template is clean, Redis and the default vhost are intact', async () => {
    expect(existsSync(PROGRAM_MARK), 'COPY … TO PROGRAM ran').toBe(false)
    expect(await adminPg('roadmap_template', async (c) => (await c.query('select evtname from pg_event_trigger')).rows), 'event triggers in the template').toEqual([])
    for (const db of ['postgres', 'template1']) expect(await adminPg(db, async (c) => (await c.query("select 1 from pg_class where relname = 'pwned'")).rowCount), `a table planted in ${db}`).toBe(0)
    expect(await adminPg('postgres', async (c) => (await c.query("select rolname from pg_roles where rolname = 'pwned' or (rolname like 'rm\\_%' and rolsuper)")).rows), 'roles made or raised').toEqual([])
    expect(((await redis.call('CONFIG', 'GET', 'maxmemory')) as string[])[1], 'Redis maxmemory').toBe(maxmemory)
    expect(await redis.get(CANARY_KEY), 'a key outside every run').toBe('intact')
    expect(((await redis.call('ACL', 'USERS')) as string[]).filter((u) => u === 'pwned' || u.startsWith('roadmap_run_')), 'Redis users left').toEqual([])
    const c = await amqp.connect(ADMIN.rabbitmq)
    try {
      expect((await (await c.createChannel()).checkQueue(CANARY_QUEUE)).queue, 'the queue in the default vhost').toBe(CANARY_QUEUE)
    } finally {
      await c.close()
    }
  })

  it("passes the next student's correct solutions", () => {
    expect(next.json.katas.map((k) => [k.id, k.verdict, k.message])).toEqual(HONEST_IDS.map((id) => [id, 'pass', null]))
  })
})

describe.runIf(servicesUp)('grade: the template is checked before a grade', () => {
  it('finds what an earlier run planted in it, rebuilds it, and the next correct solution passes', { timeout: 600_000 }, async () => {
    // What an admin-URL run (watch, or an older grader) could leave: a table every clone would start with.
    await adminPg('postgres', (c) => c.query('alter database roadmap_template allow_connections true'))
    await adminPg('roadmap_template', (c) => c.query('create table if not exists numbers (planted int)'))
    const corpus = buildServiceCorpus()
    const next = await grade(corpus.next, corpus.root, ['demo/honest-postgres'])
    expect(next.stderr).toMatch(/the PostgreSQL template held relation numbers.*rebuilt from template0/)
    expect(next.json.katas.map((k) => [k.id, k.verdict, k.message])).toEqual([['demo/honest-postgres', 'pass', null]])
    expect(await adminPg('postgres', async (c) => (await c.query("select has_database_privilege('public', 'roadmap_template', 'connect') as open")).rows[0].open), 'anyone may connect to the template').toBe(false)
  })
})

describe.runIf(servicesUp)('grade: what a grader that died left is swept', () => {
  it('drops run roles, their databases and Redis users (with their keys) older than an hour', { timeout: 120_000 }, async () => {
    const old = Math.floor(Date.now() / 1000) - 7200
    const role = `rm_${old}_deadgrad`
    await adminPg('postgres', async (c) => {
      await c.query(`create role ${role} login`)
      await c.query(`create database ${role} owner ${role}`)
    })
    const redis = new Redis(ADMIN.redis)
    try {
      await redis.call('ACL', 'SETUSER', `roadmap_run_${old}_deadbeef`, 'on', 'nopass', '~rm.deadbeef*')
      await redis.set('rm.deadbeef00:k', 'left')
      await prepareServicesForGrading({ postgres: ADMIN.postgres, redis: ADMIN.redis })
      expect(await adminPg('postgres', async (c) => (await c.query('select 1 from pg_roles where rolname = $1 union all select 1 from pg_database where datname = $1', [role])).rowCount), 'the role and its database').toBe(0)
      expect(((await redis.call('ACL', 'USERS')) as string[]).includes(`roadmap_run_${old}_deadbeef`), 'the Redis user').toBe(false)
      expect(await redis.exists('rm.deadbeef00:k'), 'its key').toBe(0)
    } finally {
      redis.disconnect()
    }
  })
})
