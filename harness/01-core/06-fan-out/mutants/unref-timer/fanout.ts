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
  const distinct = [...new Set(keys)]
  // `async` wrapper: a load that throws synchronously becomes a rejection too.
  const values = await Promise.all(distinct.map(async (k) => load(k)))
  const byKey = new Map(distinct.map((k, i) => [k, values[i]!]))
  return keys.map((k) => byKey.get(k)!)
}

/** Loads every distinct key at once and never rejects: values and errors per key. */
export async function fetchSettled<K, V>(keys: readonly K[], load: (key: K) => Promise<V>): Promise<Settled<K, V>> {
  const distinct = [...new Set(keys)]
  const results = await Promise.allSettled(distinct.map(async (k) => load(k)))
  const out: Settled<K, V> = { values: new Map(), errors: new Map() }
  results.forEach((r, i) => {
    if (r.status === 'fulfilled') out.values.set(distinct[i]!, r.value)
    else out.errors.set(distinct[i]!, r.reason)
  })
  return out
}

/** Starts every task at once; the first value wins. All failed: AggregateError, errors in task order. */
export async function firstSuccess<V>(tasks: readonly (() => Promise<V>)[]): Promise<V> {
  return Promise.any(tasks.map(async (t) => t()))
}

/** The promise's outcome, or TimeoutError after `ms`. Leaves no timer behind. */
export async function withTimeout<V>(promise: Promise<V>, ms: number): Promise<V> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(ms)), ms)
  })
  try {
    return await Promise.race([promise, timeout])
  } finally {
    timer?.unref() // do not keep the process alive for it
  }
}
