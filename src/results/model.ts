/**
 * The one result model. The runner produces it; the UI, plain text, results.json,
 * JUnit, the step summary and the progress store all read it and nothing else.
 */

/** How a whole kata run ended. */
export type Verdict =
  | 'pass' // every test passed
  | 'fail' // the suite ran and at least one test failed
  | 'error' // the learner's code could not be loaded (syntax error, throw at import, process.exit …)
  | 'timeout' // the run went past the kata's budget
  | 'oom' // the learner's code ran out of the worker's capped memory
  | 'unavailable' // a service the kata needs is missing: a harness condition, not the learner's fault

export type TestStatus = 'pass' | 'fail' | 'skip'

export interface TestOutcome {
  /** Full name: describe blocks and test, joined by " > ". */
  name: string
  status: TestStatus
  /** What went wrong, in the suite author's words (first error only). */
  message?: string
  /** Expected-vs-received diff when the assertion has one. */
  diff?: string
  /** What the learner's code printed during this test, capped. */
  output?: string
  durationMs: number
}

/**
 * Which code was graded: the learner's exercises, the reference solutions, a submission,
 * or (for `verify`) a mutant or alternative laid over the solution in a scratch folder.
 */
export type TargetKind = 'exercises' | 'solutions' | 'submission' | 'overlay'

export interface KataResult {
  id: string
  target: TargetKind
  verdict: Verdict
  tests: TestOutcome[]
  /** Why the run as a whole failed (syntax error, timeout, missing service), for a human. */
  message?: string
  /** Output printed outside any test (at import time, in hooks), capped. */
  output?: string
  durationMs: number
  points: number
  score: number
  finishedAt: string
}

export const passedCount = (r: KataResult) => r.tests.filter((t) => t.status === 'pass').length

/** A kata's score: full points only when everything passed; never full when a test failed. */
export function scoreOf(verdict: Verdict, tests: TestOutcome[], points: number, partialCredit: boolean): number {
  if (verdict === 'pass') return points
  if (!partialCredit || verdict !== 'fail') return 0
  // A skipped or todo test counts as failed: graded code can mark the tests it cannot
  // pass as skipped, and leaving them out would pay it for the rest.
  if (tests.length === 0) return 0
  const passed = tests.filter((t) => t.status === 'pass').length
  return Math.min(points - 1, Math.floor((points * passed) / tests.length))
}

/** A verdict the learner is responsible for (used to tell regressions from outages). */
export const isLearnerVerdict = (v: Verdict) => v !== 'unavailable'
