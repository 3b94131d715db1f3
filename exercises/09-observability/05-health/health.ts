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

/** GET /livez and GET /readyz, see README.md. */
export function createHealth(options: HealthOptions): HealthApp {
  throw new Error('TODO: build an Express app with GET /livez and GET /readyz (checks PostgreSQL with a timeout) and a drain() switch\nTODO(ru): собрать приложение Express с GET /livez и GET /readyz (проверка PostgreSQL с тайм-аутом) и переключателем drain()')
}
