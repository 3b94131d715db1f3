// What the five services share: the event bus on RabbitMQ, the metrics, HTTP errors.
import type { ChannelModel } from 'amqplib'
import type { Registry } from 'prom-client'

/** Unique RabbitMQ names for this run; call each once, at start-up. */
export interface Names {
  exchange(base: string): string
  queue(base: string): string
}

/** An error that already knows its HTTP status. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

export type Handler = (body: Record<string, unknown>, routingKey: string) => Promise<void>

export interface Bus {
  publish(routingKey: string, body: object): Promise<void>
  /** A durable queue of the service's own, bound to `keys`; resolves once consuming. */
  subscribe(service: string, keys: string[], handler: Handler): Promise<void>
  close(): Promise<void>
}

/** One topic exchange for every event; each service consumes its own queue. */
export async function createBus(amqp: ChannelModel, names: Names): Promise<Bus> {
  void amqp
  void names
  throw new Error('TODO: createBus(amqp, names) — a topic exchange, publish with confirms, one queue per subscribing service (step 2 of README.md)\nTODO(ru): createBus(amqp, names) — обменник типа topic, публикация с подтверждениями, по очереди на каждый сервис-подписчик (шаг 2 в README.ru.md)')
}

/** The shop's counters and histogram, on a registry of its own (step 4 of README.md). */
export interface Metrics {
  registry: Registry
}

export function createMetrics(): Metrics {
  throw new Error('TODO: createMetrics() — a prom-client Registry of this instance with the metrics of step 4 of README.md\nTODO(ru): createMetrics() — собственный Registry из prom-client с метриками из шага 4 в README.ru.md')
}

export const isInt = (v: unknown, min: number): v is number => Number.isInteger(v) && (v as number) >= min

/** A path id: a positive integer, or undefined (then nothing has that id). */
export function idParam(raw: unknown): number | undefined {
  return typeof raw === 'string' && /^\d{1,9}$/.test(raw) && Number(raw) > 0 ? Number(raw) : undefined
}
