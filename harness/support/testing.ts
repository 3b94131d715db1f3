// The testing chapter grades tests the learner writes. Their spec file exports
// `defineTests(t, ...deps)`; this module is a small in-process test runner that calls it
// against the reference implementation and against mutants of it, and reports which
// tests failed. In-process keeps a whole mutation run well under a second.
import { createExpect, vi } from 'vitest'

export type TestFn = () => unknown
type Each = <T>(cases: readonly T[]) => (name: string, fn: (...args: any[]) => unknown) => void

/** What the learner's `defineTests` receives; the same shape as Vitest's globals. */
export interface TestApi {
  describe: ((name: string, fn: () => void) => void) & { each: Each }
  it: ((name: string, fn: TestFn) => void) & { each: Each }
  test: ((name: string, fn: TestFn) => void) & { each: Each }
  beforeAll(fn: TestFn): void
  afterAll(fn: TestFn): void
  beforeEach(fn: TestFn): void
  afterEach(fn: TestFn): void
  expect: ReturnType<typeof createExpect>
  vi: typeof vi
}

export interface TestOutcome {
  name: string
  /** The first line of the failure, undefined when the test passed. */
  error?: string
}

export interface SpecRun {
  tests: TestOutcome[]
  /** Set when defineTests itself threw or a beforeAll/afterAll hook failed. */
  setupError?: string
  readonly passed: boolean
  readonly failed: TestOutcome[]
}

interface Scope {
  name: string
  parent?: Scope
  beforeAll: TestFn[]
  afterAll: TestFn[]
  beforeEach: TestFn[]
  afterEach: TestFn[]
  items: (Scope | Case)[]
}
interface Case {
  name: string
  fn: TestFn
}

// Captured before any learner code runs, so fake timers in a test cannot stop our clock.
const realSetTimeout = globalThis.setTimeout
const realClearTimeout = globalThis.clearTimeout

const firstLine = (err: unknown) => {
  const msg = err instanceof Error ? `${err.message}` : String(err)
  return msg.split('\n').find((l) => l.trim() !== '')?.trim() ?? (err instanceof Error ? err.name : 'failed')
}

/** `it.each` names: %s %d %i %j %o %# and $key, like Vitest's. */
function formatName(name: string, args: unknown[], index: number): string {
  let i = 0
  let out = name.replace(/%[sdijo#%]/g, (m) => {
    if (m === '%%') return '%'
    if (m === '%#') return String(index)
    const v = args[i++]
    if (m === '%d' || m === '%i') return String(m === '%i' ? Math.trunc(Number(v)) : Number(v))
    if (m === '%j' || m === '%o') return JSON.stringify(v)
    return typeof v === 'string' ? v : JSON.stringify(v) ?? String(v)
  })
  const first = args[0]
  if (args.length === 1 && first && typeof first === 'object' && !Array.isArray(first)) {
    out = out.replace(/\$([A-Za-z_][\w.]*)/g, (m, key: string) => {
      const v = key.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], first)
      return v === undefined ? m : typeof v === 'string' ? v : JSON.stringify(v)
    })
  }
  return out
}

async function withTimeout(fn: TestFn, ms: number, what: string): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined
  try {
    await Promise.race([
      Promise.resolve().then(fn),
      new Promise((_, reject) => {
        timer = realSetTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms)
      }),
    ])
  } finally {
    realClearTimeout(timer)
  }
}

export interface RunOptions {
  /** Per test (and per hook) time limit. */
  timeoutMs?: number
}

/**
 * Collects the tests `define` declares, then runs them one by one with their hooks.
 * Never throws: every problem ends up in the returned SpecRun.
 * A test that times out counts as failed, so the limit catches tests that hang, never slow
 * ones: on a busy machine a tight limit would fail correct specs and "kill" bugs by luck.
 */
export async function runSpec(define: (t: TestApi) => void, { timeoutMs = 15_000 }: RunOptions = {}): Promise<SpecRun> {
  const root: Scope = { name: '', beforeAll: [], afterAll: [], beforeEach: [], afterEach: [], items: [] }
  let current = root
  let collecting = true
  const guard = (what: string) => {
    if (!collecting) throw new Error(`${what}() was called inside a test: declare tests and hooks at the top of defineTests or inside describe()`)
  }
  const addCase = (name: string, fn: TestFn) => {
    guard('it')
    if (typeof fn !== 'function') throw new Error(`it("${name}") needs a function`)
    current.items.push({ name, fn })
  }
  const describeFn = (name: string, fn: () => void) => {
    guard('describe')
    const scope: Scope = { name, parent: current, beforeAll: [], afterAll: [], beforeEach: [], afterEach: [], items: [] }
    current.items.push(scope)
    const saved = current
    current = scope
    try {
      fn()
    } finally {
      current = saved
    }
  }
  const each =
    (register: (name: string, fn: TestFn) => void): Each =>
    (cases) =>
    (name, fn) =>
      cases.forEach((c, i) => {
        const args = Array.isArray(c) ? c : [c]
        register(formatName(name, args, i), () => fn(...args))
      })
  const it = Object.assign(addCase, { each: each(addCase) })
  // A fresh expect per test (so expect.assertions(n) counts that test only), behind one
  // stable function: the learner destructures `expect` once, at define time.
  type Expect = ReturnType<typeof createExpect>
  let currentExpect: Expect = createExpect()
  const expectProxy = new Proxy((() => undefined) as unknown as Expect, {
    apply: (_t, _this, args: Parameters<Expect>) => currentExpect(...args),
    get: (_t, prop) => Reflect.get(currentExpect, prop),
  })
  const api: TestApi = {
    describe: Object.assign(describeFn, {
      each: ((cases: readonly unknown[]) => (name: string, fn: (...args: unknown[]) => void) =>
        cases.forEach((c, i) => {
          const args = Array.isArray(c) ? c : [c]
          describeFn(formatName(name, args, i), () => fn(...args))
        })) as Each,
    }),
    it,
    test: it,
    beforeAll: (fn) => (guard('beforeAll'), current.beforeAll.push(fn)),
    afterAll: (fn) => (guard('afterAll'), current.afterAll.push(fn)),
    beforeEach: (fn) => (guard('beforeEach'), current.beforeEach.push(fn)),
    afterEach: (fn) => (guard('afterEach'), current.afterEach.push(fn)),
    expect: expectProxy,
    vi,
  }

  const tests: TestOutcome[] = []
  const result = (setupError?: string): SpecRun => ({
    tests,
    setupError,
    get failed() {
      return tests.filter((t) => t.error !== undefined)
    },
    get passed() {
      return !setupError && tests.length > 0 && tests.every((t) => t.error === undefined)
    },
  })

  try {
    define(api)
  } catch (err) {
    return result(`defineTests threw: ${firstLine(err)}`)
  } finally {
    collecting = false
  }

  let running: string | undefined
  const unhandled = new Map<string, string>()
  const onUnhandled = (reason: unknown) => {
    const key = running ?? '(between tests)'
    if (!unhandled.has(key)) unhandled.set(key, `a promise rejected and nobody awaited it: ${firstLine(reason)}`)
  }

  const chain = (s: Scope): Scope[] => (s.parent ? [...chain(s.parent), s] : [s])
  const fullName = (s: Scope, name: string) => [...chain(s).map((x) => x.name).filter(Boolean), name].join(' > ')
  let setupError: string | undefined

  const runScope = async (scope: Scope): Promise<void> => {
    for (const fn of scope.beforeAll) {
      try {
        await withTimeout(fn, timeoutMs, `beforeAll in "${scope.name || 'defineTests'}"`)
      } catch (err) {
        setupError ??= `beforeAll in "${scope.name || 'defineTests'}" failed: ${firstLine(err)}`
        return
      }
    }
    for (const item of scope.items) {
      if ('items' in item) {
        await runScope(item)
        continue
      }
      const name = fullName(scope, item.name)
      const hooks = chain(scope)
      const expect = (currentExpect = createExpect())
      let error: string | undefined
      running = name
      try {
        for (const s of hooks) for (const fn of s.beforeEach) await withTimeout(fn, timeoutMs, 'beforeEach')
        await withTimeout(item.fn, timeoutMs, `test "${name}"`)
        const state = expect.getState()
        if (state.expectedAssertionsNumber !== null && state.assertionCalls !== state.expectedAssertionsNumber) {
          error = `expected ${state.expectedAssertionsNumber} assertions to be called but received ${state.assertionCalls}`
        } else if (state.isExpectingAssertions && state.assertionCalls === 0) {
          error = 'expected any number of assertions, but none were called'
        }
      } catch (err) {
        error = firstLine(err)
      }
      for (const s of [...hooks].reverse()) {
        for (const fn of s.afterEach) {
          try {
            await withTimeout(fn, timeoutMs, 'afterEach')
          } catch (err) {
            error ??= `afterEach failed: ${firstLine(err)}`
          }
        }
      }
      // Rejections surface a tick later: give them that tick before closing the test.
      await new Promise((resolve) => realSetTimeout(resolve, 0))
      running = undefined
      tests.push({ name, error: error ?? unhandled.get(name) })
    }
    for (const fn of scope.afterAll) {
      try {
        await withTimeout(fn, timeoutMs, `afterAll in "${scope.name || 'defineTests'}"`)
      } catch (err) {
        setupError ??= `afterAll in "${scope.name || 'defineTests'}" failed: ${firstLine(err)}`
      }
    }
  }

  // A promise the learner's test (or the code under test) forgot to await must not crash
  // the grader's worker: while the spec runs, such rejections fail the test that was running.
  const saved = process.listeners('unhandledRejection')
  process.removeAllListeners('unhandledRejection')
  process.on('unhandledRejection', onUnhandled)
  try {
    await runScope(root)
    await new Promise((resolve) => realSetTimeout(resolve, 0))
  } finally {
    process.off('unhandledRejection', onUnhandled)
    for (const l of saved) process.on('unhandledRejection', l)
    // A learner's test must not leave fake timers or spies behind for the next run.
    vi.useRealTimers()
    vi.restoreAllMocks()
    vi.unstubAllGlobals()
  }
  const stray = unhandled.get('(between tests)')
  return result(setupError ?? stray)
}

/** One line per failed test, for a failure message. */
export function describeFailures(run: SpecRun, max = 3): string {
  const lines = run.failed.slice(0, max).map((t) => `  ✗ ${t.name}: ${t.error}`)
  if (run.failed.length > max) lines.push(`  … and ${run.failed.length - max} more`)
  return [run.setupError ? `  ${run.setupError}` : '', ...lines].filter(Boolean).join('\n')
}

export interface Mutant<Impl> {
  /** Plain words completing "your tests still pass when …". */
  when: string
  impl: Impl
}

/**
 * Runs the learner's tests on the reference once (cached) and gives a checker per mutant.
 * A mutant is killed when at least one test fails (or a hook fails) against it.
 * `args()` supplies extra arguments for each run (a fresh database, say) and may clean up
 * after it through the returned `done`.
 */
export function mutationGrader<Impl>(
  define: (t: TestApi, impl: Impl, ...args: any[]) => void,
  reference: () => Impl,
  options?: RunOptions & { minTests?: number; args?: () => Promise<{ args: unknown[]; done?: () => Promise<void> }> },
) {
  let ref: Promise<SpecRun> | undefined
  const minTests = options?.minTests ?? 1
  const run = async (impl: Impl) => {
    const extra = options?.args ? await options.args() : { args: [] }
    try {
      return await runSpec((t) => define(t, impl, ...extra.args), options)
    } finally {
      await extra.done?.()
    }
  }
  const referenceRun = () => (ref ??= run(reference()))

  return {
    referenceRun,
    /** Message when the learner's tests are not green on the reference, else undefined. */
    async referenceProblem(): Promise<string | undefined> {
      if (typeof define !== 'function') return 'your spec file must export a function defineTests(t, …)'
      const r = await referenceRun()
      if (r.setupError && r.tests.length === 0) return `your tests could not start: ${r.setupError}`
      if (r.tests.length < minTests) return `your spec declares ${r.tests.length} test(s); write at least ${minTests}`
      if (!r.passed) return `your tests must pass on the correct implementation, but these failed:\n${describeFailures(r)}`
      return undefined
    },
    /** Runs the tests against one mutant. */
    async killed(m: Mutant<Impl>): Promise<{ killed: boolean; run: SpecRun }> {
      const r = await run(m.impl)
      return { killed: !!r.setupError || r.failed.length > 0, run: r }
    },
  }
}
