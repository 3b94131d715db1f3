import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http'

// ------------------------------------------------------------------ retry

export interface RetryOptions {
  /** Extra attempts after the first one (retries: 3 → at most 4 calls). */
  retries: number
  /** The cap of the first delay; it doubles for every further retry. */
  baseMs: number
  /** No delay is ever above this. */
  maxMs: number
  /** Which errors are worth another try (default: all). */
  isRetryable?: (err: unknown) => boolean
  /** Aborting stops the retries (and the current wait) at once. */
  signal?: AbortSignal
  /** Waits `ms` (tests pass a fake one); rejects with the signal's reason when aborted. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
  /** A number in [0, 1) (tests pass a fake one). */
  random?: () => number
}

/** A timer that can be cancelled: resolves after `ms`, rejects with the reason on abort. */
function realSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal!.reason)
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

/**
 * Calls fn until it resolves, with exponential backoff and full jitter between attempts:
 * before retry n the wait is random() × min(maxMs, baseMs × 2^(n-1)). Jitter spreads the
 * retries of many clients over time instead of having them all hit again at once.
 */
export async function retry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const { retries, baseMs, maxMs, isRetryable = () => true, signal, sleep = realSleep, random = Math.random } = options
  for (let attempt = 1; ; attempt++) {
    signal?.throwIfAborted()
    try {
      return await fn(attempt)
    } catch (err) {
      if (attempt > retries || !isRetryable(err)) throw err
      const cap = Math.min(maxMs, baseMs * 2 ** attempt)
      await sleep(random() * cap, signal)
    }
  }
}

// ----------------------------------------------------------- circuit breaker

export type BreakerState = 'closed' | 'open' | 'half-open'

export class BreakerOpenError extends Error {
  override name = 'BreakerOpenError'
  constructor() {
    super('circuit breaker is open: failing fast')
  }
}

export interface BreakerOptions {
  /** Consecutive failures that open the breaker. */
  failureThreshold: number
  /** How long it stays open before letting one trial call through. */
  cooldownMs: number
  /** The clock (tests pass a fake one). */
  now?: () => number
}

export interface Breaker {
  call<T>(fn: () => Promise<T>): Promise<T>
  state(): BreakerState
}

/**
 * closed → (failureThreshold failures in a row) → open → (cooldownMs) → half-open: one trial
 * call; its success closes the breaker, its failure opens it again for another cooldown.
 */
export function createBreaker({ failureThreshold, cooldownMs, now = Date.now }: BreakerOptions): Breaker {
  let failures = 0
  let openedAt: number | undefined
  let trialInFlight = false

  const state = (): BreakerState => {
    if (openedAt === undefined) return 'closed'
    return now() - openedAt >= cooldownMs ? 'half-open' : 'open'
  }

  return {
    state,
    async call(fn) {
      const s = state()
      if (s === 'open' || (s === 'half-open' && trialInFlight)) throw new BreakerOpenError()
      const trial = s === 'half-open'
      if (trial) trialInFlight = true
      try {
        const value = await fn()
        failures = 0
        openedAt = undefined
        return value
      } catch (err) {
        failures++
        if (trial || failures >= failureThreshold) openedAt = now()
        throw err
      } finally {
        if (trial) trialInFlight = false
      }
    },
  }
}

// ------------------------------------------------------------- load shedding

export interface ShedOptions {
  /** Requests handled at the same time; one more is refused. */
  maxInFlight: number
  /** What the Retry-After header of a refusal says. */
  retryAfterSeconds: number
}

/**
 * Wraps a request listener: beyond maxInFlight concurrent requests, answers 503 with
 * Retry-After at once instead of queueing work the server cannot finish in time.
 */
export function shedLoad(handler: (req: IncomingMessage, res: ServerResponse) => unknown, { maxInFlight, retryAfterSeconds }: ShedOptions): RequestListener {
  let inFlight = 0
  return (req, res) => {
    if (inFlight >= maxInFlight) {
      res.writeHead(503, { 'content-type': 'application/json', 'retry-after': String(retryAfterSeconds) })
      res.end(JSON.stringify({ error: 'overloaded' }))
      return
    }
    inFlight++
    // 'close' fires once the response is done or the client went away: the slot is freed
    // either way, exactly once.
    res.once('close', () => inFlight--)
    const fail = () => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ error: 'internal error' }))
      } else res.destroy()
    }
    try {
      Promise.resolve(handler(req, res)).catch(fail)
    } catch {
      fail()
    }
  }
}
