// Helpers shared by the suites of chapter 13 (highload): child processes that run the
// learner's code as a second instance, query latency, same-run timing ratios, waiting.
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { isAbsolute, join } from 'node:path'
import { createInterface } from 'node:readline'
import type pg from 'pg'
import { afterAll } from 'vitest'
import { ROOT } from './highload-child.ts'

export { ROOT, withBarrier, withHold, withLatency } from './highload-child.ts'

import { sleep } from './async.ts'
export { sleep }

/** A promise with its resolve/reject exposed. */
import { deferred } from './async.ts'
export { deferred }

/** Polls `check` every 20 ms until it is true or `timeoutMs` passes; returns the last result. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs
  for (;;) {
    if (await check()) return true
    if (Date.now() > until) return false
    await sleep(20)
  }
}

/**
 * The absolute path of a learner file, from `import url from '@kata/<id>/<file>?url'`.
 * Vite gives files under the checkout as "/exercises/…" (relative to the root) and files
 * elsewhere (a graded submission) as "/@fs/abs/path".
 */
export function kataFile(url: string): string {
  const raw = url.split('?')[0]!
  let decoded = raw
  try {
    decoded = decodeURI(raw)
  } catch {
    // not URL-encoded after all
  }
  for (const clean of new Set([raw, decoded])) {
    if (clean.startsWith('/@fs/') && existsSync(clean.slice('/@fs'.length))) return clean.slice('/@fs'.length)
    const inRoot = join(ROOT, clean)
    if (existsSync(inRoot)) return inRoot
    if (isAbsolute(clean) && existsSync(clean)) return clean
  }
  throw new Error(`cannot find the kata file behind "${url}"`)
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

/** Milliseconds `fn` takes, one run. */
export async function timeOnce(fn: () => unknown): Promise<number> {
  const t0 = performance.now()
  await fn()
  return performance.now() - t0
}

/**
 * Times two versions alternately (a, b, a, b, …) and returns the best (smallest) time of
 * each. Load from elsewhere on the machine only ever adds time, so the best of several
 * runs is what each version does when nothing is in the way, and the ratio of the two
 * bests holds on a busy machine as on an idle one.
 */
export async function compareTimes(a: () => unknown, b: () => unknown, runs: number) {
  const ta: number[] = []
  const tb: number[] = []
  for (let i = 0; i < runs; i++) {
    ta.push(await timeOnce(a))
    tb.push(await timeOnce(b))
  }
  return { a: Math.min(...ta), b: Math.min(...tb), all: { a: ta, b: tb } }
}

/**
 * Makes the queries whose SQL text matches `match` fail (a thrown error, as when the
 * connection drops or a constraint fires), on every connection the pool opens, the first
 * `times` times. Everything else goes to the real database untouched: the suite sees
 * what a failure halfway through the code leaves behind.
 */
export function withFailingQuery<P extends pg.Pool>(pool: P, match: RegExp, times = Infinity): P {
  let left = times
  pool.on('connect', (client: pg.PoolClient) => {
    const original = client.query.bind(client) as (...args: unknown[]) => unknown
    ;(client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      const first = args[0] as string | { text?: string } | undefined
      const text = typeof first === 'string' ? first : (first?.text ?? '')
      if (left > 0 && match.test(text)) {
        left--
        const err = new Error(`injected failure of: ${text.slice(0, 60)}`)
        const last = args[args.length - 1]
        if (typeof last === 'function') {
          setImmediate(() => (last as (e: Error) => void)(err))
          return undefined
        }
        return Promise.reject(err)
      }
      return original(...args)
    }
  })
  return pool
}

/** A Node process running one of this chapter's child scripts, talking JSON lines. */
export interface Child {
  /** The next JSON message the child wrote; rejects when it exits first or is too slow. */
  next<T = unknown>(timeoutMs?: number): Promise<T>
  send(message: unknown): void
  /** What the child wrote to stderr so far (for failure messages). */
  stderr(): string
  kill(): void
  readonly exited: Promise<number | null>
}

/**
 * Spawns child processes for a suite and kills the ones still running after it. Scripts
 * are TypeScript run by Node itself (type stripping; enums and parameter properties
 * transformed too).
 */
export function useChildren() {
  const running = new Set<ChildProcess>()
  afterAll(() => {
    for (const p of running) p.kill('SIGKILL')
  })
  return {
    spawn(script: string, args: string[] = []): Child {
      const proc = spawn(process.execPath, ['--experimental-transform-types', '--no-warnings', script, ...args], {
        cwd: ROOT,
        env: process.env,
        stdio: ['pipe', 'pipe', 'pipe'],
      })
      running.add(proc)
      let err = ''
      proc.stderr!.setEncoding('utf8').on('data', (d: string) => {
        if (err.length < 20_000) err += d
      })
      const exited = new Promise<number | null>((resolve) => {
        proc.on('exit', (code) => {
          running.delete(proc)
          resolve(code)
        })
        proc.on('error', () => resolve(null))
      })
      const queue: unknown[] = []
      const waiters: ((v: IteratorResult<unknown>) => void)[] = []
      let closed = false
      createInterface({ input: proc.stdout! })
        .on('line', (line) => {
          if (!line.trim()) return
          let msg: unknown
          try {
            msg = JSON.parse(line)
          } catch {
            return // a stray console.log of the learner's code: not a message
          }
          const w = waiters.shift()
          if (w) w({ done: false, value: msg })
          else queue.push(msg)
        })
        .on('close', () => {
          closed = true
          for (const w of waiters.splice(0)) w({ done: true, value: undefined })
        })
      return {
        next<T>(timeoutMs = 15_000) {
          if (queue.length) return Promise.resolve(queue.shift() as T)
          if (closed) return Promise.reject(new Error(`the child process exited early:\n${err.trim().slice(-2000)}`))
          return new Promise<T>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`the child process sent nothing for ${timeoutMs} ms:\n${err.trim().slice(-2000)}`)), timeoutMs)
            waiters.push((r) => {
              clearTimeout(timer)
              if (r.done) reject(new Error(`the child process exited early:\n${err.trim().slice(-2000)}`))
              else resolve(r.value as T)
            })
          })
        },
        send(message) {
          proc.stdin!.write(`${JSON.stringify(message)}\n`)
        },
        stderr: () => err,
        kill: () => proc.kill('SIGKILL'),
        exited,
      }
    },
  }
}
