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
export async function mapPool<T, R>(items: readonly T[], limit: number, worker: PoolWorker<T, R>, opts: PoolOptions = {}): Promise<R[]> {
  throw new Error('TODO: mapPool — at most `limit` workers at once, results in input order, stop on the first error\nTODO(ru): mapPool — не больше `limit` обработчиков одновременно, результаты в порядке входных данных, остановка на первой ошибке')
}
