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
