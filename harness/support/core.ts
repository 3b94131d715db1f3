// Helpers for the suites of chapter 01-core (concurrency katas): watch promises
// without awaiting them, let pending work run, and count live timers.
import { createHook } from 'node:async_hooks'
import { fileURLToPath } from 'node:url'
import { expect } from 'vitest'

import { deferred, type Deferred } from './async.ts'
export { deferred, type Deferred }

/** Lets every pending callback and promise job run (a few macrotask turns). */
export async function flush(turns = 3): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((r) => setImmediate(r))
}

import { sleep } from './async.ts'
export { sleep }

export type Outcome<T = unknown> = { status: 'fulfilled'; value: T } | { status: 'rejected'; reason: unknown } | { status: 'pending' }

/** What `p` did within `ms`: fulfilled, rejected, or still pending. Never throws. */
export async function within<T>(p: Promise<T>, ms: number): Promise<Outcome<T>> {
  let timer: NodeJS.Timeout | undefined
  const pending = new Promise<Outcome<T>>((r) => (timer = setTimeout(() => r({ status: 'pending' }), ms)))
  try {
    return await Promise.race([
      p.then(
        (value): Outcome<T> => ({ status: 'fulfilled', value }),
        (reason: unknown): Outcome<T> => ({ status: 'rejected', reason }),
      ),
      pending,
    ])
  } finally {
    clearTimeout(timer)
  }
}

export interface Tracked<T> {
  promise: Promise<T>
  /** The outcome so far. */
  readonly outcome: Outcome<T>
  /** Fails unless still pending; an early rejection is rethrown so its own message shows. */
  pending(what: string): void
  /** Fails unless fulfilled by now; returns the value. A rejection is rethrown. */
  fulfilled(what: string): T
}

/**
 * Watches a promise without awaiting it, so an early rejection is never reported as
 * unhandled and the test can ask "still pending?" at any point.
 */
export function track<T>(promise: Promise<T>): Tracked<T> {
  let outcome: Outcome<T> = { status: 'pending' }
  promise.then(
    (value) => (outcome = { status: 'fulfilled', value }),
    (reason: unknown) => (outcome = { status: 'rejected', reason }),
  )
  return {
    promise,
    get outcome() {
      return outcome
    },
    pending(what) {
      if (outcome.status === 'rejected') throw outcome.reason
      expect(outcome.status, `${what}: should still be pending`).toBe('pending')
    },
    fulfilled(what) {
      if (outcome.status === 'rejected') throw outcome.reason
      expect(outcome.status, `${what}: should have resolved by now`).toBe('fulfilled')
      return (outcome as { value: T }).value
    },
  }
}

/** Ref'd timers alive in this process: the ones that would keep it from exiting. */
export const liveTimers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length

/**
 * How many timers `run` created that are still pending once it is done (cleared and
 * fired ones do not count). Unlike liveTimers it also sees unref'd timers: unref() only
 * stops a timer from keeping the process alive, it does not cancel it. Timers made from
 * inside node_modules (Vitest's own, while it reports) are not the code under test's and
 * are left out, so the count does not depend on when Vitest happens to talk.
 */
export async function timersLeftBy(run: () => unknown): Promise<number> {
  const live = new Set<number>()
  const hook = createHook({
    init(id, type) {
      if (type === 'Timeout' && !madeInDependency()) live.add(id)
    },
    destroy(id) {
      live.delete(id)
    },
  })
  hook.enable()
  try {
    await run()
    await flush()
  } finally {
    hook.disable()
  }
  return live.size
}

const THIS_FILE = fileURLToPath(import.meta.url)

/** Whether the timer being made was made by code in node_modules (its first caller outside Node and this file). */
function madeInDependency(): boolean {
  const limit = Error.stackTraceLimit
  Error.stackTraceLimit = 40
  const stack = new Error().stack ?? ''
  Error.stackTraceLimit = limit
  const caller = stack
    .split('\n')
    .slice(1)
    .find((frame) => !frame.includes('node:') && !frame.includes(THIS_FILE) && /[/\\]/.test(frame))
  return caller?.includes('/node_modules/') ?? false
}
