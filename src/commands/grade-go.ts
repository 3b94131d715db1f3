import { existsSync, realpathSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { Kata } from '../catalog/types.ts'
import { EXIT, type ExitCode } from '../errors.ts'
import { prepareOutDir } from '../grading/out-dir.ts'
import { text } from '../i18n/lang.ts'
import { messages } from '../i18n/messages.ts'
import { trackMessages } from '../i18n/track-messages.ts'
import { resultLine } from '../report/text.ts'
import { writeReports } from '../report/write-reports.ts'
import { summarize } from '../results/submission.ts'
import { runGoTrack } from '../runner/go/track-run.ts'
import { submissionTarget } from '../runner/target.ts'
import { Services } from '../services/services.ts'
import { UserError, type Context } from './context.ts'

export interface GradeGoOptions {
  out?: string
  minScore?: string
  many?: boolean
  json?: boolean
  unsafeSameUser?: boolean
}

/**
 * `roadmap grade <dir> --track go`: each kata's Go package of the submission under
 * `go test -race`, the same reports as the TypeScript track. Graded Go code runs as the
 * grader's own user (no per-run principal yet, see SECURITY.md), so only with
 * --unsafe-same-user: for grading one's own code, not a class's.
 */
export async function gradeGoCommand(ctx: Context, dir: string, katas: Kata[], opts: GradeGoOptions): Promise<ExitCode> {
  const t = trackMessages(ctx.lang)
  const g = messages(ctx.lang).grade
  if (opts.many) throw new UserError(t.gradeMany)
  if (!opts.unsafeSameUser && process.env.ROADMAP_UNSAFE_SAME_USER !== '1') throw new UserError(t.gradeUnsafe)
  if (!existsSync(join(resolve(dir), 'exercises'))) throw new UserError(g.noExercises(dir))
  const minScore = opts.minScore === undefined ? 100 : Number(opts.minScore)
  const outDir = prepareOutDir(opts.out ?? 'roadmap-results')
  const started = new Date()
  const t0 = performance.now()
  const target = submissionTarget(realpathSync(resolve(dir)))
  const results = []
  // The services of every kata, resolved once as the TypeScript track does; stopped after.
  const services = await Services.resolve(katas.flatMap((k) => k.services), { root: ctx.root, config: ctx.config })
  try {
    // One kata at a time: each `go test -race` already uses every core.
    for (const kata of katas) {
      const r = await runGoTrack(ctx.root, kata, target, { services: services.access() })
      if (!opts.json) ctx.out.line(resultLine(r, ctx.lang))
      results.push(r)
    }
  } finally {
    await services.close()
  }
  const titles = Object.fromEntries(katas.map((k) => [k.id, text(k.title, 'en')]))
  const report = summarize(results, titles, started.toISOString(), Math.round(performance.now() - t0))
  const json = writeReports(report, outDir)
  const pct = report.maxScore ? (100 * report.score) / report.maxScore : 100
  if (opts.json) ctx.out.json(json)
  else ctx.out.line(`\n${g.score(report.score, report.maxScore, pct.toFixed(0), minScore, outDir)}`)
  if (report.status === 'error') return EXIT.notGraded
  return pct + 1e-9 >= minScore ? EXIT.ok : EXIT.verdict
}
