import type { RequestHandler } from 'express'
import { Counter, Histogram, type Registry } from 'prom-client'

export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])

/**
 * Express middleware recording RED metrics (rate, errors, duration) in `registry`.
 * Mount it before the routes: it reads the matched route when the response is finished.
 */
export function redMiddleware(registry: Registry): RequestHandler {
  const labelNames = ['method', 'route', 'status'] as const
  const requests = new Counter({ name: 'http_requests_total', help: 'HTTP requests answered.', labelNames, registers: [registry] })
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time to answer an HTTP request, in seconds.',
    labelNames,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  })

  return (req, res, next) => {
    const started = process.hrtime.bigint()
    {
      // The template, never the raw path: /users/42 and /users/43 are one series.
      const route = req.route ? `${req.baseUrl ?? ""}${String(req.route.path)}` : 'unmatched'
      const method = METHODS.has(req.method) ? req.method : 'OTHER'
      const labels = { method, route, status: String(res.statusCode) }
      requests.inc(labels)
      duration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9)
    }
    next()
  }
}
