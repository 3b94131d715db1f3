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

/**
 * Calls fn until it resolves, with exponential backoff and full jitter between attempts:
 * before retry n the wait is random() × min(maxMs, baseMs × 2^(n-1)). Jitter spreads the
 * retries of many clients over time instead of having them all hit again at once.
 */
export async function retry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  throw new Error('TODO: retry — call fn; on a retryable error wait random() × min(maxMs, baseMs × 2^(n-1)) and try again, up to `retries` times\nTODO(ru): retry — вызвать fn; при ошибке, которую можно повторить, подождать random() × min(maxMs, baseMs × 2^(n-1)) и попробовать снова, не больше `retries` раз')
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
  throw new Error('TODO: createBreaker — count failures in a row, open at the threshold, fail fast, one trial call after cooldownMs\nTODO(ru): createBreaker — считать сбои подряд, размыкаться на пороге, сразу отвечать ошибкой, после cooldownMs пропустить один пробный вызов')
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
  throw new Error('TODO: shedLoad — count requests in flight; beyond maxInFlight answer 503 with Retry-After; free the slot when the response closes\nTODO(ru): shedLoad — считать выполняющиеся запросы; сверх maxInFlight отвечать 503 с Retry-After; освобождать место, когда ответ закрыт')
}
