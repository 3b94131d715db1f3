import { existsSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { mergeReports, readResults, ResultsFileError } from '../report/read-results.ts'
import { writeReports } from '../report/write-reports.ts'
import { openContext, UserError, type GlobalOptions } from './context.ts'

/** `roadmap report merge <results...>`: joins the results of shards into one report. */
export async function reportMergeCommand(inputs: string[], opts: GlobalOptions & { out?: string; minScore?: string }): Promise<number> {
  const ctx = openContext(opts)
  const files = inputs.map((p) => (existsSync(p) && statSync(p).isDirectory() ? join(p, 'results.json') : p))
  let merged
  try {
    merged = mergeReports(files.map(readResults), ctx.catalog.katas.map((k) => k.id))
  } catch (err) {
    if (err instanceof ResultsFileError) throw new UserError(err.message)
    throw err
  }
  const outDir = resolve(opts.out ?? 'roadmap-results')
  writeReports(merged, outDir)
  const pct = merged.maxScore ? (100 * merged.score) / merged.maxScore : 100
  const min = opts.minScore === undefined ? 100 : Number(opts.minScore)
  process.stdout.write(`Merged ${files.length} report(s), ${merged.results.length} katas: ${merged.score}/${merged.maxScore} (${pct.toFixed(0)}%). Reports: ${outDir}\n`)
  if (merged.status === 'error') return 3
  return pct + 1e-9 >= min ? 0 : 1
}
