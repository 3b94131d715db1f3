import type { ServiceName } from '../catalog/schema.ts'
import type { Catalog } from '../catalog/types.ts'
import { nativeFixtures, supportFile } from './alias-plugin.ts'

/** The client libraries a service's fixture loads in the worker. */
const CLIENTS: Record<ServiceName, string[]> = { postgres: ['pg'], redis: ['ioredis'], rabbitmq: ['amqplib'], nats: ['nats'] }

/**
 * What a worker's preload (worker-preload.mjs) loads for suites that use these services:
 * Vitest, the services' client libraries and, where Node loads them itself (`native`, the
 * runner's server.deps.external), their fixtures.
 */
export function preloadModules(catalog: Catalog, services: Iterable<ServiceName>, native = nativeFixtures(catalog)): string[] {
  const forService = (s: ServiceName) => {
    const fixture = supportFile(catalog, s)
    return native?.test(fixture) ? [...CLIENTS[s], fixture] : CLIENTS[s]
  }
  return ['vitest', ...[...new Set(services)].flatMap(forService)]
}
