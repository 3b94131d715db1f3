import http from 'node:http'
import type { AddressInfo } from 'node:net'
import client, { Registry } from 'prom-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseExposition, samplesOf, valueOf, type MetricFamily } from '#support/observability'
import { createJobMetrics, metricsHandler } from '@kata/observability/metrics'

interface JobMetrics {
  track<T>(queue: string, job: () => Promise<T>): Promise<T>
}

const QUEUES = ['email', 'sms'] as const
const BUCKETS = ['0.01', '0.05', '0.1', '0.5', '1', '5', '+Inf']

/** One app under test: its own registry, fake clock and HTTP server serving /metrics. */
interface Rig {
  registry: Registry
  metrics: JobMetrics
  clock: { ms: number }
  url: string
  server: http.Server
}

const rigs: Rig[] = []

async function rig(): Promise<Rig> {
  const registry = new Registry()
  const clock = { ms: 1_000 }
  const metrics: JobMetrics = createJobMetrics({ registry, queues: QUEUES, now: () => clock.ms })
  const server = http.createServer(metricsHandler(registry))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const r = { registry, metrics, clock, server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }
  rigs.push(r)
  return r
}

afterAll(async () => {
  await Promise.all(rigs.map((r) => new Promise((resolve) => r.server.close(resolve))))
})

async function scrape(r: Rig): Promise<Map<string, MetricFamily>> {
  const res = await fetch(`${r.url}/metrics`)
  expect(res.status, 'GET /metrics: status').toBe(200)
  return parseExposition(await res.text())
}

/** A job that takes `ms` on the fake clock. */
const takes = (r: Rig, ms: number, fail = false) => async () => {
  r.clock.ms += ms
  await new Promise((resolve) => setImmediate(resolve))
  if (fail) throw new Error('job failed')
  return 'done'
}

describe('metricsHandler(registry): the /metrics exporter', () => {
  let r: Rig
  beforeAll(async () => {
    r = await rig()
  })

  it('answers GET /metrics with 200 and the Prometheus text content type', async () => {
    const res = await fetch(`${r.url}/metrics`)
    expect(res.status, 'GET /metrics: status').toBe(200)
    expect(res.headers.get('content-type'), 'GET /metrics: Content-Type header').toBe(r.registry.contentType)
  })

  it('serves text a Prometheus scrape accepts (every line parses, no series twice)', async () => {
    const body = await (await fetch(`${r.url}/metrics`)).text()
    expect(() => parseExposition(body), 'parsing the body of GET /metrics').not.toThrow()
  })

  it('answers 404 for any other path', async () => {
    expect((await fetch(`${r.url}/`)).status, 'GET /: status').toBe(404)
    expect((await fetch(`${r.url}/metrics/extra`)).status, 'GET /metrics/extra: status').toBe(404)
    expect((await fetch(`${r.url}/other`, { method: 'POST' })).status, 'POST /other: status (405 is only for /metrics; any other path is 404, whatever the method)').toBe(404)
  })

  it('answers 405 with Allow: GET for POST /metrics', async () => {
    const res = await fetch(`${r.url}/metrics`, { method: 'POST' })
    expect(res.status, 'POST /metrics: status').toBe(405)
    expect(res.headers.get('allow'), 'POST /metrics: Allow header').toBe('GET')
  })

  it('also exports the default process and Node.js metrics of its registry', async () => {
    const families = await scrape(r)
    expect(families.get('process_cpu_seconds_total')?.type, 'family process_cpu_seconds_total (from collectDefaultMetrics)').toBe('counter')
    expect(families.has('nodejs_eventloop_lag_seconds'), 'family nodejs_eventloop_lag_seconds present').toBe(true)
  })
})

describe('createJobMetrics({ registry, queues, now }): the metrics', () => {
  it('declares jobs_processed_total as a counter, job_duration_seconds as a histogram, jobs_in_progress as a gauge, each with HELP text', async () => {
    const families = await scrape(await rig())
    for (const [name, type] of [['jobs_processed_total', 'counter'], ['job_duration_seconds', 'histogram'], ['jobs_in_progress', 'gauge']]) {
      expect(families.get(name!)?.type, `# TYPE of ${name} on /metrics`).toBe(type)
      expect(families.get(name!)?.help.trim(), `# HELP of ${name} on /metrics`).not.toBe('')
    }
  })

  it('exports every queue × outcome counter at 0 before any job runs (so rate() sees the first one)', async () => {
    const families = await scrape(await rig())
    for (const queue of QUEUES) {
      for (const outcome of ['ok', 'error']) {
        expect(valueOf(families, 'jobs_processed_total', { queue, outcome }), `jobs_processed_total{queue="${queue}",outcome="${outcome}"} before any job`).toBe(0)
      }
      expect(valueOf(families, 'jobs_in_progress', { queue }), `jobs_in_progress{queue="${queue}"} before any job`).toBe(0)
    }
  })

  it('counts finished jobs by queue and outcome', async () => {
    const r = await rig()
    for (let i = 0; i < 3; i++) await r.metrics.track('email', takes(r, 5))
    await r.metrics.track('sms', takes(r, 5))
    await expect(r.metrics.track('sms', takes(r, 5, true)), 'track("sms", a failing job)').rejects.toThrow('job failed')
    const families = await scrape(r)
    const want = { 'email/ok': 3, 'email/error': 0, 'sms/ok': 1, 'sms/error': 1 }
    for (const [key, n] of Object.entries(want)) {
      const [queue, outcome] = key.split('/') as [string, string]
      expect(valueOf(families, 'jobs_processed_total', { queue, outcome }), `jobs_processed_total{queue="${queue}",outcome="${outcome}"} after 3 ok email jobs, 1 ok and 1 failed sms job`).toBe(n)
    }
  })

  it('returns what the job returns and rethrows the job\'s own error', async () => {
    const r = await rig()
    expect(await r.metrics.track('email', async () => 42), 'track("email", async () => 42)').toBe(42)
    const boom = new Error('smtp down')
    await expect(r.metrics.track('email', async () => { throw boom }), 'track("email", job that throws Error("smtp down"))').rejects.toBe(boom)
  })

  it('puts each duration, measured with the injected clock, into the right cumulative histogram buckets', async () => {
    const r = await rig()
    await r.metrics.track('email', takes(r, 30)) // 0.03 s
    await r.metrics.track('email', takes(r, 250)) // 0.25 s
    await expect(r.metrics.track('email', takes(r, 2_000, true)), 'track("email", a job of 2 s that fails)').rejects.toThrow('job failed')
    const families = await scrape(r)
    const want = [0, 1, 1, 2, 2, 3, 3]
    BUCKETS.forEach((le, i) => {
      expect(valueOf(families, 'job_duration_seconds_bucket', { queue: 'email', le }), `job_duration_seconds_bucket{queue="email",le="${le}"} after jobs of 30 ms, 250 ms and 2 s`).toBe(want[i])
    })
    expect(valueOf(families, 'job_duration_seconds_count', { queue: 'email' }), 'job_duration_seconds_count{queue="email"}').toBe(3)
    expect(valueOf(families, 'job_duration_seconds_sum', { queue: 'email' }), 'job_duration_seconds_sum{queue="email"} (seconds, not milliseconds)').toBeCloseTo(2.28, 6)
    expect(samplesOf(families, 'job_duration_seconds_count', { queue: 'sms' }).reduce((n, s) => n + s.value, 0), 'job_duration_seconds_count{queue="sms"}: no sms job ran').toBe(0)
  })

  it('shows a running job in jobs_in_progress and takes it out when it ends, even when it fails', async () => {
    const r = await rig()
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    const a = r.metrics.track('sms', () => gate)
    const b = r.metrics.track('sms', async () => { await gate; throw new Error('x') })
    await new Promise((resolve) => setImmediate(resolve))
    expect(valueOf(await scrape(r), 'jobs_in_progress', { queue: 'sms' }), 'jobs_in_progress{queue="sms"} while two sms jobs run').toBe(2)
    release()
    await a
    await b.catch(() => undefined)
    expect(valueOf(await scrape(r), 'jobs_in_progress', { queue: 'sms' }), 'jobs_in_progress{queue="sms"} after both ended (one failed)').toBe(0)
  })

  it('rejects a queue outside `queues` without running the job (labels stay a closed set)', async () => {
    const r = await rig()
    let ran = false
    await expect(r.metrics.track('user-42@example.com', async () => { ran = true }), 'track("user-42@example.com", job)').rejects.toThrow(/user-42@example\.com/)
    expect(ran, 'the job of an unknown queue ran').toBe(false)
    const families = await scrape(r)
    expect(samplesOf(families, 'jobs_processed_total', { queue: 'user-42@example.com' }), 'series with queue="user-42@example.com"').toEqual([])
  })

  it('keeps each registry separate and leaves prom-client\'s global registry alone', async () => {
    const a = await rig()
    const b = await rig()
    await a.metrics.track('email', takes(a, 1))
    expect(valueOf(await scrape(a), 'jobs_processed_total', { queue: 'email', outcome: 'ok' }), 'app A, after one job on A').toBe(1)
    expect(valueOf(await scrape(b), 'jobs_processed_total', { queue: 'email', outcome: 'ok' }), 'app B, after one job on A').toBe(0)
    expect(client.register.getSingleMetric('jobs_processed_total'), 'jobs_processed_total on prom-client\'s global `register`').toBeUndefined()
  })
})
