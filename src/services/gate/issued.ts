import { timingSafeEqual } from 'node:crypto'
import type { ServiceName } from '../../catalog/schema.ts'

/**
 * The service principals this grader issued to its runs, and their passwords: the only
 * ones the service gate lets graded code log in as. PostgreSQL trusts 127.0.0.1 on many
 * machines (no password is checked), so the gate checks the run role's password itself.
 */
const issued: Record<Exclude<ServiceName, 'nats'>, Map<string, string>> = {
  postgres: new Map(),
  redis: new Map(),
  rabbitmq: new Map(),
}

export const issuedPrincipals = {
  /** A run's user and its password, from the URL issued for it. */
  add(service: ServiceName, url: string) {
    if (service === 'nats') return
    const u = new URL(url)
    issued[service].set(decodeURIComponent(u.username), decodeURIComponent(u.password))
  },
  remove(service: ServiceName, user: string) {
    if (service !== 'nats') issued[service].delete(user)
  },
  has(service: Exclude<ServiceName, 'nats'>, user: string) {
    return issued[service].has(user)
  },
  /** Is this the password issued with `user`? (Constant time: the password is the secret.) */
  matches(service: Exclude<ServiceName, 'nats'>, user: string, password: string) {
    const known = issued[service].get(user)
    if (known === undefined) return false
    const a = Buffer.from(known)
    const b = Buffer.from(password)
    return a.length === b.length && timingSafeEqual(a, b)
  },
}
