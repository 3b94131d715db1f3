import type { Kata } from '../../catalog/types.ts'
import type { KataResult, TestOutcome } from '../../results/model.ts'

export interface StepProgress {
  index: number
  title: Kata['title']
  tests: TestOutcome[]
  passed: boolean
  /** This step's share of the kata's points, by its number of tests. */
  points: number
}

/** A multi-step kata's steps with what the last run said of each; undefined for one-step katas. */
export function stepProgress(kata: Kata, result: KataResult | undefined): StepProgress[] | undefined {
  if (!kata.steps?.length) return undefined
  const all = result?.tests ?? []
  const steps = kata.steps.map((s, index) => {
    const tests = all.filter((t) => t.name.includes(s.tests))
    return { index, title: s.title, tests, passed: tests.length > 0 && tests.every((t) => t.status === 'pass'), points: 0 }
  })
  const counted = steps.reduce((n, s) => n + s.tests.length, 0)
  for (const s of steps) s.points = counted ? Math.round((kata.points * s.tests.length) / counted) : Math.round(kata.points / steps.length)
  return steps
}

/** The step the learner is on: the first one not passed yet. */
export const currentStep = (steps: StepProgress[]) => steps.find((s) => !s.passed) ?? steps[steps.length - 1]!
