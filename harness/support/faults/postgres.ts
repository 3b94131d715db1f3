// Deterministic interleavings on real PostgreSQL connections: wrap the pool a suite hands to
// a kata so that chosen statements wait on a gate (or are delayed) before or after they run.
// Nothing is mocked: every statement still goes to the server; only its timing is steered.
import type pg from 'pg'

/** What a hook learns about one statement the kata sends. */
export interface Statement {
  /** SQL text as sent. */
  text: string
  values: unknown[] | undefined
  /** 0, 1, 2…: the order in which the kata sent its statements through this wrapper. */
  seq: number
  /** Backend pid of the connection, when the statement runs on a checked-out client. */
  pid: number | undefined
}

export interface StatementHooks {
  /** Awaited before the statement is sent: return a promise to hold it. */
  before?(s: Statement): void | Promise<void>
  /** Awaited after it answered (or failed), before the kata sees the result. */
  after?(s: Statement, error: unknown): void | Promise<void>
}

export interface Instrumented<P> {
  /** Hand this to the kata instead of the pool. */
  pool: P
  /** Every statement sent so far, in order. */
  readonly statements: Statement[]
}

type Queryable = { query: (...args: never[]) => unknown }

function textOf(arg: unknown): string {
  return typeof arg === 'string' ? arg : String((arg as { text?: string } | undefined)?.text ?? '')
}

function wrapQuery<T extends Queryable>(target: T, hooks: StatementHooks, log: Statement[], pid: () => number | undefined): T['query'] {
  const query = target.query.bind(target) as (...args: unknown[]) => unknown
  return (async (...args: unknown[]) => {
    const values = Array.isArray(args[1]) ? (args[1] as unknown[]) : ((args[0] as { values?: unknown[] } | undefined)?.values ?? undefined)
    const s: Statement = { text: textOf(args[0]), values, seq: log.length, pid: pid() }
    log.push(s)
    await hooks.before?.(s)
    try {
      const res = await query(...args)
      await hooks.after?.(s, undefined)
      return res
    } catch (err) {
      await hooks.after?.(s, err)
      throw err
    }
  }) as unknown as T['query']
}

/**
 * A stand-in for a pg Pool (or Client): `query`, and the clients `connect()` hands out, run
 * every statement through the hooks. Everything else is the real pool's.
 */
export function instrument<P extends Queryable>(pool: P, hooks: StatementHooks): Instrumented<P> {
  const statements: Statement[] = []
  const wrapClient = (client: pg.PoolClient) => {
    const query = wrapQuery(client, hooks, statements, () => (client as unknown as { processID?: number }).processID)
    return new Proxy(client, {
      get(target, prop, receiver) {
        if (prop === 'query') return query
        const v = Reflect.get(target, prop, receiver) as unknown
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v
      },
    })
  }
  const query = wrapQuery(pool, hooks, statements, () => undefined)
  const wrapped = new Proxy(pool, {
    get(target, prop, receiver) {
      if (prop === 'query') return query
      if (prop === 'connect' && typeof (target as { connect?: unknown }).connect === 'function') {
        return async () => wrapClient(await (target as unknown as pg.Pool).connect())
      }
      const v = Reflect.get(target, prop, receiver) as unknown
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v
    },
  })
  return { pool: wrapped, statements }
}

/** A promise that stays pending until `open()`. */
export interface Gate {
  readonly passed: Promise<void>
  readonly isOpen: boolean
  open(): void
}

export function gate(): Gate {
  let open!: () => void
  let isOpen = false
  const passed = new Promise<void>((r) => (open = r))
  return {
    passed,
    get isOpen() {
      return isOpen
    },
    open() {
      isOpen = true
      open()
    },
  }
}

/**
 * Backends of the current database (other than the asking one) that are waiting for a lock
 * held by another transaction: the proof that a row lock, not luck, is ordering them.
 */
export async function lockWaiters(db: Pick<pg.Pool, 'query'>): Promise<number[]> {
  const { rows } = await db.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'`,
  )
  return rows.map((r) => r.pid)
}

/** Resolves true once `cond` holds, false after `timeoutMs` (a safety net, never a verdict). */
export async function until(cond: () => boolean | Promise<boolean>, timeoutMs = 5000, everyMs = 5): Promise<boolean> {
  const end = Date.now() + timeoutMs
  for (;;) {
    if (await cond()) return true
    if (Date.now() > end) return false
    await new Promise((r) => setTimeout(r, everyMs))
  }
}

export interface RaceOptions {
  /** Statements that take part in the race (e.g. those that mention the contended table). */
  touches: (text: string) => boolean
  /** A pool used to watch pg_stat_activity (not the instrumented one). */
  observer: Pick<pg.Pool, 'query'>
  /** Safety net for a wedged run; correctness never depends on it. */
  timeoutMs?: number
}

export interface RaceReport {
  /** Did the second call get its own look at the contended rows while the first was paused? */
  secondReadWhilePaused: boolean
  /** Did the second call instead wait on a lock the first one held? */
  secondBlocked: boolean
}

/**
 * Forces the classic check-then-act race between two calls, on real connections.
 *
 * The first call runs until it has sent its first statement that `touches` the contended data
 * (its read, its lock, or its atomic update) and that statement has answered; its next
 * statement is then held. The second call starts and runs until its own first such statement
 * has answered, or until its connection waits on a lock the first call holds. Then the first
 * call resumes. A correct design (row lock, atomic UPDATE … WHERE, SERIALIZABLE + retry) makes
 * the second call wait or retry; a read-then-write without a lock lets both act on the same
 * old value, every time.
 */
export async function forceRace<P extends Queryable, A, B>(
  pool: P,
  first: (pool: P) => Promise<A>,
  second: (pool: P) => Promise<B>,
  opts: RaceOptions,
): Promise<{ first: PromiseSettledResult<A>; second: PromiseSettledResult<B>; report: RaceReport }> {
  const timeoutMs = opts.timeoutMs ?? 8000
  let phase: 'first' | 'held' | 'second-running' | 'released' = 'first'
  const firstReached = gate()
  const resume = gate()
  const report: RaceReport = { secondReadWhilePaused: false, secondBlocked: false }
  let firstTouched = false
  let secondDone = false

  const { pool: wrapped } = instrument(pool, {
    async before(s) {
      if (phase === 'first' && firstTouched && s.text.trim() !== '') {
        // The first call's next statement after its read: hold it here.
        phase = 'held'
        firstReached.open()
        await resume.passed
      }
    },
    after(s) {
      if (!opts.touches(s.text)) return
      if (phase === 'first') firstTouched = true
      else if (phase === 'second-running' && !secondDone) {
        secondDone = true
        report.secondReadWhilePaused = true
      }
    },
  })

  const a = first(wrapped)
  // Either the first call reached its pause, or it ended without one (e.g. it failed early).
  await Promise.race([firstReached.passed, a.then(() => undefined, () => undefined)])
  if (phase === 'first') phase = 'released'
  else phase = 'second-running'
  let secondSettled = false
  const b = second(wrapped)
  void b.then(() => (secondSettled = true), () => (secondSettled = true))
  if (phase === 'second-running') {
    await until(async () => {
      if (secondDone || secondSettled) return true
      if ((await lockWaiters(opts.observer)).length > 0) {
        report.secondBlocked = true
        return true
      }
      return false
    }, timeoutMs)
    phase = 'released'
    resume.open()
  }
  const [ra, rb] = await Promise.allSettled([a, b])
  return { first: ra, second: rb, report }
}
