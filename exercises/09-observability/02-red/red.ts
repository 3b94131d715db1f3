import type { RequestHandler } from 'express'
import type { Registry } from 'prom-client'

export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]

/**
 * Express middleware recording RED metrics (rate, errors, duration) in `registry`:
 * http_requests_total and http_request_duration_seconds, both labelled
 * { method, route, status }. See README.md.
 */
export function redMiddleware(registry: Registry): RequestHandler {
  throw new Error('TODO: create the counter and the histogram in `registry` and return a middleware that records each finished response\nTODO(ru): создать счётчик и гистограмму в `registry` и вернуть middleware, который учитывает каждый завершённый ответ')
}
