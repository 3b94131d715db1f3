import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { Redis } from 'ioredis'
import type { ServiceName } from '../catalog/schema.ts'
import { issuedPrincipals } from './gate/issued.ts'
import { withAdmin } from './postgres-databases.ts'
import { addRunDatabase, createRunDatabase, dropRunDatabase, type RunDatabase } from './postgres-run-roles.ts'
import { createRunVhost, dropRunVhost, management, type Management, type RabbitRunVhost } from './rabbitmq-run-vhosts.ts'
import { createRedisRunUser, dropRedisRunUser, redisAdmin } from './redis-run-users.ts'

/** Service credentials could not be made for a run: the run is not started with the admin's instead. */
export class RunCredentialsError extends Error {
  override name = 'RunCredentialsError'
}

/** What one run gets: URLs of its own principals, nothing more. */
export interface RunGrant {
  /** Tags the run's resources (the Redis key prefix its user is limited to). */
  tag: string
  urls: Partial<Record<ServiceName, string>>
  /** The run's databases, comma-separated, in the order the suite's fixtures take them ('' when none). */
  database: string
}

/**
 * Least-privilege service credentials for the runs of one runner; the admin URLs stay
 * here, in the grader. Per run: a PostgreSQL role owning a fresh database (made ahead,
 * like the database stock, while the previous verdict is read) and a Redis ACL user on
 * the run's key prefix (one command). Per runner: a RabbitMQ vhost and user (making one
 * costs seconds with rabbitmqctl), made when the runner starts. All dropped after use.
 */
export class RunCredentials {
  private readyDatabase: Promise<RunDatabase> | undefined
  private redis: Redis | undefined
  private rabbit: Promise<{ m: Management; vhost: RabbitRunVhost }> | undefined
  /** Drops and refills after a run: the next run waits for them (the machine is not shared with them). */
  private background: Promise<unknown> = Promise.resolve()
  private closed = false

  private readonly admin: Partial<Record<ServiceName, string>>
  constructor(admin: Partial<Record<ServiceName, string>>) {
    this.admin = admin
    if (admin.postgres) this.readyDatabase = this.makeDatabase()
    if (admin.rabbitmq) this.rabbit = this.makeVhost(admin.rabbitmq)
  }

  private makeDatabase(): Promise<RunDatabase> {
    const url = this.admin.postgres!
    return madeAhead(withAdmin(url, (c) => createRunDatabase(c, url)))
  }

  private makeVhost(url: string): Promise<{ m: Management; vhost: RabbitRunVhost }> {
    return madeAhead(management(url).then(async (m) => ({ m, vhost: await createRunVhost(m, url) })))
  }

  /**
   * Credentials for one run of a kata that uses `services` (its suite `suiteFile`);
   * RunCredentialsError when one cannot be made.
   */
  async forRun(services: ServiceName[], suiteFile: string): Promise<RunGrant & { release(): void }> {
    await this.background
    const tag = randomBytes(4).toString('hex')
    const urls: RunGrant['urls'] = {}
    let database: RunDatabase | undefined
    let redisUser: string | undefined
    const release = () => {
      const used = { database, redisUser }
      this.background = Promise.allSettled([
        used.database && withAdmin(this.admin.postgres!, (c) => dropRunDatabase(c, used.database!.name)),
        used.redisUser && this.redis && dropRedisRunUser(this.redis, used.redisUser),
      ]).then(() => {
        if (used.database && !this.closed) this.readyDatabase ??= this.makeDatabase()
      })
    }
    try {
      for (const s of services) {
        const admin = this.admin[s]
        if (!admin) continue // missing: the runner reports it as unavailable
        if (s === 'postgres') {
          const ready = this.readyDatabase ?? this.makeDatabase()
          this.readyDatabase = undefined
          // One more try: on a loaded machine the admin connection may time out once.
          database = await ready.catch(() => this.makeDatabase())
          const made = database
          while (1 + made.extra.length < databasesOf(suiteFile)) await withAdmin(admin, (c) => addRunDatabase(c, made))
          urls.postgres = database.url
        } else if (s === 'redis') {
          this.redis ??= redisAdmin(admin)
          const user = await createRedisRunUser(this.redis, admin, tag)
          redisUser = user.name
          urls.redis = user.url
        } else if (s === 'rabbitmq') {
          this.rabbit ??= this.makeVhost(admin)
          urls.rabbitmq = (await this.rabbit).vhost.url
        } else urls[s] = admin // NATS: no per-run credentials yet (SECURITY.md, known limits)
      }
    } catch (err) {
      release()
      throw new RunCredentialsError(`could not make least-privilege credentials for this run: ${(err as Error).message}`, { cause: err })
    }
    // The service gate lets graded code in with these principals only, and only while the run lasts.
    for (const [service, url] of Object.entries(urls) as [ServiceName, string][]) issuedPrincipals.add(service, url)
    const forget = () => {
      if (database) issuedPrincipals.remove('postgres', database.name)
      if (redisUser) issuedPrincipals.remove('redis', redisUser)
      release()
    }
    return { tag, urls, database: database ? [database.name, ...database.extra].join(',') : '', release: forget }
  }

  /** Vhosts being dropped after renewVhost. */
  private dropping: Promise<unknown>[] = []

  /**
   * A new submission on the same runner (grade --many): its runs get a vhost no earlier
   * submission used. The next one is made now, while other katas run; the old one is dropped.
   */
  renewVhost() {
    const old = this.rabbit
    if (!old || this.closed) return
    this.rabbit = this.makeVhost(this.admin.rabbitmq!)
    this.dropping.push(old.then(({ m, vhost }) => dropRunVhost(m, vhost.name)).catch(() => undefined))
  }

  async close() {
    this.closed = true
    await Promise.allSettled(this.dropping)
    await this.background
    const ready = this.readyDatabase
    this.readyDatabase = undefined
    await Promise.allSettled([
      ready?.then((d) => withAdmin(this.admin.postgres!, (c) => dropRunDatabase(c, d.name))),
      this.rabbit?.then(({ m, vhost }) => dropRunVhost(m, vhost.name)),
    ])
    this.redis?.disconnect()
  }
}

/**
 * A resource made before a run asks for it: if making it fails, the run that takes it reports
 * the error. Until then the rejection is handled here: left unhandled, it would end the grade
 * with no report.
 */
function madeAhead<T>(made: Promise<T>): Promise<T> {
  made.catch(() => undefined)
  return made
}

const fixtures = new Map<string, number>()
/** How many databases a suite asks for: one per `usePostgres()` it calls (a primary and a replica: two). */
function databasesOf(suiteFile: string): number {
  let n = fixtures.get(suiteFile)
  if (n === undefined) {
    try {
      n = Math.min(4, Math.max(1, readFileSync(suiteFile, 'utf8').match(/\busePostgres\(/g)?.length ?? 1))
    } catch {
      n = 1
    }
    fixtures.set(suiteFile, n)
  }
  return n
}
