/** withTimeout gave up waiting. */
export class TimeoutError extends Error {
  override name = 'TimeoutError'
  readonly ms: number
  constructor(ms: number) {
    super(`timed out after ${ms} ms`)
    this.ms = ms
  }
}

export interface Settled<K, V> {
  values: Map<K, V>
  errors: Map<K, unknown>
}

/**
 * Loads every distinct key at once (fan-out) and collects the values in the order of
 * `keys` (fan-in). Rejects with the first error as soon as it happens.
 */
export async function fetchAll<K, V>(keys: readonly K[], load: (key: K) => Promise<V>): Promise<V[]> {
  throw new Error('TODO: fetchAll — start every load at once, collect the values in input order\nTODO(ru): fetchAll — запустить все загрузки сразу и собрать значения в порядке входных данных')
}

/** Loads every distinct key at once and never rejects: values and errors per key. */
export async function fetchSettled<K, V>(keys: readonly K[], load: (key: K) => Promise<V>): Promise<Settled<K, V>> {
  throw new Error('TODO: fetchSettled — start every load at once, sort outcomes into values and errors\nTODO(ru): fetchSettled — запустить все загрузки сразу и разложить результаты на значения и ошибки')
}

/** Starts every task at once; the first value wins. All failed: AggregateError, errors in task order. */
export async function firstSuccess<V>(tasks: readonly (() => Promise<V>)[]): Promise<V> {
  throw new Error('TODO: firstSuccess — the first task to succeed wins\nTODO(ru): firstSuccess — результатом становится первая успешно завершившаяся задача')
}

/** The promise's outcome, or TimeoutError after `ms`. Leaves no timer behind. */
export async function withTimeout<V>(promise: Promise<V>, ms: number): Promise<V> {
  throw new Error('TODO: withTimeout — race the promise against a timer, then clear the timer\nTODO(ru): withTimeout — устроить гонку промиса с таймером, затем очистить таймер')
}
