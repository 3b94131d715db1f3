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
  // A client of our own, given back in finally on every path; a failed one is destroyed.
  const query = (async (): Promise<Check> => {
    const client = await pool.connect()
    // A checked-out client has no pool listener: a cut connection must not crash the process.
    let failure: Error | undefined
    const onError = (err: Error) => void (failure = err)
    client.on('error', onError)
    try {
      await client.query('select 1')
      return 'ok'
    } catch (err) {
      failure = err as Error
      throw err
    } finally {
      client.off('error', onError)
      client.release(failure)
    }
  })().catch(() => 'fail' as const)
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
    if (draining) return void res.status(503).json({ status: 'draining' })
    const postgres = await checkPostgres(pool, timeoutMs)
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
