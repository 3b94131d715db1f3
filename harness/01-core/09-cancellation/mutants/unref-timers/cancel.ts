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
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const onAbort = () => {
      timer.unref()
      reject(signal!.reason)
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

/** A child of `parent` that also aborts after `ms` (no deadline when ms is undefined). */
function childScope(parent: AbortSignal | undefined, ms: number | undefined): Scope {
  const ctl = new AbortController()
  let timer: NodeJS.Timeout | undefined
  const onParentAbort = () => stop(parent!.reason)
  // Every way out goes through stop(): it always releases the timer and the parent listener.
  function stop(reason: unknown) {
    timer?.unref()
    parent?.removeEventListener('abort', onParentAbort)
    if (!ctl.signal.aborted) ctl.abort(reason)
  }
  if (parent?.aborted) stop(parent.reason)
  else {
    parent?.addEventListener('abort', onParentAbort, { once: true })
    if (ms !== undefined) timer = setTimeout(() => stop(new DOMException(`deadline of ${ms} ms exceeded`, 'TimeoutError')), ms)
  }
  return { signal: ctl.signal, cancel: () => stop(new DOMException('scope cancelled', 'AbortError')) }
}

/** context.WithTimeout: aborts when the parent does (same reason) or after `ms` (TimeoutError). */
export function withTimeout(parent: AbortSignal | undefined, ms: number): Scope {
  return childScope(parent, ms)
}

/** Rejects with the signal's reason once it aborts; never settles otherwise. */
function abortion(signal: AbortSignal): Promise<never> {
  const p = new Promise<never>((_, reject) => {
    if (signal.aborted) reject(signal.reason)
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true })
  })
  p.catch(() => {}) // only ever awaited through Promise.race
  return p
}

/**
 * Acquires the resource, runs the steps in order and resolves with their results. On
 * abort (the caller's signal or the deadline) it stops at once, even if the running
 * step ignores its signal, and starts nothing more. The resource is closed exactly once.
 */
export async function runJob<R extends Resource>(job: Job<R>, opts: RunOptions = {}): Promise<unknown[]> {
  const scope = childScope(opts.signal, opts.timeoutMs)
  const { signal } = scope
  const aborted = abortion(signal)
  let resource: R | undefined
  try {
    signal.throwIfAborted()
    const acquiring = job.acquire(signal)
    try {
      resource = await Promise.race([acquiring, aborted])
    } catch (err) {
      // We stopped waiting; if the resource still arrives, close it then.
      acquiring.then((r) => r.close(), () => {})
      throw err
    }
    const results: unknown[] = []
    for (const step of job.steps) {
      signal.throwIfAborted()
      results.push(await Promise.race([step(resource, signal), aborted]))
    }
    return results
  } finally {
    scope.cancel()
    await resource?.close()
  }
}
