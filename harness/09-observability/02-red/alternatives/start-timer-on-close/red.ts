import type { RequestHandler } from 'express'
import { Counter, Histogram, type Registry } from 'prom-client'

export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]

const KNOWN = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']

export function redMiddleware(registry: Registry): RequestHandler {
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'Requests served, by method, route template and status code.',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  })
  const latency = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Request latency in seconds.',
    labelNames: ['method', 'route', 'status'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  })
  return (req, res, next) => {
    // prom-client's timer measures in seconds; the labels are known only at the end.
    const stopTimer = latency.startTimer()
    let recorded = false
    // 'close' comes after 'finish' for every response, and also when the client goes away.
    res.on('close', () => {
      if (recorded) return
      recorded = true
      const labels = {
        method: KNOWN.includes(req.method) ? req.method : 'OTHER',
        route: req.route?.path === undefined ? 'unmatched' : req.baseUrl + String(req.route.path),
        status: `${res.statusCode}`,
      }
      requests.inc(labels)
      stopTimer(labels)
    })
    next()
  }
}
