import { availableParallelism, loadavg } from 'node:os'
import type { Catalog, Kata } from '../catalog/types.ts'
import type { KataResult, Verdict } from '../results/model.ts'
import type { RunnerPool } from '../runner/pool.ts'
import type { Target } from '../runner/target.ts'
import type { Lang } from '../i18n/lang.ts'
import { untranslatedTitles } from '../i18n/test-names.ts'
import { verifyProblems, type VerifyProblems } from '../i18n/verify-messages.ts'
import { missingOverlays, overlayProblems, overlaysOf, type Overlay, type OverlayTarget } from './overlays.ts'

/** How a mutant or an alternative fared over its runs. */
export interface OverlayOutcome {
  kind: Overlay['kind']
  name: string
  /** The statement sentence a mutant breaks, or an alternative's design. */
  about: string
  mistake?: string
  runs: number
  /** Whether every run judged it as it should: a mutant rejected, an alternative passed. */
  held: boolean
  /** The verdict of each run, in order (a run that did not hold ends the series). */
  verdicts: Verdict[]
  /** For a run that did not hold: the failing tests, or why it did not run. */
  detail?: string
  durationMs: number
}

/** What `verify` found for one kata. */
export interface KataCheck {
  id: string
  solution: KataResult
  starter: KataResult
  overlays: OverlayOutcome[]
  problems: string[]
  /** A harness condition (missing service): neither sound nor broken, just not checked. */
  skipped: boolean
  durationMs: number
}

export interface CheckSetup {
  pool: RunnerPool
  catalog: Catalog
  solutions: Target
  exercises: Target
  overlays: OverlayTarget
  /** How many times each mutant and alternative runs: a kill must hold every time. */
  repeat: number
  /** The language of the problems reported (default English). */
  lang?: Lang
}

/**
 * A kata is sound when its reference solution passes, its starter fails (without
 * hanging), no test both passes on the starter and the solution — a test that the
 * starter already passes checks nothing the learner has to write —, every mutant
 * fails on every run and every alternative design passes on every run.
 */
export async function checkKata(setup: CheckSetup, kata: Kata): Promise<KataCheck> {
  const { pool, solutions, exercises } = setup
  const [solution, starter] = await Promise.all([pool.run(kata, solutions), pool.run(kata, exercises)])
  const problems: string[] = []
  const overlays: OverlayOutcome[] = []
  const say = verifyProblems(setup.lang ?? 'en')
  let skipped = solution.verdict === 'unavailable' || starter.verdict === 'unavailable'
  if (!skipped) {
    if (solution.verdict !== 'pass') {
      problems.push(say.solutionFails(solution.verdict, `${solution.message ? `: ${solution.message}` : ''}${failingTests(solution)}`))
    }
    if (starter.verdict === 'pass') problems.push(say.starterPasses)
    if (starter.verdict === 'timeout') problems.push(say.starterHangs)
    const solved = new Set(solution.tests.filter((t) => t.status === 'pass').map((t) => t.name))
    const free = starter.tests.filter((t) => t.status === 'pass' && solved.has(t.name)).map((t) => `"${t.name}"`)
    if (free.length) problems.push(say.freeTests(free.length, free.slice(0, 3).join(', ')))
    if (solution.tests.some((t) => t.status === 'skip')) problems.push(say.skips)
    problems.push(...untranslatedProblem(kata, solution, say))
    // Advice to the author, not a verdict: on a machine busy with other work a run is slow for reasons of its own.
    if (solution.durationMs > kata.budgetMs * 0.8 && solution.verdict === 'pass' && !machineBusy()) {
      problems.push(say.tooSlow(solution.durationMs, kata.budgetMs))
    }
    problems.push(...overlayProblems(setup.catalog, kata, say))
    if (!missingOverlays(setup.catalog, kata)) {
      overlays.push(...(await checkOverlays(setup, kata)))
      for (const outcome of overlays) {
        if (outcome.verdicts.includes('unavailable')) skipped = true
        else if (!outcome.held) problems.push(overlayProblem(outcome, say))
      }
    }
  }
  // The time the runs took, not the time spent waiting for a free runner.
  const durationMs = solution.durationMs + starter.durationMs + overlays.reduce((s, o) => s + o.durationMs, 0)
  return { id: kata.id, solution, starter, overlays, problems, skipped, durationMs }
}

/** One overlay's runs so far. */
interface Series {
  overlay: Overlay
  verdicts: Verdict[]
  held: boolean
  detail?: string
  durationMs: number
  /** For a mutant: the tests that rejected it on its first, full run. */
  rejectedBy: string[]
}

/**
 * Runs every overlay `repeat` times, each series stopping at the first run that does
 * not hold. The first run of each is the whole suite. A mutant's later runs only repeat
 * the tests that rejected it — provided the solution passes those tests on their own
 * (a test leaning on an earlier one proves nothing alone); a repeat where none of them
 * fails gets the whole suite again, which decides.
 */
async function checkOverlays(setup: CheckSetup, kata: Kata): Promise<OverlayOutcome[]> {
  const series: Series[] = []
  for (const overlay of overlaysOf(setup.catalog, kata)) {
    const s: Series = { overlay, verdicts: [], held: true, durationMs: 0, rejectedBy: [] }
    const changed = setup.overlays.layDown(kata, overlay)
    const r = await setup.pool.run(kata, setup.overlays.target, changed)
    record(s, r)
    if (overlay.kind === 'mutant') s.rejectedBy = r.tests.filter((t) => t.status === 'fail').map((t) => t.name)
    series.push(s)
  }
  if (setup.repeat <= 1) return series.map(outcome)

  const rejecting = [...new Set(series.filter((s) => s.held).flatMap((s) => s.rejectedBy))]
  const alone = rejecting.length ? await setup.pool.run(kata, setup.solutions, [], rejecting) : undefined
  const standalone = new Set(alone?.tests.filter((t) => t.status === 'pass').map((t) => t.name))
  for (const s of series) {
    if (!s.held) continue
    const changed = setup.overlays.layDown(kata, s.overlay)
    const only = s.rejectedBy.filter((name) => standalone.has(name))
    while (s.held && s.verdicts.length < setup.repeat) {
      // Every run invalidates: the pool may hand this run to a runner that last saw another overlay of this kata.
      if (only.length) {
        const r = await setup.pool.run(kata, setup.overlays.target, changed, only)
        const rejected = r.verdict === 'timeout' || r.verdict === 'oom' || r.tests.some((t) => t.status === 'fail' && only.includes(t.name))
        if (rejected) {
          s.verdicts.push(r.verdict)
          s.durationMs += r.durationMs
          continue
        }
        s.durationMs += r.durationMs
      }
      record(s, await setup.pool.run(kata, setup.overlays.target, changed))
    }
  }
  return series.map(outcome)
}

/** Adds a run to a series: whether it held (a mutant rejected, an alternative passed). */
function record(s: Series, r: KataResult) {
  s.verdicts.push(r.verdict)
  s.durationMs += r.durationMs
  const judged = judgeOverlayRun(s.overlay.kind, r)
  s.held = judged.held
  if (!s.held) s.detail = judged.detail
}

/** One run of an overlay on either track: a mutant holds when it is rejected, an alternative when it passes; and what to show when it does not. */
export function judgeOverlayRun(kind: 'mutant' | 'alternative', r: KataResult): { held: boolean; detail?: string } {
  const held = kind === 'mutant' ? r.verdict !== 'pass' && r.verdict !== 'unavailable' : r.verdict === 'pass'
  return held ? { held } : { held, detail: kind === 'alternative' ? `${r.message ?? ''}${failingTests(r)}` : r.message }
}

function outcome(s: Series): OverlayOutcome {
  const { overlay: o } = s
  return { kind: o.kind, name: o.name, about: o.about, mistake: o.mistake, runs: s.verdicts.length, held: s.held, verdicts: s.verdicts, detail: s.detail, durationMs: s.durationMs }
}

/** What to tell the author about a mutant that survived or an alternative that failed. */
export function overlayProblem(o: OverlayOutcome, say: VerifyProblems): string {
  const when = o.runs > 1 ? say.onRun(o.runs) : ''
  if (o.kind === 'mutant') return say.survives(o.name, when, o.mistake ?? '', o.about)
  return `${say.alternativeFails(o.name, o.about, when, o.verdicts.at(-1) ?? '')}${o.detail ? `\n      ${o.detail.trim()}` : ''}`
}

/** The first failing tests of a run, for a problem line. */
export function failingTests(r: KataResult): string {
  const failing = r.tests.filter((t) => t.status !== 'pass').map((t) => `"${t.name}": ${t.message ?? t.status}`)
  return failing.length ? `\n      ${failing.slice(0, 3).join('\n      ')}` : ''
}

/** The parts of the solution's test names with no Russian title in the kata's tests.ru.yaml (both tracks keep theirs there). */
export function untranslatedProblem(kata: Kata, solution: KataResult, say: VerifyProblems): string[] {
  const untranslated = untranslatedTitles(kata.suiteFile, solution.tests.map((t) => t.name))
  return untranslated.length ? [say.untranslated(untranslated.length, untranslated.slice(0, 3).map((t) => `"${t}"`).join(', '))] : []
}

/** More runnable work than cores over the last minute: a slow run then says nothing of the kata. */
export const machineBusy = () => loadavg()[0]! > availableParallelism()
