/** A child scope: its signal, and cancel() to end it early and release what it holds. */
export interface Scope {
  signal: AbortSignal
  cancel(): void
}

/** Something to close when the job is over: a connection, a file, a lock. */
export interface Resource {
  close(): void | Promise<void>
}

/** A step of a job: gets the resource and the job's signal, and should honour it. */
export type Step<R> = (resource: R, signal: AbortSignal) => Promise<unknown>

export interface Job<R extends Resource> {
  acquire(signal: AbortSignal): Promise<R>
  steps: readonly Step<R>[]
}

export interface RunOptions {
  signal?: AbortSignal
  timeoutMs?: number
}

/** Resolves after `ms`; rejects with `signal.reason` as soon as the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  throw new Error('TODO: sleep — a timer that an AbortSignal can cut short\nTODO(ru): sleep — таймер, который AbortSignal может прервать досрочно')
}

/** context.WithTimeout: aborts when the parent does (same reason) or after `ms` (TimeoutError). */
export function withTimeout(parent: AbortSignal | undefined, ms: number): Scope {
  throw new Error('TODO: withTimeout — an AbortController that follows the parent and a deadline\nTODO(ru): withTimeout — AbortController, который отменяется вместе с родительским сигналом или по истечении срока')
}

/**
 * Acquires the resource, runs the steps in order and resolves with their results. On
 * abort (the caller's signal or the deadline) it stops at once, even if the running
 * step ignores its signal, and starts nothing more. The resource is closed exactly once.
 */
export async function runJob<R extends Resource>(job: Job<R>, opts: RunOptions = {}): Promise<unknown[]> {
  throw new Error('TODO: runJob — acquire, run the steps with the signal, stop on abort, always close\nTODO(ru): runJob — получить ресурс, выполнить шаги с сигналом, остановиться при отмене и в любом случае закрыть ресурс')
}
