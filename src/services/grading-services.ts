import type { ServiceName } from '../catalog/schema.ts'
import { dropStale, withAdmin } from './postgres-databases.ts'
import { dropStaleRunRoles } from './postgres-run-roles.ts'
import { guardTemplate } from './postgres-template.ts'
import { dropStaleVhosts, management } from './rabbitmq-run-vhosts.ts'
import { dropStaleRedisUsers, redisAdmin } from './redis-run-users.ts'

/**
 * Before a grade, once: the PostgreSQL template is checked (and rebuilt when a previous
 * run planted anything in it), and what graders that died left behind (run roles and
 * databases, Redis users and keys, RabbitMQ vhosts and users older than an hour) is
 * dropped. Returns warnings for the grader's log.
 */
export async function prepareServicesForGrading(admin: Partial<Record<ServiceName, string>>, gated = false): Promise<string[]> {
  // Behind the service gate graded code cannot log in as anyone but its run's principals.
  const warnings = (gated ? [] : guessableAdmins(admin)).map((name) => `the ${name} admin URL has no secret password: graded code can log in as the admin without it (SECURITY.md, known limits)`)
  const jobs: Promise<unknown>[] = []
  if (admin.postgres) {
    const url = admin.postgres
    jobs.push(
      withAdmin(url, async (c) => {
        const found = await guardTemplate(c, url)
        if (found.length) warnings.push(`the PostgreSQL template held ${found.join(', ')}: rebuilt from template0`)
        await dropStaleRunRoles(c)
        await dropStale(c)
      }),
    )
  }
  if (admin.redis) {
    const c = redisAdmin(admin.redis)
    jobs.push(dropStaleRedisUsers(c).finally(() => c.disconnect()))
  }
  // Listing vhosts with rabbitmqctl takes seconds: the sweep goes on beside the grade.
  if (admin.rabbitmq) void management(admin.rabbitmq).then(dropStaleVhosts).catch(() => undefined)
  const settled = await Promise.allSettled(jobs)
  for (const s of settled) if (s.status === 'rejected') warnings.push(`preparing the services for grading: ${(s.reason as Error).message}`)
  return warnings
}

/** Services whose admin credentials graded code could guess (none, or RabbitMQ's guest/guest). */
function guessableAdmins(admin: Partial<Record<ServiceName, string>>): string[] {
  const open: string[] = []
  const password = (url: string) => decodeURIComponent(new URL(url).password)
  if (admin.postgres && !password(admin.postgres)) open.push('PostgreSQL')
  if (admin.redis && !password(admin.redis)) open.push('Redis')
  if (admin.rabbitmq && ['', 'guest'].includes(password(admin.rabbitmq))) open.push('RabbitMQ')
  return open
}
