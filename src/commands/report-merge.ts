import { existsSync, statSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import { EXIT, type ExitCode } from '../errors.ts'
import { mergeReports } from '../report/merge.ts'
import { readReportFile, REPORT_FILE, ReportFileError } from '../report/report-file.ts'
import { writeReports } from '../report/write-reports.ts'
import { openContext, UserError, type GlobalOptions } from './context.ts'

/** A shard's folder, its results.json or its grade-report.json: the model file of that folder. */
const reportFileOf = (p: string) => (existsSync(p) && statSync(p).isDirectory() ? join(p, REPORT_FILE) : basename(p) === 'results.json' ? join(dirname(p), REPORT_FILE) : p)

/**
 * `roadmap report merge <results...>`: joins the reports of shards into one. It reads the
 * result model each shard kept (not results.json, which is made from it and loses the
 * diffs and skips), so the merged files are those one unsharded grade writes.
 */
export async function reportMergeCommand(inputs: string[], opts: GlobalOptions & { out?: string; minScore?: string }): Promise<ExitCode> {
  const ctx = openContext(opts)
  const files = inputs.map(reportFileOf)
  let merged
  try {
    merged = mergeReports(files.map(readReportFile), ctx.catalog.katas.map((k) => k.id))
  } catch (err) {
    if (err instanceof ReportFileError) throw new UserError(err.message)
    throw err
  }
  const outDir = resolve(opts.out ?? 'roadmap-results')
  writeReports(merged, outDir)
  const pct = merged.maxScore ? (100 * merged.score) / merged.maxScore : 100
  const min = opts.minScore === undefined ? 100 : Number(opts.minScore)
  ctx.out.line(`Merged ${files.length} report(s), ${merged.results.length} katas: ${merged.score}/${merged.maxScore} (${pct.toFixed(0)}%). Reports: ${outDir}`)
  if (merged.status === 'error') return EXIT.notGraded
  return pct + 1e-9 >= min ? EXIT.ok : EXIT.verdict
}
