import type { KataResult, Verdict } from '../results/model.ts'
import type { GradeReport } from '../results/submission.ts'

/** Exercism test-runner v3 statuses. */
type V3Status = 'pass' | 'fail' | 'error'
const statusOf = (v: Verdict): V3Status => (v === 'pass' ? 'pass' : v === 'fail' ? 'fail' : 'error')

/**
 * `results.json`: shaped like the Exercism test-runner v3 file (version, status,
 * message, tests[]), plus points and score, and the per-kata detail under `katas`.
 */
export function resultsJson(report: GradeReport) {
  const kataEntry = (r: KataResult) => ({
    id: r.id,
    name: report.titles[r.id] ?? r.id,
    status: statusOf(r.verdict),
    verdict: r.verdict,
    score: r.score,
    max_score: r.points,
    message: r.message ?? null,
    output: r.output ?? null,
    duration_ms: r.durationMs,
    tests: r.tests.map((t) => ({
      name: t.name,
      status: t.status === 'skip' ? 'error' : t.status,
      message: t.message ?? null,
      output: t.output ?? null,
      duration_ms: t.durationMs,
    })),
  })
  const katas = report.results.map(kataEntry)
  const unavailable = report.results.filter((r) => r.verdict === 'unavailable')
  return {
    version: 3,
    status: report.status,
    message: report.tampered?.length
      ? `Not graded: the submission changed harness files during grading (${report.tampered.join(', ')}); they were restored`
      : unavailable.length
        ? `Not graded, a service was missing: ${unavailable.map((r) => `${r.id}: ${r.message}`).join('; ')}`
        : null,
    score: report.score,
    max_score: report.maxScore,
    duration_ms: report.durationMs,
    started_at: report.startedAt,
    // Exercism's flat list: one entry per test, the kata id in front; a kata that could
    // not run at all appears as one errored entry so it is never silently absent.
    tests: katas.flatMap((k) =>
      k.tests.length && k.verdict !== 'timeout' && k.verdict !== 'unavailable'
        ? k.tests.map((t) => ({ ...t, name: `${k.id} > ${t.name}`, task_id: k.id }))
        : [{ name: k.id, status: k.status, message: k.message, output: k.output, duration_ms: k.duration_ms, task_id: k.id }],
    ),
    katas,
  }
}
