// The child-process side of the highload chapter's suites: a suite spawns plain Node
// processes (`node harness/13-highload/<kata>/<script>.ts`) that load the learner's module
// and run it next to the suite's own process — two instances of the same code, sharing
// only the database or Redis, the way two replicas of a service do. Nothing here imports
// Vitest: this file runs outside the test runner.
import * as nodeModule from 'node:module'
import { dirname, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type pg from 'pg'

/** The checkout root (harness/support/ is two levels down). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

type ResolveHook = (
  specifier: string,
  context: { parentURL?: string },
  next: (specifier: string, context?: { parentURL?: string }) => unknown,
) => unknown
type RegisterHooks = (hooks: { resolve: ResolveHook }) => unknown

let hooked = false

/**
 * Imports the learner's module by its absolute path. A submission graded from a folder
 * outside the checkout has no node_modules of its own: bare imports that fail from the
 * learner's folder are resolved again from the checkout, as the suite runner does.
 */
export async function importKata(path: string): Promise<Record<string, unknown>> {
  if (!hooked) {
    hooked = true
    const register = (nodeModule as unknown as { registerHooks?: RegisterHooks }).registerHooks
    const fallback = pathToFileURL(resolve(ROOT, 'package.json')).href
    register?.({
      resolve(specifier, context, next) {
        try {
          return next(specifier, context)
        } catch (err) {
          const bare = !specifier.startsWith('.') && !specifier.startsWith('/') && !specifier.includes(':')
          if (!bare || context.parentURL === fallback) throw err
          return next(specifier, { ...context, parentURL: fallback })
        }
      },
    })
  }
  return (await import(pathToFileURL(path).href)) as Record<string, unknown>
}

/** Writes one JSON message to the parent (one line on stdout). */
export function send(message: unknown): void {
  process.stdout.write(`${JSON.stringify(message)}\n`)
}

/** The JSON messages the parent writes to stdin, one per line. */
export function messages(): AsyncIterator<unknown> {
  const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]()
  return {
    async next() {
      for (;;) {
        const r = await lines.next()
        if (r.done) return { done: true, value: undefined }
        if (r.value.trim()) return { done: false, value: JSON.parse(r.value) as unknown }
      }
    },
  }
}

/** A short description of a thrown value. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`
  return String(err)
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

type Callback = (err: Error | null, res: unknown) => void

/**
 * Adds `ms` of latency to every query answer of every connection the pool opens, like a
 * database one network hop away. Whatever the code holds (a row lock, a transaction) it
 * holds across these round trips too, which is what makes races and contention show up
 * as they do in production rather than hiding behind a 0.05 ms loopback.
 */
export function withLatency<P extends pg.Pool>(pool: P, ms: number): P {
  if (ms <= 0) return pool
  pool.on('connect', (client: pg.PoolClient) => {
    const original = client.query.bind(client) as (...args: unknown[]) => unknown
    ;(client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      const first = args[0] as { submit?: unknown } | undefined
      if (first && typeof first === 'object' && typeof first.submit === 'function') return original(...args)
      const last = args[args.length - 1]
      if (typeof last === 'function') {
        const cb = last as Callback
        return original(...args.slice(0, -1), (err: Error | null, res: unknown) => setTimeout(() => cb(err, res), ms))
      }
      return (original(...args) as Promise<unknown>).then(
        async (res) => {
          await sleep(ms)
          return res
        },
        async (err: unknown) => {
          await sleep(ms)
          throw err
        },
      )
    }
  })
  return pool
}

/**
 * Runs `before(text)` ahead of every query of every connection the pool opens, and sends
 * the query only once it resolves: the way to hold one chosen statement on a real
 * connection (promise and callback forms alike; pool.query uses the callback form).
 */
function beforeQueries<P extends pg.Pool>(pool: P, before: (text: string) => Promise<void> | undefined): P {
  pool.on('connect', (client: pg.PoolClient) => {
    const original = client.query.bind(client) as (...args: unknown[]) => unknown
    ;(client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      const first = args[0] as string | { text?: string; submit?: unknown } | undefined
      if (first && typeof first === 'object' && typeof first.submit === 'function') return original(...args)
      const text = typeof first === 'string' ? first : (first?.text ?? '')
      const wait = before(text)
      if (!wait) return original(...args)
      const last = args[args.length - 1]
      if (typeof last === 'function') {
        void wait.then(() => original(...args))
        return undefined
      }
      return wait.then(() => original(...args))
    }
  })
  return pool
}

/**
 * A barrier on one kind of statement: the first `parties` queries matching `match` wait
 * until all of them have arrived (or `timeoutMs` after the first one, when a correct
 * design keeps the others from getting there, e.g. behind a lock), then go together. Put
 * it on the write that follows a read, and every caller has read before anyone writes:
 * the interleaving a check-then-act race needs, forced instead of hoped for. `met()`
 * says whether all parties arrived.
 */
export function withBarrier<P extends pg.Pool>(pool: P, match: RegExp, parties: number, timeoutMs: number): { pool: P; met: () => boolean } {
  let arrived = 0
  let met = false
  let open!: () => void
  const gate = new Promise<void>((r) => (open = r))
  beforeQueries(pool, (text) => {
    if (arrived >= parties || !match.test(text)) return undefined
    arrived++
    if (arrived === 1) setTimeout(open, timeoutMs).unref()
    if (arrived === parties) {
      met = true
      open()
    }
    return gate
  })
  return { pool, met: () => met }
}

/**
 * Holds the first query matching `match` until `release` resolves; `onHeld` runs when it
 * arrives (e.g. to tell the other process "I am between my check and my write").
 */
export function withHold<P extends pg.Pool>(pool: P, match: RegExp, onHeld: () => void, release: Promise<void>): P {
  let held = false
  return beforeQueries(pool, (text) => {
    if (held || !match.test(text)) return undefined
    held = true
    onHeld()
    return release
  })
}
