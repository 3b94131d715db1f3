// What the five services share: the event bus on RabbitMQ, the metrics, HTTP errors.
import type { Channel, ChannelModel, ConfirmChannel } from 'amqplib'
import { Counter, Histogram, Registry } from 'prom-client'

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

/**
 * One topic exchange for every event. Each service has its own queue, so an event
 * reaches every service that subscribed to its key, and a slow service does not hold
 * back the others.
 */
export async function createBus(amqp: ChannelModel, names: Names): Promise<Bus> {
  const exchange = names.exchange('ozon.events')
  const pub: ConfirmChannel = await amqp.createConfirmChannel()
  await pub.assertExchange(exchange, 'topic', { durable: true })
  const channels: Channel[] = [pub]
  const inFlight = new Set<Promise<void>>()
  let closing = false

  return {
    async publish(routingKey, body) {
      pub.publish(exchange, routingKey, Buffer.from(JSON.stringify(body)), { contentType: 'application/json', persistent: true })
      await pub.waitForConfirms()
    },
    async subscribe(service, keys, handler) {
      const ch = await amqp.createChannel()
      channels.push(ch)
      const queue = names.queue(service)
      await ch.assertQueue(queue, { durable: true })
      for (const key of keys) await ch.bindQueue(queue, exchange, key)
      await ch.prefetch(10)
      // After stop() the channel may be closed under a message in flight: then its ack or
      // nack throws, and the broker redelivers the message to the next consumer anyway.
      const safely = (fn: () => void) => {
        try {
          fn()
        } catch {
          // the channel is gone
        }
      }
      await ch.consume(queue, (msg) => {
        if (!msg) return
        let body: Record<string, unknown>
        try {
          body = JSON.parse(msg.content.toString())
        } catch {
          return safely(() => ch.nack(msg, false, false)) // garbage: drop it, never requeue forever
        }
        const p = handler(body, msg.fields.routingKey).then(
          () => safely(() => ch.ack(msg)),
          // A failure is retried after a pause: the message goes back to the queue.
          () => void setTimeout(() => !closing && safely(() => ch.nack(msg, false, true)), 100),
        )
        inFlight.add(p)
        void p.finally(() => inFlight.delete(p))
      })
    },
    async close() {
      closing = true
      await Promise.allSettled(inFlight)
      await Promise.allSettled(channels.map((c) => c.close()))
    },
  }
}

/**
 * The shop's metrics, on a registry of its own: two instances in one process (as in the
 * tests) must not share counters, and the global default registry would refuse the second.
 */
export function createMetrics() {
  const registry = new Registry()
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) => new Counter<L>({ name, help, labelNames, registers: [registry] })
  return {
    registry,
    orders: counter('ozon_orders_total', 'Orders that reached a status', ['status']),
    payments: counter('ozon_payments_total', 'Payments by result', ['result']),
    notifications: counter('ozon_notifications_total', 'Mails sent by template', ['template']),
    cache: counter('ozon_cache_requests_total', 'Product cache lookups by result', ['result']),
    httpRequests: counter('http_requests_total', 'HTTP requests', ['method', 'route', 'status']),
    httpDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration in seconds',
      labelNames: ['method', 'route'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
  }
}

export type Metrics = ReturnType<typeof createMetrics>

export const isInt = (v: unknown, min: number): v is number => Number.isInteger(v) && (v as number) >= min

/** A path id: a positive integer, or undefined (then nothing has that id). */
export function idParam(raw: unknown): number | undefined {
  return typeof raw === 'string' && /^\d{1,9}$/.test(raw) && Number(raw) > 0 ? Number(raw) : undefined
}
