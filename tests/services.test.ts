import { describe, expect, it } from 'vitest'
import { dockerEngine } from '../src/services/containers.ts'
import { Services } from '../src/services/services.ts'
import { ROOT } from './helpers.ts'

const DEAD = { postgres: 'postgres://postgres@127.0.0.1:1/postgres', redis: 'redis://127.0.0.1:1', rabbitmq: 'amqp://guest:guest@127.0.0.1:1', nats: 'nats://127.0.0.1:1' }

describe('service resolution', () => {
  it('finds the servers on the standard local ports with a real protocol probe', async () => {
    const s = await Services.resolve(['postgres', 'redis', 'rabbitmq', 'nats'], { root: ROOT, env: {}, start: false })
    for (const st of s.all) expect(st, `${st.name}`).toMatchObject({ state: 'ready', source: 'local' })
  })

  it('takes an explicit URL first', async () => {
    const s = await Services.resolve(['redis'], { root: ROOT, env: { REDIS_URL: 'redis://127.0.0.1:6379/2' }, start: false })
    expect(s.status('redis')).toMatchObject({ state: 'ready', source: 'env', url: 'redis://127.0.0.1:6379/2' })
  })

  it('reads URLs from roadmap.config.yaml after the environment', async () => {
    const s = await Services.resolve(['redis'], { root: ROOT, env: {}, config: { services: { redis: 'redis://127.0.0.1:6379/3' } }, start: false })
    expect(s.status('redis')).toMatchObject({ state: 'ready', source: 'config' })
  })

  it('reports an explicit URL that does not answer instead of guessing another server', async () => {
    const s = await Services.resolve(['redis'], { root: ROOT, env: { REDIS_URL: DEAD.redis }, start: false })
    expect(s.status('redis')!.state).toBe('missing')
    expect(s.problem('redis')).toMatch(/\$REDIS_URL=redis:\/\/127\.0\.0\.1:1.*ECONNREFUSED.*check \$REDIS_URL/)
  })

  it('says in under a second that no Docker engine answers, and names the one command to run', async () => {
    const t0 = performance.now()
    const s = await Services.resolve(['redis', 'rabbitmq'], { root: ROOT, env: {}, localUrls: DEAD, start: true })
    const ms = performance.now() - t0
    expect(ms).toBeLessThan(1500)
    expect(s.problem('redis')).toMatch(/Redis is not reachable \(nothing answers on 127\.0\.0\.1:1.*Testcontainers: no Docker engine answers\)\. Start it: docker compose up -d redis.*redis-server --daemonize yes/)
    expect(s.problem('rabbitmq')).toMatch(/rabbitmq-server -detached/)
  })

  it('Testcontainers fails fast and clearly without an engine', async () => {
    const t0 = performance.now()
    const engine = await dockerEngine()
    expect(performance.now() - t0).toBeLessThan(1000)
    if (!engine.ok) expect(engine.reason).toMatch(/no Docker engine answers|did not answer/)
  })

  it('starts an embedded PostgreSQL when nothing listens and no engine answers', { timeout: 60_000 }, async () => {
    const s = await Services.resolve(['postgres'], { root: ROOT, env: {}, localUrls: DEAD, start: true })
    try {
      const st = s.status('postgres')!
      expect(st, s.problem('postgres')).toMatchObject({ state: 'ready', source: 'embedded' })
      const { default: pg } = await import('pg')
      const c = new pg.Client({ connectionString: (st as { url: string }).url })
      await c.connect()
      expect((await c.query('select 1 as one')).rows[0].one).toBe(1)
      await c.end()
    } finally {
      await s.close()
    }
  })
})
