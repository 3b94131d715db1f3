/** Handles one item. `signal` aborts when the pool gives up (first error or caller's abort). */
export type PoolWorker<T, R> = (item: T, index: number, signal: AbortSignal) => Promise<R>

export interface PoolOptions {
  signal?: AbortSignal
}

/**
 * `limit` async runners share one cursor over the items (Go's N goroutines reading one
 * jobs channel); the first failure aborts the shared signal and rejects at once.
 */
export async function mapPool<T, R>(items: readonly T[], limit: number, worker: PoolWorker<T, R>, opts: PoolOptions = {}): Promise<R[]> {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`)
  const outer = opts.signal
  outer?.throwIfAborted()

  const ctl = new AbortController()
  const results = new Array<R>(items.length)
  let next = 0
  let failed = false
  let rejectEarly!: (err: unknown) => void
  const early = new Promise<never>((_, reject) => (rejectEarly = reject))
  early.catch(() => {})
  const fail = (err: unknown) => {
    if (failed) return
    failed = true
    ctl.abort(err)
    rejectEarly(err)
  }
  const onAbort = () => fail(outer!.reason)
  outer?.addEventListener('abort', onAbort, { once: true })

  async function runner(): Promise<void> {
    while (!failed && next < items.length) {
      const i = next++
      try {
        results[i] = await worker(items[i]!, i, ctl.signal)
      } catch (err) {
        fail(err)
        return
      }
    }
  }

  try {
    const runners = Array.from({ length: Math.min(limit, items.length) }, runner)
    await Promise.race([Promise.all(runners), early])
    return results
  } finally {
    outer?.removeEventListener('abort', onAbort)
  }
}
