import { readFileSync } from 'node:fs'
import { z } from 'zod'
import type { KataResult } from '../results/model.ts'
import { summarize, type GradeReport } from '../results/submission.ts'

const Test = z.object({ name: z.string(), status: z.enum(['pass', 'fail', 'error']), message: z.string().nullable(), output: z.string().nullable(), duration_ms: z.number() })
const KataEntry = z.object({
  id: z.string(),
  name: z.string(),
  verdict: z.enum(['pass', 'fail', 'error', 'timeout', 'oom', 'unavailable']),
  score: z.number(),
  max_score: z.number(),
  message: z.string().nullable(),
  output: z.string().nullable(),
  duration_ms: z.number(),
  tests: z.array(Test),
})
const ResultsFile = z.object({ version: z.literal(3), started_at: z.string(), duration_ms: z.number(), katas: z.array(KataEntry) })

export class ResultsFileError extends Error {
  override name = 'ResultsFileError'
}

/** Reads a results.json that `grade` wrote back into the result model. */
export function readResults(file: string): GradeReport {
  let raw: unknown
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'))
  } catch (err) {
    throw new ResultsFileError(`${file}: ${(err as Error).message}`)
  }
  const parsed = ResultsFile.safeParse(raw)
  if (!parsed.success) {
    const i = parsed.error.issues[0]!
    throw new ResultsFileError(`${file}: not a roadmap results.json (${i.path.join('.')}: ${i.message})`)
  }
  const results: KataResult[] = parsed.data.katas.map((k) => ({
    id: k.id,
    target: 'submission',
    verdict: k.verdict,
    tests: k.tests.map((t) => ({ name: t.name, status: t.status === 'error' ? 'skip' : t.status, message: t.message ?? undefined, output: t.output ?? undefined, durationMs: t.duration_ms })),
    message: k.message ?? undefined,
    output: k.output ?? undefined,
    durationMs: k.duration_ms,
    points: k.max_score,
    score: k.score,
    finishedAt: parsed.data.started_at,
  }))
  return summarize(results, Object.fromEntries(parsed.data.katas.map((k) => [k.id, k.name])), parsed.data.started_at, parsed.data.duration_ms)
}

/** Joins the reports of shards into one, in catalog order when an order is given. */
export function mergeReports(reports: GradeReport[], order?: string[]): GradeReport {
  const seen = new Map<string, KataResult>()
  for (const r of reports) for (const k of r.results) {
    if (seen.has(k.id)) throw new ResultsFileError(`kata ${k.id} appears in two shards`)
    seen.set(k.id, k)
  }
  const rank = new Map(order?.map((id, i) => [id, i]))
  const results = [...seen.values()].sort((a, b) => (rank.get(a.id) ?? 1e9) - (rank.get(b.id) ?? 1e9) || a.id.localeCompare(b.id))
  const titles = Object.assign({}, ...reports.map((r) => r.titles)) as Record<string, string>
  const started = reports.map((r) => r.startedAt).sort()[0] ?? new Date().toISOString()
  return summarize(results, titles, started, Math.max(0, ...reports.map((r) => r.durationMs)))
}
