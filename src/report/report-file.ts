import { readFileSync } from 'node:fs'
import { z } from 'zod'
import type { GradeReport } from '../results/submission.ts'

/**
 * The result model as `grade` made it, next to results.json: what `report merge` reads.
 * results.json is for people and Exercism (cleaned messages, v3 statuses, no diffs), so
 * reading it back loses what junit.xml and the step summary show; this file keeps it all.
 */
export const REPORT_FILE = 'grade-report.json'
const FORMAT = 'roadmap-grade-report'
const VERSION = 1

const verdicts = ['pass', 'fail', 'error', 'timeout', 'oom', 'unavailable'] as const
const optional = z.string().optional()

const TestOutcome = z.strictObject({ name: z.string(), status: z.enum(['pass', 'fail', 'skip']), message: optional, diff: optional, output: optional, durationMs: z.number() })
const KataResult = z.strictObject({
  id: z.string(),
  target: z.enum(['exercises', 'solutions', 'submission', 'overlay']),
  verdict: z.enum(verdicts),
  tests: z.array(TestOutcome),
  message: optional,
  output: optional,
  durationMs: z.number(),
  points: z.number(),
  score: z.number(),
  finishedAt: z.string(),
})
const Report = z.strictObject({
  status: z.enum(['pass', 'fail', 'error']),
  score: z.number(),
  maxScore: z.number(),
  results: z.array(KataResult),
  titles: z.record(z.string(), z.string()),
  startedAt: z.string(),
  durationMs: z.number(),
  tampered: z.array(z.string()).optional(),
})
const ReportFile = z.strictObject({ format: z.literal(FORMAT), version: z.literal(VERSION), report: Report })

// The schema says the model again; this line keeps the two from drifting apart.
const _sameShape: z.infer<typeof Report> extends GradeReport ? (GradeReport extends z.infer<typeof Report> ? true : never) : never = true
void _sameShape

/** A report file that is missing, unreadable or not one `grade` wrote. */
export class ReportFileError extends Error {
  override name = 'ReportFileError'
}

/** The file's text: the report whole, with the format and version it is read back by. */
export function reportFileText(report: GradeReport): string {
  return `${JSON.stringify({ format: FORMAT, version: VERSION, report }, null, 2)}\n`
}

/** Reads a grade-report.json back into the result model, exactly as it was written. */
export function readReportFile(file: string): GradeReport {
  let raw: unknown
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'))
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT'
    throw new ReportFileError(missing ? `${file}: not found (a shard graded by this version of roadmap writes it next to results.json)` : `${file}: ${(err as Error).message}`)
  }
  const parsed = ReportFile.safeParse(raw)
  if (!parsed.success) {
    const i = parsed.error.issues[0]!
    throw new ReportFileError(`${file}: not a roadmap ${REPORT_FILE} (${i.path.join('.')}: ${i.message})`)
  }
  return parsed.data.report
}
