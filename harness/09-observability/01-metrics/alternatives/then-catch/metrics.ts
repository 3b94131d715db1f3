import type { RequestListener } from 'node:http'
import { collectDefaultMetrics, Counter, Gauge, Histogram, type Registry } from 'prom-client'

export interface JobMetricsOptions {
  /** Where every metric is registered; never prom-client's global default registry. */
  registry: Registry
  /** The only queue names `track` accepts: a closed set keeps the label bounded. */
  queues: readonly string[]
  /** Milliseconds on a monotonic clock; `performance.now` when omitted. */
  now?: () => number
}

export interface JobMetrics {
  /** Runs `job` for `queue` and records it; resolves or rejects exactly as the job does. */
  track<T>(queue: string, job: () => Promise<T>): Promise<T>
}

export const DURATION_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 5]

export function createJobMetrics({ registry, queues, now = () => performance.now() }: JobMetricsOptions): JobMetrics {
  const processed = new Counter({
    name: 'jobs_processed_total',
    help: 'Jobs finished, by queue and outcome.',
    labelNames: ['queue', 'outcome'] as const,
    registers: [registry],
  })
  const duration = new Histogram({
    name: 'job_duration_seconds',
    help: 'How long a job ran, in seconds.',
    labelNames: ['queue'] as const,
    buckets: DURATION_BUCKETS,
    registers: [registry],
  })
  const inProgress = new Gauge({
    name: 'jobs_in_progress',
    help: 'Jobs running right now.',
    labelNames: ['queue'] as const,
    registers: [registry],
  })
  collectDefaultMetrics({ register: registry })

  // Series exist from the start at 0, so rate() sees the very first job.
  for (const queue of queues) {
    for (const outcome of ['ok', 'error']) processed.inc({ queue, outcome }, 0)
    inProgress.set({ queue }, 0)
  }

  const finish = (queue: string, outcome: 'ok' | 'error', started: number) => {
    inProgress.labels(queue).dec()
    processed.labels(queue, outcome).inc()
    duration.labels(queue).observe((now() - started) / 1000)
  }
  return {
    track<T>(queue: string, job: () => Promise<T>): Promise<T> {
      if (!queues.includes(queue)) return Promise.reject(new RangeError(`queue "${queue}" is not one of: ${queues.join(', ')}`))
      const started = now()
      inProgress.labels(queue).inc()
      return Promise.resolve()
        .then(job)
        .then(
          (result) => {
            finish(queue, 'ok', started)
            return result
          },
          (err: unknown) => {
            finish(queue, 'error', started)
            throw err
          },
        )
    },
  }
}

/** A node:http handler that serves `registry` at GET /metrics. */
export function metricsHandler(registry: Registry): RequestListener {
  return (req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n')
      return
    }
    if (req.method !== 'GET') {
      res.writeHead(405, { allow: 'GET', 'content-type': 'text/plain' }).end('method not allowed\n')
      return
    }
    registry.metrics().then(
      (body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body),
      (err: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${err.message}\n`),
    )
  }
}
