import type { KataResult } from '../results/model.ts'
import { summarize, type GradeReport } from '../results/submission.ts'
import { ReportFileError } from './report-file.ts'

/**
 * Joins the reports of shards into the report one unsharded grade would have made: the
 * katas' results untouched, in catalog order when an order is given. The figures are
 * summed again, and a shard whose suites were changed voids the whole grade, as it
 * would have voided the unsharded one.
 */
export function mergeReports(reports: GradeReport[], order?: string[]): GradeReport {
  const seen = new Map<string, KataResult>()
  for (const r of reports)
    for (const k of r.results) {
      if (seen.has(k.id)) throw new ReportFileError(`kata ${k.id} appears in two shards`)
      seen.set(k.id, k)
    }
  const rank = new Map(order?.map((id, i) => [id, i]))
  const results = [...seen.values()].sort((a, b) => (rank.get(a.id) ?? 1e9) - (rank.get(b.id) ?? 1e9) || a.id.localeCompare(b.id))
  const all = Object.assign({}, ...reports.map((r) => r.titles)) as Record<string, string>
  // In the katas' order, as one grade lists them.
  const titles = Object.fromEntries([...results.map((r) => r.id).filter((id) => id in all), ...Object.keys(all)].map((id) => [id, all[id]!]))
  const started = reports.map((r) => r.startedAt).sort()[0] ?? new Date().toISOString()
  const report = summarize(results, titles, started, Math.max(0, ...reports.map((r) => r.durationMs)))
  const tampered = [...new Set(reports.flatMap((r) => r.tampered ?? []))]
  return tampered.length ? { ...report, status: 'error', tampered } : report
}
