import express from 'express'
import type pg from 'pg'

export interface HealthOptions {
  pool: pg.Pool
  /** How long the readiness check waits for PostgreSQL before it reports a failure. */
  timeoutMs: number
}

export interface HealthApp {
  app: express.Express
  /** Called on SIGTERM: stop taking new traffic while in-flight requests finish. */
  drain(): void
}

type Check = 'ok' | 'fail'

/** Resolves 'fail' instead of waiting forever: a probe that hangs is worse than one that fails. */
async function checkPostgres(pool: pg.Pool, timeoutMs: number): Promise<Check> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<Check>((resolve) => (timer = setTimeout(() => resolve('fail'), timeoutMs)))
  const query = pool.query('select 1').then(
    () => 'ok' as const,
    () => 'fail' as const,
  )
  try {
    return await Promise.race([query, timeout])
  } finally {
    clearTimeout(timer)
  }
}

export function createHealth({ pool, timeoutMs }: HealthOptions): HealthApp {
  const app = express()
  let draining = false

  app.use((_req, res, next) => {
    res.set('cache-control', 'no-store')
    next()
  })

  // Liveness: the process can answer. Never touches a dependency: a database outage
  // must not make the orchestrator restart every replica.
  app.get('/livez', (_req, res) => {
    res.json({ status: 'ok' })
  })

  // Readiness: may this replica get traffic now?
  app.get('/readyz', async (_req, res) => {
    const postgres = await checkPostgres(pool, timeoutMs)
    if (draining) return void res.status(503).json({ status: 'draining' })
    const ok = postgres === 'ok'
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'fail', checks: { postgres } })
  })

  return {
    app,
    drain() {
      draining = true
    },
  }
}
