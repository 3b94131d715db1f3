import type { KataResult } from './model.ts'

/** A graded set of katas: what `grade` produces and every report reads. */
export interface GradeReport {
  /** pass: every kata passed; fail: some did not; error: the harness could not grade (a service was missing). */
  status: 'pass' | 'fail' | 'error'
  score: number
  maxScore: number
  results: KataResult[]
  titles: Record<string, string>
  startedAt: string
  durationMs: number
  /** Harness files graded code changed (they were restored): the whole grade is void. */
  tampered?: string[]
}

export function summarize(results: KataResult[], titles: Record<string, string>, startedAt: string, durationMs: number): GradeReport {
  const score = results.reduce((s, r) => s + r.score, 0)
  const maxScore = results.reduce((s, r) => s + r.points, 0)
  const status = results.some((r) => r.verdict === 'unavailable') ? 'error' : results.every((r) => r.verdict === 'pass') ? 'pass' : 'fail'
  return { status, score, maxScore, results, titles, startedAt, durationMs }
}
