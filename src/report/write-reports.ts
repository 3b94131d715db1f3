import { appendFileSync } from 'node:fs'
import { join } from 'node:path'
import { prepareOutDir, writeFileAtomic } from '../grading/out-dir.ts'
import type { GradeReport } from '../results/submission.ts'
import { junitXml } from './junit.ts'
import { REPORT_FILE, reportFileText } from './report-file.ts'
import { resultsJson } from './results-json.ts'
import { stepSummary } from './step-summary.ts'

/**
 * results.json and junit.xml into `dir`, the model they are made from (what `report merge`
 * reads, so that merged shards write the same files), and the step summary when GitHub
 * asks for one.
 * The folder is checked (a real folder of the grader's) and each file written
 * atomically without following links.
 */
export function writeReports(report: GradeReport, dir: string) {
  const out = prepareOutDir(dir)
  const json = resultsJson(report)
  writeFileAtomic(join(out, 'results.json'), `${JSON.stringify(json, null, 2)}\n`)
  writeFileAtomic(join(out, 'junit.xml'), junitXml(report))
  writeFileAtomic(join(out, REPORT_FILE), reportFileText(report))
  if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, stepSummary(report))
  return json
}
