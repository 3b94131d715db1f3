import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { GradeReport } from '../results/submission.ts'
import { junitXml } from './junit.ts'
import { resultsJson } from './results-json.ts'
import { stepSummary } from './step-summary.ts'

/** results.json and junit.xml into `dir`, and the step summary when GitHub asks for one. */
export function writeReports(report: GradeReport, dir: string) {
  mkdirSync(dir, { recursive: true })
  const json = resultsJson(report)
  writeFileSync(join(dir, 'results.json'), `${JSON.stringify(json, null, 2)}\n`)
  writeFileSync(join(dir, 'junit.xml'), junitXml(report))
  if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, stepSummary(report))
  return json
}
