// What the worker sets up before each suite, with the learner's code not yet loaded: the
// kata's budget as the test timeout, the output cap, the locked framework, the hooks that
// keep a test's flags and the assertions honest. Installed by worker-setup.ts.
import { afterAll, afterEach, beforeEach, expect, inject, vi } from 'vitest'
// Types only: without the preload (worker-setup.ts slow path) every module loaded here is fetched through Vitest's module runner on the run's clock.
import type {} from './provided.ts'
import { TAMPER_ERROR_NAME } from './errors.ts'
import { freezeFramework, freezeGrading } from './worker-integrity.ts'

export function guardSuite() {
  // The kata's budget becomes the test timeout, so a promise that never settles fails as
  // a timeout before the watchdog has to act.
  const budgets = inject('roadmap:budgets')
  const file = expect.getState().testPath
  const budget = file ? budgets[file] : undefined
  if (budget) vi.setConfig({ testTimeout: Math.max(500, budget - 300), hookTimeout: Math.max(500, budget - 300) })

  capOutput()

  // What the verdict relies on is locked before the suite (and the code it tests) loads.
  freezeGrading()
  // A test's "expected to fail" flag is the suite's alone: fixed before its body runs.
  beforeEach(({ task }) => {
    Object.defineProperty(task, 'fails', { value: task.fails, writable: false, configurable: false })
  })

  // A failed test's error reaches the grader with its frames marked as already parsed: Vitest's
  // main process would otherwise read and scan every library file on its stack for a source
  // map, on each failure (~10 ms an error, on the verdict's path). The grader reads only the
  // error's message and `stack` text, which the worker has already mapped to the kata's files.
  afterEach(({ task }) => {
    for (const err of task.result?.errors ?? []) if (err && typeof err === 'object' && !('stacks' in err)) Object.assign(err, { stacks: [] })
  })

  afterAll(checkIntegrity)
}

/**
 * Output is capped here, in the worker: a learner printing hundreds of MB costs the
 * harness nothing beyond the cap. (After Vitest's own console, which it sets up per run.)
 */
function capOutput() {
  const CAP = 256 * 1024
  let written = 0
  let noted = false
  function allow(size: number, say: (s: string) => void): boolean {
    written += size
    if (written <= CAP) return true
    if (!noted) {
      noted = true
      say(`[roadmap] output past ${CAP / 1024} KB was dropped`)
    }
    return false
  }
  for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
    const original = console[method].bind(console)
    console[method] = (...args: unknown[]) => {
      if (allow(args.reduce<number>((n, a) => n + String(a).length, 0), original)) original(...args)
    }
  }
  for (const stream of [process.stdout, process.stderr]) {
    const original = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      const size = typeof chunk === 'string' ? chunk.length : (chunk as Uint8Array).byteLength ?? 0
      return allow(size, (s) => original(`${s}\n`)) ? original(chunk, ...rest) : true
    }) as typeof stream.write
  }
}

const nativeIs = Object.is

/**
 * Integrity check: learner code that patched the assertions (or Object.is) to make
 * every expectation pass is caught here, after the tests, and the run is void.
 */
export function checkIntegrity() {
  const broken: string[] = []
  const mustThrow = (what: string, fn: () => void) => {
    try {
      fn()
      broken.push(`${what} did not fail`)
    } catch {
      // as it should
    }
  }
  mustThrow('expect(1).toBe(2)', () => expect(1).toBe(2))
  mustThrow('expect({ a: 1 }).toEqual({ a: 2 })', () => expect({ a: 1 }).toEqual({ a: 2 }))
  mustThrow('expect([1]).toContain(2)', () => expect([1]).toContain(2))
  mustThrow('expect(true).toBeFalsy()', () => expect(true).toBeFalsy())
  if (Object.is !== nativeIs || Object.is(1, 2)) broken.push('Object.is was replaced')
  if (broken.length) {
    const err = new Error(`the test framework was tampered with (${broken.join('; ')}): this run does not count`)
    // The name the runner reads across the worker boundary (errors.ts, both sides).
    err.name = TAMPER_ERROR_NAME
    throw err
  }
}

/**
 * For the worker's preload, while the worker waits and only harness code has run: the
 * framework locked once for the worker, and the integrity probes run once (the assertions'
 * failure path is cold code in a new process: ~3 ms of every run's hooks otherwise).
 */
export function prepareGuards() {
  freezeFramework()
  checkIntegrity()
}
