/** Handles one item. `signal` aborts when the pool gives up (first error or caller's abort). */
export type PoolWorker<T, R> = (item: T, index: number, signal: AbortSignal) => Promise<R>

export interface PoolOptions {
  signal?: AbortSignal
}

/**
 * Runs `worker` over `items` with at most `limit` in flight, starting the next item as
 * soon as a slot frees, and resolves with the results in input order. On the first
 * error (or the caller's abort) it rejects at once, aborts the running workers'
 * signal and starts nothing more.
 */
export function mapPool<T, R>(items: readonly T[], limit: number, worker: PoolWorker<T, R>, opts: PoolOptions = {}): Promise<R[]> {
  return new Promise<R[]>((resolve, reject) => {
    if (limit < 1) return reject(new RangeError(`limit must be a positive integer, got ${limit}`))
    const outer = opts.signal
    if (outer?.aborted) return reject(outer.reason)

    const ctl = new AbortController()
    const results = new Array<R>(items.length)
    let next = 0
    let active = 0
    let finished = 0
    let over = false

    const onOuterAbort = () => fail(outer!.reason)
    outer?.addEventListener('abort', onOuterAbort, { once: true })
    const end = () => {
      over = true
      outer?.removeEventListener('abort', onOuterAbort)
    }
    function fail(err: unknown) {
      if (over) return // later errors of workers still running are ignored
      end()
      ctl.abort(err)
      reject(err)
    }
    function fill() {
      while (!over && active < limit && next < items.length) {
        const i = next++
        active++
        // new Promise(...) turns a worker that throws synchronously into a rejection.
        new Promise<R>((res) => res(worker(items[i]!, i, ctl.signal))).then((value) => {
          results[i] = value
          active--
          finished++
          if (finished === items.length) {
            if (!over) {
              end()
              resolve(results)
            }
          } else fill()
        }, fail)
      }
    }

    if (items.length === 0) {
      end()
      resolve([])
    } else fill()
  })
}
