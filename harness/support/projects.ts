// Helpers for the suites of chapter 15 (projects): a real listening server for the
// learner's request listener, polling with a message that names what did not happen,
// and small RabbitMQ spies.
import type { RequestListener } from 'node:http'
import type { Channel, ConsumeMessage } from 'amqplib'
import { sleep } from './async.ts'
import { listen, type Listening } from './http.ts'

export { sleep }
export type Served = Listening

/**
 * Starts `listener` on 127.0.0.1 on a free port (closed after the suite at the latest).
 * Fails with a clear message when the kata did not return a request listener.
 */
export async function serve(listener: unknown, what = 'createApp(…)'): Promise<Served> {
  if (typeof listener !== 'function') throw new Error(`${what} must return a request listener, (req, res) => void (an Express app is one); got ${typeof listener}`)
  return listen(listener as RequestListener, { keepAliveTimeout: 30_000 })
}

/**
 * Polls `check` until it is true; fails with "timed out after … waiting for: <what>" so a
 * test never runs into the suite's budget with an anonymous timeout. Pass `what` as a
 * function when it reports state, so the message shows the state at the timeout.
 */
export async function waitFor(check: () => boolean | Promise<boolean>, what: string | (() => string | Promise<string>), timeoutMs = 3000, everyMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await check()) return
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${typeof what === 'function' ? await what() : what}`)
    await sleep(everyMs)
  }
}

/**
 * Records errors of a channel handed to the learner's code: without a listener a channel
 * error (a double ack, a PRECONDITION_FAILED) would crash the worker.
 */
export function watchChannel(ch: Channel): { errors: Error[]; describe(): string } {
  const errors: Error[] = []
  ch.on('error', (err: Error) => errors.push(err))
  return {
    errors,
    describe: () => (errors.length ? ` (RabbitMQ closed a channel: ${errors.map((e) => e.message).join('; ')})` : ''),
  }
}

export interface SpyMessage {
  routingKey: string
  body: unknown
  raw: ConsumeMessage
}

/**
 * A queue of the suite's own, bound to `exchange` with `pattern`: collects everything the
 * learner's code publishes there. The body is parsed JSON, or the raw text when it is not JSON.
 */
export async function spyOn(ch: Channel, exchange: string, queue: string, pattern = '#'): Promise<{ messages: SpyMessage[]; of(key: string): SpyMessage[] }> {
  await ch.assertExchange(exchange, 'topic', { durable: true })
  await ch.assertQueue(queue, { durable: false, autoDelete: true })
  await ch.bindQueue(queue, exchange, pattern)
  const messages: SpyMessage[] = []
  await ch.consume(
    queue,
    (msg) => {
      if (!msg) return
      const text = msg.content.toString()
      let body: unknown = text
      try {
        body = JSON.parse(text)
      } catch {
        // not JSON: keep the text
      }
      messages.push({ routingKey: msg.fields.routingKey, body, raw: msg })
    },
    { noAck: true },
  )
  return { messages, of: (key) => messages.filter((m) => m.routingKey === key) }
}

/** The messages ready in a queue (not counting delivered, unacknowledged ones). */
export const readyCount = async (ch: Channel, queue: string) => (await ch.checkQueue(queue)).messageCount

export const json = (value: unknown) => Buffer.from(JSON.stringify(value))

export interface LoadOptions {
  url: string
  method?: string
  path: string
  /** JSON body; every "[<id>]" in it becomes an id unique to the request. */
  body?: string
  /** Requests per second, all connections together. */
  rate: number
  seconds: number
  /** Default 100. */
  connections?: number
}

export interface LoadResult {
  /** Requests answered (any status). */
  total: number
  /** Average answered requests per second. */
  rps: number
  p50: number
  p99: number
  max: number
  /** Connection errors (refused, reset) and timeouts. */
  errors: number
  timeouts: number
  /** Count per HTTP status, e.g. { "201": 300, "409": 3700 }. */
  statuses: Record<string, number>
}

// The load generator runs in a process of its own, as it would against a real service:
// inside the server's process it would compete with it for the same event loop.
const LOAD_SCRIPT = `
const [main, raw] = process.argv.slice(1)
const autocannon = (await import(main)).default
const o = JSON.parse(raw)
const r = await autocannon({
  url: o.url, connections: o.connections, overallRate: o.rate, duration: o.seconds, timeout: 5,
  idReplacement: true,
  requests: [{ method: o.method, path: o.path, headers: { 'content-type': 'application/json' }, body: o.body }],
})
const statuses = Object.fromEntries(Object.entries(r.statusCodeStats ?? {}).map(([k, v]) => [k, v.count]))
process.stdout.write(JSON.stringify({ total: r.requests.total, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max, errors: r.errors, timeouts: r.timeouts, statuses }))
`

/** Sends `rate` requests per second for `seconds` with autocannon, from a child process. */
export async function loadTest(o: LoadOptions): Promise<LoadResult> {
  const { spawn } = await import('node:child_process')
  const { createRequire } = await import('node:module')
  const { pathToFileURL } = await import('node:url')
  const main = pathToFileURL(createRequire(import.meta.url).resolve('autocannon')).href
  const opts = { method: 'POST', connections: 100, ...o }
  const child = spawn(process.execPath, ['--input-type=module', '-e', LOAD_SCRIPT, main, JSON.stringify(opts)], { stdio: ['ignore', 'pipe', 'pipe'], timeout: (o.seconds + 20) * 1000 })
  let out = ''
  let err = ''
  child.stdout.on('data', (c: Buffer) => (out += c))
  child.stderr.on('data', (c: Buffer) => (err += c))
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  if (code !== 0) throw new Error(`the load generator (autocannon) failed with exit code ${code}: ${err.slice(0, 2000)}`)
  return JSON.parse(out) as LoadResult
}
