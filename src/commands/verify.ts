import type { Kata } from '../catalog/types.ts'
import { loadTopics } from '../catalog/topics.ts'
import { messages, type Messages } from '../i18n/messages.ts'
import { passedCount } from '../results/model.ts'
import { checkMark, paint, verdictColor, verdictMark } from '../report/style.ts'
import { availableParallelism } from 'node:os'
import { parseShard, shardKatas } from '../grading/shard.ts'
import type { KataCheck } from '../verify/check-kata.ts'
import { checkHere, checkInProcesses } from '../verify/run-checks.ts'
import { selectKatas } from '../catalog/select.ts'
import { verifyProblems } from '../i18n/verify-messages.ts'
import { catalogProblemsOf, templateLeftovers } from '../verify/leftovers.ts'
import { checkGoKatas } from '../verify/check-go-kata.ts'
import { EXIT, type ExitCode } from '../errors.ts'
import { openContext, UserError, type GlobalOptions } from './context.ts'
import { openRunners } from './session.ts'

export interface VerifyOptions extends GlobalOptions {
  kata?: string[]
  chapter?: string[]
  jobs?: string
  repeat?: string
  json?: boolean
  /** Internal: one JSON line per kata (the child processes of a sharded verify). */
  jsonl?: boolean
  shard?: string
}

/** `roadmap verify`: every solution passes, every starter fails, the catalog is whole. */
export async function verifyCommand(opts: VerifyOptions): Promise<ExitCode> {
  const narrowed = !!(opts.kata?.length || opts.chapter?.length)
  // The whole catalog must be sound; a narrowed run only needs its own part to be.
  const ctx = openContext(opts, !narrowed, false)
  let katas: Kata[] = selectKatas(ctx.catalog, opts, ctx.lang)
  const chapterDirs = ctx.catalog.chapters.filter((c) => opts.chapter?.includes(c.id)).map((c) => `/harness/${c.dir}/`)
  if (ctx.problems.some((p) => chapterDirs.some((d) => p.file.includes(d)))) {
    throw new UserError(messages(ctx.lang).verify.brokenChapter)
  }
  const jobs = opts.jobs ? Number(opts.jobs) : availableParallelism()
  const repeat = opts.repeat ? Number(opts.repeat) : 1
  if (!Number.isInteger(repeat) || repeat < 1 || repeat > 100) throw new UserError(messages(ctx.lang).verify.badRepeat(opts.repeat))
  if (opts.shard) katas = shardKatas(katas, parseShard(opts.shard))
  const t0 = performance.now()
  const out = ctx.out
  const m = messages(ctx.lang)
  const say = verifyProblems(ctx.lang)
  // What is wrong before anything runs: a kata with a catalog problem of its own (it is
  // left out of the catalog, or kept with a bad field) and template leftovers.
  const staticProblems = (c: KataCheck) => {
    const kata = ctx.catalog.byId.get(c.id)
    return kata ? [...catalogProblemsOf(ctx.problems, kata, say), ...templateLeftovers(ctx.catalog, kata, say)] : []
  }
  const onCheck = (c: KataCheck) => {
    if (!opts.jsonl) c.problems.unshift(...staticProblems(c))
    if (opts.jsonl) out.line(JSON.stringify(c))
    else if (!opts.json) out.line(checkLine(c, m))
  }
  let checks: KataCheck[]
  if (ctx.track === 'go') {
    // The Go track runs `go test` per kata: no Vitest runners to start.
    checks = await checkGoKatas(ctx.catalog, katas, repeat, ctx.lang, jobs, onCheck)
  } else if (!opts.shard && jobs > 1 && katas.length >= 12 * jobs) {
    // Enough katas to pay for more processes: one per core, each with its shard.
    checks = await checkInProcesses(process.argv[1]!, ctx.root, katas, jobs, repeat, ctx.lang, onCheck)
  } else {
    const runners = await openRunners(ctx, katas, opts.shard ? 2 : jobs)
    try {
      checks = await checkHere(runners.pool, ctx.catalog, katas, repeat, ctx.lang, onCheck)
    } finally {
      await runners.close()
    }
  }
  if (opts.jsonl) return checks.some((c) => c.problems.length || c.skipped) ? EXIT.verdict : EXIT.ok
  const broken = checks.filter((c) => c.problems.length)
  const skipped = checks.filter((c) => c.skipped)
  const whole = !opts.kata?.length && !opts.chapter?.length && ctx.track === 'ts'
  const topics = loadTopics(ctx.root)
  const covered = new Set(ctx.catalog.katas.flatMap((k) => k.topics))
  const uncovered = topics.filter((t) => !covered.has(t.id)).map((t) => t.id)
  const seconds = ((performance.now() - t0) / 1000).toFixed(1)
  if (opts.json) {
    const katasJson = checks.map((c) => ({ ...c, mutants: mutantSummary(c) }))
    out.json({ ok: broken.length === 0 && skipped.length === 0, seconds: Number(seconds), repeat, uncoveredTopics: uncovered, mutants: totalMutants(checks), katas: katasJson })
  } else {
    for (const s of skipped) out.line(paint('yellow', `⚠ ${m.verify.notChecked(s.id, s.solution.message ?? s.starter.message ?? '')}`))
    if (whole && topics.length) out.line(m.verify.topics(topics.length - uncovered.length, topics.length, uncovered))
    const slow = [...checks].sort((a, b) => b.durationMs - a.durationMs).slice(0, 5)
    out.line(m.verify.slowest(slow.map((c) => `${c.id} ${c.durationMs} ms`).join(', ')))
    const t = totalMutants(checks)
    out.line(m.verify.mutants(t.killed, t.mutants, repeat, t.survived))
    out.line(m.verify.totals(checks.length - broken.length - skipped.length, broken.length, skipped.length, seconds))
  }
  return broken.length || skipped.length ? EXIT.verdict : EXIT.ok
}

function checkLine(c: KataCheck, msg: Messages): string {
  const ok = !c.problems.length && !c.skipped
  const mark = c.skipped ? paint(verdictColor.unavailable, verdictMark.unavailable) : checkMark(ok)
  const sol = msg.verify.solution(c.solution.verdict, passedCount(c.solution), c.solution.tests.length)
  const st = msg.verify.starter(c.starter.verdict, passedCount(c.starter), c.starter.tests.length)
  const m = mutantSummary(c)
  const alts = c.overlays.filter((o) => o.kind === 'alternative')
  const extra = `, ${msg.verify.mutantsOf(m.killed, m.mutants)}${alts.length ? `, ${msg.verify.alternatives(alts.filter((a) => a.held).length, alts.length)}` : ''}`
  const head = `${mark} ${c.id.padEnd(30)} ${sol}, ${st}${extra}  ${paint('dim', `${c.durationMs} ms`)}`
  return [head, ...c.problems.map((p) => paint('red', `    - ${p}`))].join('\n')
}


/** Per kata: how many mutants, how many were rejected on every run, which survived, and the time. */
function mutantSummary(c: KataCheck) {
  const mutants = c.overlays.filter((o) => o.kind === 'mutant')
  return {
    mutants: mutants.length,
    killed: mutants.filter((o) => o.held).length,
    survived: mutants.filter((o) => !o.held && !o.verdicts.includes('unavailable')).map((o) => o.name),
    durationMs: mutants.reduce((s, o) => s + o.durationMs, 0),
  }
}

function totalMutants(checks: KataCheck[]) {
  const all = checks.map(mutantSummary)
  return { mutants: all.reduce((s, m) => s + m.mutants, 0), killed: all.reduce((s, m) => s + m.killed, 0), survived: all.reduce((s, m) => s + m.survived.length, 0) }
}
