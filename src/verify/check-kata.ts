import type { Kata } from '../catalog/types.ts'
import type { KataResult } from '../results/model.ts'
import type { RunnerPool } from '../runner/pool.ts'
import type { Target } from '../runner/target.ts'

/** What `verify` found for one kata. */
export interface KataCheck {
  id: string
  solution: KataResult
  starter: KataResult
  problems: string[]
  /** A harness condition (missing service): neither sound nor broken, just not checked. */
  skipped: boolean
  durationMs: number
}

/**
 * A kata is sound when its reference solution passes, its starter fails (without
 * hanging), and no test both passes on the starter and the solution — a test that
 * the starter already passes checks nothing the learner has to write.
 */
export async function checkKata(pool: RunnerPool, kata: Kata, solutions: Target, exercises: Target): Promise<KataCheck> {
  const [solution, starter] = await Promise.all([pool.run(kata, solutions), pool.run(kata, exercises)])
  const problems: string[] = []
  const skipped = solution.verdict === 'unavailable' || starter.verdict === 'unavailable'
  if (!skipped) {
    if (solution.verdict !== 'pass') {
      const failing = solution.tests.filter((t) => t.status !== 'pass').map((t) => `"${t.name}": ${t.message ?? t.status}`)
      problems.push(`the solution does not pass (${solution.verdict})${solution.message ? `: ${solution.message}` : ''}${failing.length ? `\n      ${failing.slice(0, 3).join('\n      ')}` : ''}`)
    }
    if (starter.verdict === 'pass') problems.push('the starter passes its suite: the kata asks nothing of the learner')
    if (starter.verdict === 'timeout') problems.push('the starter hangs: a starter should fail fast with a message, not time out')
    const solved = new Set(solution.tests.filter((t) => t.status === 'pass').map((t) => t.name))
    const free = starter.tests.filter((t) => t.status === 'pass' && solved.has(t.name)).map((t) => `"${t.name}"`)
    if (free.length) problems.push(`${free.length} test(s) pass on the starter too, so they check nothing the learner writes: ${free.slice(0, 3).join(', ')}`)
    if (solution.tests.some((t) => t.status === 'skip')) problems.push('the suite skips tests on the solution (.skip/.todo left in?)')
    if (solution.durationMs > kata.budgetMs * 0.8 && solution.verdict === 'pass') {
      problems.push(`the solution takes ${solution.durationMs} ms of a ${kata.budgetMs} ms budget: raise budgetMs or speed the suite up`)
    }
  }
  // The time the runs took, not the time spent waiting for a free runner.
  return { id: kata.id, solution, starter, problems, skipped, durationMs: solution.durationMs + starter.durationMs }
}
