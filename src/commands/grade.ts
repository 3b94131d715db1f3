import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { Kata } from '../catalog/types.ts'
import { parseShard, shardKatas } from '../grading/shard.ts'
import { text } from '../i18n/lang.ts'
import { gradebook, gradebookCsv } from '../report/gradebook.ts'
import { gradebookHtml } from '../report/gradebook-html.ts'
import { resultLine } from '../report/text.ts'
import { writeReports } from '../report/write-reports.ts'
import { scoreOf, type KataResult } from '../results/model.ts'
import { summarize, type GradeReport } from '../results/submission.ts'
import { HarnessGuard } from '../grading/harness-guard.ts'
import { usableByOthers } from '../runner/privileges.ts'
import { sandboxSubmission } from '../runner/sandbox.ts'
import { submissionTarget } from '../runner/target.ts'
import { openContext, requireKata, UserError, type Context, type GlobalOptions } from './context.ts'
import { openRunners } from './session.ts'

export interface GradeOptions extends GlobalOptions {
  out?: string
  minScore?: string
  kata?: string[]
  chapter?: string[]
  shard?: string
  many?: boolean
  jobs?: string
  json?: boolean
}

/** Exit codes of `grade`, for CI scripts. */
export const GRADE_EXIT = { reached: 0, below: 1, usage: 2, harness: 3 } as const

/** `roadmap grade <dir>`: a submission's exercises graded by the hidden suites; reports out. */
export async function gradeCommand(dir: string, opts: GradeOptions): Promise<number> {
  const ctx = openContext(opts, true)
  const minScore = opts.minScore === undefined ? 100 : Number(opts.minScore)
  if (!Number.isFinite(minScore) || minScore < 0 || minScore > 100) throw new UserError('--min-score is a percentage from 0 to 100')
  let katas = selectKatas(ctx, opts)
  if (opts.shard) {
    try {
      katas = shardKatas(katas, parseShard(opts.shard))
    } catch (err) {
      throw new UserError((err as Error).message)
    }
  }
  const outDir = resolve(opts.out ?? 'roadmap-results')
  const jobs = opts.jobs ? Number(opts.jobs) : undefined
  if (opts.many) return gradeMany(ctx, dir, katas, outDir, jobs, opts)

  if (!existsSync(join(resolve(dir), 'exercises'))) throw new UserError(`${dir} has no exercises/ folder: grade takes a submission laid out like this repository`)
  const report = await grade(ctx, dir, katas, jobs, (r) => {
    if (!opts.json) process.stdout.write(`${resultLine(r, ctx.lang)}\n`)
  })
  const json = writeReports(report, outDir)
  const pct = report.maxScore ? (100 * report.score) / report.maxScore : 100
  if (opts.json) process.stdout.write(`${JSON.stringify(json, null, 2)}\n`)
  else process.stdout.write(`\nScore: ${report.score}/${report.maxScore} (${pct.toFixed(0)}%), minimum ${minScore}%. Reports: ${outDir}/results.json, junit.xml\n`)
  if (report.status === 'error') return GRADE_EXIT.harness
  return pct + 1e-9 >= minScore ? GRADE_EXIT.reached : GRADE_EXIT.below
}

/** `grade --many <folder>`: one sub-folder per student; a gradebook in CSV, HTML and JSON. */
async function gradeMany(ctx: Context, folder: string, katas: Kata[], outDir: string, jobs: number | undefined, opts: GradeOptions): Promise<number> {
  const root = resolve(folder)
  const students = readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(root, d.name, 'exercises')))
    .map((d) => d.name)
    .sort()
  if (!students.length) throw new UserError(`${folder} holds no submissions: expected one sub-folder per student, each with an exercises/ folder`)
  const graded: { student: string; report: GradeReport }[] = []
  for (const student of students) {
    const report = await grade(ctx, join(root, student), katas, jobs)
    writeReports(report, join(outDir, 'students', student))
    graded.push({ student, report })
    if (!opts.json) process.stdout.write(`${student.padEnd(24)} ${report.score}/${report.maxScore}${report.status === 'error' ? '  (not graded: a service was missing)' : ''}\n`)
  }
  const book = gradebook(ctx.catalog, graded)
  mkdirSync(outDir, { recursive: true })
  writeFileSync(join(outDir, 'gradebook.json'), `${JSON.stringify(book, null, 2)}\n`)
  writeFileSync(join(outDir, 'gradebook.csv'), gradebookCsv(book))
  writeFileSync(join(outDir, 'gradebook.html'), gradebookHtml(book))
  if (opts.json) process.stdout.write(`${JSON.stringify(book, null, 2)}\n`)
  else process.stdout.write(`\nGradebook: ${outDir}/gradebook.html, gradebook.csv, gradebook.json\n`)
  return graded.some((g) => g.report.status === 'error') ? GRADE_EXIT.harness : GRADE_EXIT.reached
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
  const unprivileged = process.getuid?.() === 0 && usableByOthers([process.execPath, ctx.root, join(ctx.root, 'node_modules'), sandbox.dir])
  if (process.getuid?.() === 0 && !unprivileged) warnOnce('grading as root: `nobody` cannot use Node or the checkout here, so graded code runs as root; the suites are checked and restored after grading')
  const guard = unprivileged ? undefined : new HarnessGuard(join(ctx.root, 'harness'))
  const runners = await openRunners(ctx, katas, jobs, unprivileged)
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
    const report = summarize(results, titles, started.toISOString(), Math.round(performance.now() - t0))
    const changed = guard?.restore() ?? []
    // The suites were changed under the grader: no result of this run can be trusted.
    return changed.length ? { ...report, status: 'error', tampered: changed } : report
  } finally {
    await runners.close()
    sandbox.remove()
  }
}

let warned = false
function warnOnce(message: string) {
  if (warned) return
  warned = true
  process.stderr.write(`${message}\n`)
}
