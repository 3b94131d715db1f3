import type { RequestListener } from 'node:http'
import type { Registry } from 'prom-client'

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

/**
 * Registers in `registry`: jobs_processed_total{queue,outcome} (counter),
 * job_duration_seconds{queue} (histogram, DURATION_BUCKETS), jobs_in_progress{queue} (gauge)
 * and the default process metrics. See README.md.
 */
export function createJobMetrics(options: JobMetricsOptions): JobMetrics {
  throw new Error('TODO: create the counter, histogram and gauge in options.registry and return { track }\nTODO(ru): создать счётчик, гистограмму и gauge в options.registry и вернуть { track }')
}

/** A node:http handler that serves `registry` at GET /metrics. */
export function metricsHandler(registry: Registry): RequestListener {
  throw new Error('TODO: return a (req, res) handler that answers GET /metrics with registry.metrics()\nTODO(ru): вернуть обработчик (req, res), который отвечает на GET /metrics результатом registry.metrics()')
}
