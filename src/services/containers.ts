import type { ServiceName } from '../catalog/schema.ts'

/** A started container and how to stop it. */
export interface StartedService {
  url: string
  stop(): Promise<void>
}

/**
 * Asks Testcontainers whether a Docker engine answers. Without one it fails in about
 * a millisecond; the timeout only guards against an engine that hangs.
 */
export async function dockerEngine(ms = 1000): Promise<{ ok: true } | { ok: false; reason: string }> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers')
    await Promise.race([
      getContainerRuntimeClient(),
      new Promise((_, rej) => setTimeout(() => rej(new Error(`the Docker engine did not answer in ${ms} ms`)), ms).unref()),
    ])
    return { ok: true }
  } catch (err) {
    const msg = (err as Error).message
    return { ok: false, reason: /container runtime strategy/i.test(msg) ? 'no Docker engine answers' : msg }
  }
}

/** Starts a throwaway container for a service with Testcontainers' modules. */
export async function startContainer(name: ServiceName): Promise<StartedService> {
  switch (name) {
    case 'postgres': {
      const { PostgreSqlContainer } = await import('@testcontainers/postgresql')
      const c = await new PostgreSqlContainer('postgres:17-alpine').withUsername('postgres').withPassword('postgres').withDatabase('postgres').start()
      return { url: c.getConnectionUri(), stop: async () => void (await c.stop()) }
    }
    case 'redis': {
      const { RedisContainer } = await import('@testcontainers/redis')
      const c = await new RedisContainer('redis:7-alpine').start()
      return { url: c.getConnectionUrl(), stop: async () => void (await c.stop()) }
    }
    case 'rabbitmq': {
      const { RabbitMQContainer } = await import('@testcontainers/rabbitmq')
      const c = await new RabbitMQContainer('rabbitmq:4-management-alpine').start()
      return { url: c.getAmqpUrl(), stop: async () => void (await c.stop()) }
    }
    case 'nats': {
      const { GenericContainer, Wait } = await import('testcontainers')
      const c = await new GenericContainer('nats:2-alpine').withCommand(['-js']).withExposedPorts(4222).withWaitStrategy(Wait.forLogMessage(/Server is ready/)).start()
      return { url: `nats://${c.getHost()}:${c.getMappedPort(4222)}`, stop: async () => void (await c.stop()) }
    }
  }
}
