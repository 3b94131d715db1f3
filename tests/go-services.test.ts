import { afterAll, describe, expect, it } from 'vitest'
import { trackCatalog } from '../src/catalog/track.ts'
import { goServiceEnv, runGoTrack } from '../src/runner/go/track-run.ts'
import { solutionsTarget } from '../src/runner/target.ts'
import { Services } from '../src/services/services.ts'
import { catalog, ROOT } from './helpers.ts'

// A Go kata with `services:` in its kata.yaml gets each service's URL in the environment of
// `go test` (DATABASE_URL, REDIS_URL, AMQP_URL), resolved as the TypeScript track resolves
// them; without one, the verdict is 'unavailable' (a harness condition), never a failure.
// The first `go test -race` of pgx on a cold cache takes minutes on a busy machine.
const SLOW = 600_000

const goCatalog = trackCatalog(catalog(), 'go')
const crud = goCatalog.byId.get('postgres/crud')!
const opened: Services[] = []
afterAll(async () => {
  await Promise.all(opened.map((s) => s.close()))
})

describe('goServiceEnv', () => {
  const access = { urls: { postgres: 'postgres://pg.example/db', redis: 'redis://r.example', rabbitmq: 'amqp://q.example' }, problem: () => undefined }

  it('names each service as the Go world does', () => {
    expect(goServiceEnv(['postgres', 'redis', 'rabbitmq'], access)).toEqual({
      env: { DATABASE_URL: 'postgres://pg.example/db', REDIS_URL: 'redis://r.example', AMQP_URL: 'amqp://q.example' },
    })
    expect(goServiceEnv([], undefined)).toEqual({ env: {} })
  })

  it('says why a service has no URL', () => {
    const missing = { urls: {}, problem: () => 'PostgreSQL is not reachable (nothing answers on 127.0.0.1:5432). Start it: docker compose up -d postgres' }
    expect(goServiceEnv(['postgres'], missing)).toEqual({ missing: missing.problem() })
    expect(goServiceEnv(['postgres'], undefined)).toEqual({ missing: 'PostgreSQL was not looked for in this session' })
  })
})

describe('a Go kata with services', () => {
  it('declares postgres and a Go track', () => {
    expect(crud?.services).toEqual(['postgres'])
    expect(crud?.go).toBeDefined()
  })

  it(
    'gets DATABASE_URL and passes its solution (its hidden tests fail without it)',
    async (ctx) => {
      const services = await Services.resolve(['postgres'], { root: ROOT, start: false })
      opened.push(services)
      // No PostgreSQL on this machine: nothing to prove here (the next test covers that case).
      if (services.status('postgres')?.state !== 'ready') ctx.skip()
      const r = await runGoTrack(ROOT, crud, solutionsTarget(goCatalog), { services: services.access() })
      expect(r.verdict, r.message ?? r.tests.find((t) => t.status !== 'pass')?.message).toBe('pass')
      expect(r.tests.length).toBeGreaterThan(5)
    },
    SLOW,
  )

  it('is unavailable, and says so, when PostgreSQL has no URL', async () => {
    // An explicit URL that does not answer: the resolver reports it rather than guessing.
    const services = await Services.resolve(['postgres'], { root: ROOT, start: false, env: { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' } })
    opened.push(services)
    const r = await runGoTrack(ROOT, crud, solutionsTarget(goCatalog), { services: services.access() })
    expect(r.verdict).toBe('unavailable')
    expect(r.message).toMatch(/PostgreSQL is not reachable/)
    expect(r.message).toContain('$DATABASE_URL')
    expect(r.score).toBe(0)
    expect(r.tests).toEqual([])
  })

  it('is unavailable when the command looked for no services at all', async () => {
    const r = await runGoTrack(ROOT, crud, solutionsTarget(goCatalog))
    expect(r.verdict).toBe('unavailable')
    expect(r.message).toBe('PostgreSQL was not looked for in this session')
  })
})
