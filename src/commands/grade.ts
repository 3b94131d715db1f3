import { appendFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { Kata } from '../catalog/types.ts'
import { text } from '../i18n/lang.ts'
import { scoreOf, type KataResult } from '../results/model.ts'
import { summarize, type GradeReport } from '../results/submission.ts'
import { junitXml } from '../report/junit.ts'
import { resultsJson } from '../report/results-json.ts'
import { stepSummary } from '../report/step-summary.ts'
import { resultLine } from '../report/text.ts'
import { sandboxSubmission } from '../runner/sandbox.ts'
import { submissionTarget } from '../runner/target.ts'
import { openContext, requireKata, UserError, type Context, type GlobalOptions } from './context.ts'
import { openRunners } from './session.ts'

export interface GradeOptions extends GlobalOptions {
  out?: string
  minScore?: string
  kata?: string[]
  chapter?: string[]
  jobs?: string
  json?: boolean
}

/** Exit codes of `grade`, for CI scripts. */
export const GRADE_EXIT = { reached: 0, below: 1, usage: 2, harness: 3 } as const

/** `roadmap grade <dir>`: a submission's exercises graded by the hidden suites; reports out. */
export async function gradeCommand(dir: string, opts: GradeOptions): Promise<number> {
  const ctx = openContext(opts, true)
  if (!existsSync(join(resolve(dir), 'exercises'))) throw new UserError(`${dir} has no exercises/ folder: grade takes a submission laid out like this repository`)
  const minScore = opts.minScore === undefined ? 100 : Number(opts.minScore)
  if (!Number.isFinite(minScore) || minScore < 0 || minScore > 100) throw new UserError('--min-score is a percentage from 0 to 100')
  const katas = selectKatas(ctx, opts)
  const report = await grade(ctx, dir, katas, opts.jobs ? Number(opts.jobs) : undefined, (r) => {
    if (!opts.json) process.stdout.write(`${resultLine(r, ctx.lang)}\n`)
  })
  const outDir = resolve(opts.out ?? 'roadmap-results')
  mkdirSync(outDir, { recursive: true })
  const json = resultsJson(report)
  writeFileSync(join(outDir, 'results.json'), `${JSON.stringify(json, null, 2)}\n`)
  writeFileSync(join(outDir, 'junit.xml'), junitXml(report))
  if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, stepSummary(report))
  const pct = report.maxScore ? (100 * report.score) / report.maxScore : 100
  if (opts.json) process.stdout.write(`${JSON.stringify(json, null, 2)}\n`)
  else process.stdout.write(`\nScore: ${report.score}/${report.maxScore} (${pct.toFixed(0)}%), minimum ${minScore}%. Reports: ${outDir}/results.json, junit.xml\n`)
  if (report.status === 'error') return GRADE_EXIT.harness
  return pct + 1e-9 >= minScore ? GRADE_EXIT.reached : GRADE_EXIT.below
}

export function selectKatas(ctx: Context, opts: { kata?: string[]; chapter?: string[] }): Kata[] {
  let katas = ctx.catalog.katas
  if (opts.kata?.length) katas = opts.kata.map((q) => requireKata(ctx, q))
  if (opts.chapter?.length) katas = katas.filter((k) => opts.chapter!.includes(k.chapter))
  return katas
}

/** Grades the declared files of a submission folder; the core of `grade`, reused by class grading. */
export async function grade(ctx: Context, dir: string, katas: Kata[], jobs?: number, onResult?: (r: KataResult) => void): Promise<GradeReport> {
  const started = new Date()
  const t0 = performance.now()
  const sandbox = sandboxSubmission(dir, katas, join(ctx.root, 'exercises'))
  const runners = await openRunners(ctx, katas, jobs, true)
  try {
    const target = submissionTarget(sandbox.dir)
    const results = await Promise.all(
      katas.map(async (kata) => {
        const gone = sandbox.missing.filter((m) => m.kata === kata.id)
        const r: KataResult = gone.length
          ? { id: kata.id, target: 'submission', verdict: 'error', tests: [], message: gone.map((m) => `${m.file} ${m.reason}`).join('; '), durationMs: 0, points: kata.points, score: scoreOf('error', [], kata.points, false), finishedAt: new Date().toISOString() }
          : { ...(await runners.pool.run(kata, target)), target: 'submission' }
        onResult?.(r)
        return r
      }),
    )
    const titles = Object.fromEntries(katas.map((k) => [k.id, text(k.title, 'en')]))
    return summarize(results, titles, started.toISOString(), Math.round(performance.now() - t0))
  } finally {
    await runners.close()
    sandbox.remove()
  }
}
