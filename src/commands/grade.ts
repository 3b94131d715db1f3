import { existsSync, lstatSync, readdirSync, realpathSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Kata } from '../catalog/types.ts'
import { holdExitCode } from '../grading/exit-status.ts'
import { prepareOutDir, prepareSubDir, writeFileAtomic } from '../grading/out-dir.ts'
import { parseShard, shardKatas } from '../grading/shard.ts'
import { text } from '../i18n/lang.ts'
import { messages } from '../i18n/messages.ts'
import { gradebook, gradebookCsv } from '../report/gradebook.ts'
import { gradebookHtml } from '../report/gradebook-html.ts'
import { resultLine } from '../report/text.ts'
import { writeReports } from '../report/write-reports.ts'
import { scoreOf, type KataResult } from '../results/model.ts'
import { summarize, type GradeReport } from '../results/submission.ts'
import { HarnessGuard } from '../grading/harness-guard.ts'
import { canIsolate, usableByOthers } from '../runner/privileges.ts'
import { GradingSession } from '../runner/grading-session.ts'
import { SubmissionError } from '../runner/sandbox.ts'
import { selectKatas as selectFromCatalog } from '../catalog/select.ts'
import { EXIT } from '../errors.ts'
import { openContext, UserError, type Context, type GlobalOptions } from './context.ts'

export interface GradeOptions extends GlobalOptions {
  out?: string
  minScore?: string
  kata?: string[]
  chapter?: string[]
  shard?: string
  many?: boolean
  jobs?: string
  json?: boolean
  /** Local use only: run graded code as the grader's own user (it can then read what the grader can). */
  unsafeSameUser?: boolean
}

/** Exit codes of `grade`, for CI scripts. */
export const GRADE_EXIT = { reached: EXIT.ok, below: EXIT.verdict, usage: EXIT.usage, harness: EXIT.notGraded } as const

/** This installation of roadmap (its solutions/ is hidden from graded code too). */
const INSTALL_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')

/** How graded code runs: as its own user (isolated), or as the grader (only with the explicit flag). */
interface Isolation {
  isolated: boolean
}

/** `roadmap grade <dir>`: a submission's exercises graded by the hidden suites; reports out. */
export async function gradeCommand(dir: string, opts: GradeOptions): Promise<number> {
  const code = await gradeCommandInner(dir, opts)
  // The computed code, whatever a dependency's exit hook does on the way out.
  holdExitCode(code)
  return code
}

async function gradeCommandInner(dir: string, opts: GradeOptions): Promise<number> {
  const ctx = openContext(opts, true, false)
  const minScore = opts.minScore === undefined ? 100 : Number(opts.minScore)
  const g = messages(ctx.lang).grade
  if (!Number.isFinite(minScore) || minScore < 0 || minScore > 100) throw new UserError(g.badMinScore)
  let katas = selectKatas(ctx, opts)
  if (opts.shard) {
    try {
      katas = shardKatas(katas, parseShard(opts.shard))
    } catch (err) {
      throw new UserError((err as Error).message)
    }
  }
  const isolation = chooseIsolation(ctx, opts)
  const jobs = opts.jobs ? Number(opts.jobs) : undefined
  // Made (or checked) before any graded code runs: graded code cannot plant it (OutDirError is a usage error).
  const outDir = prepareOutDir(opts.out ?? 'roadmap-results')
  if (opts.many) return gradeMany(ctx, dir, katas, outDir, jobs, opts, isolation)

  if (!existsSync(join(resolve(dir), 'exercises'))) throw new UserError(g.noExercises(dir))
  const session = await openSession(ctx, katas, jobs, isolation, [realpathSync(resolve(dir)), outDir])
  let report: GradeReport
  try {
    report = await grade(ctx, dir, katas, session, isolation, (r) => {
      if (!opts.json) ctx.out.line(resultLine(r, ctx.lang))
    })
  } finally {
    await session.close()
  }
  const json = writeReports(report, outDir)
  const pct = report.maxScore ? (100 * report.score) / report.maxScore : 100
  if (opts.json) ctx.out.json(json)
  else ctx.out.line(`\n${g.score(report.score, report.maxScore, pct.toFixed(0), minScore, outDir)}`)
  if (report.status === 'error') return GRADE_EXIT.harness
  return pct + 1e-9 >= minScore ? GRADE_EXIT.reached : GRADE_EXIT.below
}

/**
 * Graded code runs as its own OS user, or not at all: as the grader's user it could read
 * the grader's environment (/proc/<ppid>/environ), the solutions and other submissions.
 * The explicit --unsafe-same-user (ROADMAP_UNSAFE_SAME_USER=1) allows it for local use.
 */
function chooseIsolation(ctx: Context, opts: GradeOptions): Isolation {
  const g = messages(ctx.lang).grade
  const unsafe = !!opts.unsafeSameUser || process.env.ROADMAP_UNSAFE_SAME_USER === '1'
  const why = !canIsolate()
    ? process.getuid?.() === 0
      ? g.noIsolationTools
      : g.notRoot
    : !usableByOthers([process.execPath, ctx.root, join(ctx.root, 'node_modules'), INSTALL_ROOT, join(INSTALL_ROOT, 'node_modules')])
      ? g.unreadable(process.execPath, ctx.root)
      : undefined
  if (!why) return { isolated: true }
  if (!unsafe) {
    throw new UserError(g.refuses(why))
  }
  ctx.out.note(g.unsafeWarning(process.getuid?.() === 0, why))
  return { isolated: false }
}

/** `grade --many <folder>`: one sub-folder per student; a gradebook in CSV, HTML and JSON. */
async function gradeMany(ctx: Context, folder: string, katas: Kata[], outDir: string, jobs: number | undefined, opts: GradeOptions, isolation: Isolation): Promise<number> {
  const root = realpathSync(resolve(folder))
  const students = readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !lstatSync(join(root, d.name)).isSymbolicLink() && existsSync(join(root, d.name, 'exercises')))
    .map((d) => d.name)
    .sort()
  const g = messages(ctx.lang).grade
  if (!students.length) throw new UserError(g.noSubmissions(folder))
  // Services, grading users and runners serve the whole class; two submissions are graded
  // at once (one a lane, each as a grading user of its own), so that a student of few katas
  // does not leave a core idle. No run sees the class folder, the reports or the other lane.
  const session = await openSession(ctx, katas, jobs, isolation, [root, outDir], Math.min(2, students.length))
  const graded: { student: string; report: GradeReport }[] = []
  let reports: Promise<GradeReport>[] = []
  try {
    const titles = Object.fromEntries(katas.map((k) => [k.id, text(k.title, 'en')]))
    reports = gradeInLanes(students, session.laneCount, async (student, lane) => {
      const started = new Date().toISOString()
      // One submission that cannot be graded at all (its exercises/ a link) scores nothing; the class goes on.
      const report = await grade(ctx, join(root, student), katas, session, isolation, undefined, lane).catch((err: unknown) => {
        if (!(err instanceof UserError)) throw err
        return summarize(katas.map((k) => notGradable(k, err.message.split(join(root, student)).join('<submission>'))), titles, started, 0)
      })
      writeReports(report, prepareSubDir(outDir, 'students', student))
      return report
    })
    // Printed in the class's order, each as soon as it and those before it are graded.
    for (const [i, student] of students.entries()) {
      const report = await reports[i]!
      graded.push({ student, report })
      if (!opts.json) ctx.out.line(`${student.padEnd(24)} ${report.score}/${report.maxScore}${report.status === 'error' ? g.notGraded : ''}`)
    }
  } finally {
    // Every lane has ended (the unreached students settle last) before the runners close.
    await Promise.allSettled(reports)
    await session.close()
  }
  const book = gradebook(ctx.catalog, graded)
  writeFileAtomic(join(outDir, 'gradebook.json'), `${JSON.stringify(book, null, 2)}\n`)
  writeFileAtomic(join(outDir, 'gradebook.csv'), gradebookCsv(book))
  writeFileAtomic(join(outDir, 'gradebook.html'), gradebookHtml(book))
  if (opts.json) ctx.out.json(book)
  else ctx.out.line(`\n${g.gradebook(outDir)}`)
  return graded.some((g) => g.report.status === 'error') ? GRADE_EXIT.harness : GRADE_EXIT.reached
}

/**
 * Grades `students` over `lanes` lanes, each lane taking the next student as its last one
 * ends. The promises come back in the students' order; when one fails, the lanes finish
 * the students they hold and take no more.
 */
function gradeInLanes(students: string[], lanes: number, gradeOne: (student: string, lane: number) => Promise<GradeReport>): Promise<GradeReport>[] {
  const settled = students.map(() => Promise.withResolvers<GradeReport>())
  let next = 0
  let failed = false
  const lane = async (index: number) => {
    while (!failed && next < students.length) {
      const i = next++
      try {
        settled[i]!.resolve(await gradeOne(students[i]!, index))
      } catch (err) {
        failed = true
        settled[i]!.reject(err)
      }
    }
  }
  const running = Array.from({ length: lanes }, (_, i) => lane(i))
  // A student no lane reached (after a failure) waits for the lanes, then takes the failure.
  void Promise.all(running).then(() => {
    for (const s of settled) s.reject(new Error('not graded: an earlier submission failed'))
  })
  // Only the first failure is reported; the ones after it are expected and handled here.
  for (const s of settled) s.promise.catch(() => undefined)
  return settled.map((s) => s.promise)
}

/** Unknown kata or chapter ids are usage errors (exit 2): a typo must not grade nothing and pass. */
export function selectKatas(ctx: Context, opts: { kata?: string[]; chapter?: string[] }): Kata[] {
  return selectFromCatalog(ctx.catalog, opts, ctx.lang)
}

/** Paths to hide from a run: those given, minus any that hold what the run needs. */
function hiddenPaths(candidates: string[], needed: string[]): string[] {
  const holds = (outer: string, inner: string) => !relative(outer, inner).startsWith('..')
  return [...new Set(candidates.map((p) => resolve(p)))].filter((p) => existsSync(p) && !needed.some((n) => holds(p, n)))
}

/**
 * What the submissions of one `grade` share, opened once (grade --many: once for the
 * class): services, grading user, runners. `hide` lists folders the graded code must not
 * see (the submission or class folder, the reports).
 */
async function openSession(ctx: Context, katas: Kata[], jobs: number | undefined, isolation: Isolation, hide: string[], lanes = 1): Promise<GradingSession> {
  const needed = [ctx.root, INSTALL_ROOT, dirname(process.execPath)]
  const session = await GradingSession.open({
    catalog: ctx.catalog,
    root: ctx.root,
    config: ctx.config,
    katas,
    isolated: isolation.isolated,
    track: ctx.track,
    hide: hiddenPaths([join(ctx.root, 'solutions'), join(INSTALL_ROOT, 'solutions'), ...hide], needed),
    // Shared by the lanes: each run boots a worker of its own, CPU the cores have to give.
    concurrency: Math.max(1, jobs ?? availableParallelism()),
    lanes,
  })
  for (const w of session.warnings) ctx.out.note(`warning: ${w}`)
  return session
}

/**
 * Grades the declared files of a submission folder; the core of `grade`, reused by class
 * grading, on a session opened for it (or for the class).
 */
export async function grade(ctx: Context, dir: string, katas: Kata[], session: GradingSession, isolation: Isolation, onResult?: (r: KataResult) => void, lane = 0): Promise<GradeReport> {
  const started = new Date()
  const t0 = performance.now()
  const submission = realpathSync(resolve(dir))
  let sandbox: ReturnType<GradingSession['prepare']>
  try {
    sandbox = session.prepare(submission, lane)
  } catch (err) {
    if (err instanceof SubmissionError) throw new UserError(err.message)
    throw err
  }
  // As the grader's own user, graded code could write to the suites: snapshot and compare.
  const guard = isolation.isolated ? undefined : new HarnessGuard(join(ctx.root, 'harness'))
  try {
    const results = await Promise.all(
      katas.map(async (kata) => {
        const gone = sandbox.missing.filter((m) => m.kata === kata.id)
        const r: KataResult = gone.length
          ? notGradable(kata, gone.map((m) => `<submission>/${m.file} ${m.reason}`).join('; '))
          : showSubmissionPaths({ ...(await session.run(kata, sandbox.target)), target: 'submission' }, sandbox.dir)
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
    sandbox.remove()
  }
}

/** A kata the submission does not let us grade (a declared file missing or refused): an error, no points. */
function notGradable(kata: Kata, message: string): KataResult {
  return { id: kata.id, target: 'submission', verdict: 'error', tests: [], message, durationMs: 0, points: kata.points, score: scoreOf('error', [], kata.points, false), finishedAt: new Date().toISOString() }
}

/** Messages name `<submission>/exercises/…`, not the sandbox the run used. */
function showSubmissionPaths(r: KataResult, sandboxDir: string): KataResult {
  const fix = (s: string | undefined) => s?.split(sandboxDir).join('<submission>')
  return { ...r, message: fix(r.message), output: fix(r.output), tests: r.tests.map((t) => ({ ...t, message: fix(t.message), diff: fix(t.diff), output: fix(t.output) })) }
}
