import type { TestOutcome, Verdict } from '../../results/model.ts'

/** What one `go test` run showed, as far as the verdict needs it. */
export interface GoRunFacts {
  timedOut: boolean
  budgetMs: number
  /** The compiler's (or vet's) words when the test binary was not built. */
  built: string | undefined
  /** go's own error when it ran nothing at all (a broken go.mod, no Go files). */
  refused: string | undefined
  tests: TestOutcome[]
  /** Exit code 0 and the package reported as passed. */
  exitedCleanly: boolean
  exitCode: number | null
  /** What the package printed outside any test. */
  printed: string
  /** The hidden top-level tests: each must have run and passed. */
  expected: string[]
}

/**
 * The run's verdict. A pass needs more than no failure: a clean exit, and every hidden
 * test seen passing (learner code that exits early in init runs no test at all).
 */
export function verdictOf(f: GoRunFacts): { verdict: Verdict; message?: string } {
  if (f.timedOut) {
    return { verdict: 'timeout', message: `the tests ran past the budget of ${f.budgetMs} ms and were stopped (an endless loop, a deadlock, a channel nobody closes?)` }
  }
  if (f.built !== undefined) return { verdict: 'error', message: `the package does not build (or go vet, which go test runs first, rejected it):\n${f.built}` }
  if (f.refused !== undefined) return { verdict: 'error', message: f.refused }
  if (f.tests.some((t) => t.status === 'fail')) return { verdict: 'fail' }
  // A goroutine that outlives its test can race after the last test ended: still the learner's race.
  if (!f.exitedCleanly && f.printed.includes('WARNING: DATA RACE')) return { verdict: 'fail', message: `a data race after the tests ended:\n${f.printed}` }
  if (!f.exitedCleanly) {
    return { verdict: 'error', message: `the test binary failed outside any test${f.printed ? `:\n${f.printed}` : ` (exit code ${f.exitCode})`}` }
  }
  const passed = (name: string) => f.tests.some((t) => (t.name === name || t.name.startsWith(`${name} > `)) && t.status === 'pass')
  const missing = f.expected.filter((n) => !passed(n))
  if (missing.length) return { verdict: 'error', message: `these tests never ran: ${missing.join(', ')}` }
  return { verdict: 'pass' }
}
