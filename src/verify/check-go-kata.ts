import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { GO_ALTERNATIVES_DIR, GO_DIR, GO_MUTANTS_DIR } from '../catalog/go-track.ts'
import type { Catalog, Kata } from '../catalog/types.ts'
import type { Lang } from '../i18n/lang.ts'
import { goVerifyProblems } from '../i18n/go-verify-messages.ts'
import { verifyProblems } from '../i18n/verify-messages.ts'
import type { KataResult } from '../results/model.ts'
import { runGoTrack, type WireSuite } from '../runner/go/track-run.ts'
import { WireSuites } from '../runner/go/wire-suites.ts'
import type { ServiceAccess } from '../services/access.ts'
import { readConfigFile } from '../services/config-file.ts'
import { Services } from '../services/services.ts'
import { exercisesTarget, solutionsTarget, type Target } from '../runner/target.ts'
import { failingTests, judgeOverlayRun, machineBusy, overlayProblem, untranslatedProblem, type KataCheck, type OverlayOutcome } from './check-kata.ts'

/** The fewest Go mutants a kata may have. */
export const MIN_GO_MUTANTS = 3
/** The fewest Go hints: the TypeScript ones are not shown in the Go track. */
export const MIN_GO_HINTS = 2

const squash = (text: string) => text.replace(/\s+/g, ' ').trim()

/** A go-mutant or go-alternative ready to run: its files laid over the solution's. */
interface GoOverlay {
  kind: 'mutant' | 'alternative'
  name: string
  about: string
  mistake?: string
  replace: Record<string, string>
}

const gradeGo = (catalog: Catalog, kata: Kata, target: Target, services: ServiceAccess, wire: WireSuite | undefined, replace?: Record<string, string>) =>
  runGoTrack(catalog.root, kata, target, { services, ...(wire ? { wire } : {}), ...(replace ? { replace } : {}) })

const filesIn = (dir: string) => (existsSync(dir) && statSync(dir).isDirectory() ? readdirSync(dir).filter((f) => statSync(join(dir, f)).isFile()) : [])

/**
 * The Go track of a kata is sound when its solution passes, its starter fails (without
 * hanging), no test passes on both, every go-mutant is rejected and every go-alternative
 * passes on every one of `repeat` runs, each mutant's `breaks` is quoted from go/README.md, and the statement exists in
 * both languages.
 */
export async function checkGoKata(catalog: Catalog, kata: Kata, repeat: number, lang: Lang, services: ServiceAccess, wire?: WireSuite): Promise<KataCheck> {
  const say = verifyProblems(lang)
  const sayGo = goVerifyProblems(lang)
  const go = kata.go!
  const [solution, starter] = await Promise.all([gradeGo(catalog, kata, solutionsTarget(catalog), services, wire), gradeGo(catalog, kata, exercisesTarget(catalog), services, wire)])
  const problems: string[] = []
  const overlays: OverlayOutcome[] = []
  let skipped = solution.verdict === 'unavailable' || starter.verdict === 'unavailable'
  const statementDir = join(catalog.root, 'exercises', kata.dir, GO_DIR)
  for (const readme of ['README.md', 'README.ru.md']) {
    const file = join(statementDir, readme)
    if (!existsSync(file) || !readFileSync(file, 'utf8').trim()) problems.push(sayGo.noStatement(`exercises/${kata.dir}/${GO_DIR}/${readme}`))
  }
  if (!skipped) {
    if (solution.verdict !== 'pass') problems.push(say.solutionFails(solution.verdict, `${solution.message ? `: ${solution.message}` : ''}${failingTests(solution)}`))
    if (starter.verdict === 'pass') problems.push(say.starterPasses)
    if (starter.verdict === 'timeout') problems.push(say.starterHangs)
    const solved = new Set(solution.tests.filter((t) => t.status === 'pass').map((t) => t.name))
    const free = starter.tests.filter((t) => t.status === 'pass' && solved.has(t.name)).map((t) => `"${t.name}"`)
    if (free.length) problems.push(say.freeTests(free.length, free.slice(0, 3).join(', ')))
    // go test's names (TestX > sub_test) get their Russian titles in the kata's tests.ru.yaml too.
    if (solution.verdict === 'pass') problems.push(...untranslatedProblem(kata, solution, say))
    // Advice to the author, not a verdict: on a busy machine a run is slow for reasons of its own.
    if (solution.verdict === 'pass' && solution.durationMs > go.budgetMs * 0.8 && !machineBusy()) problems.push(say.tooSlow(solution.durationMs, go.budgetMs))
  }
  if (go.mutants.length < MIN_GO_MUTANTS) problems.push(sayGo.tooFewMutants(go.mutants.length, MIN_GO_MUTANTS))
  if (go.hints.length < MIN_GO_HINTS) problems.push(sayGo.tooFewHints(go.hints.length, MIN_GO_HINTS))
  const statementFile = join(statementDir, 'README.md')
  const statement = existsSync(statementFile) ? squash(readFileSync(statementFile, 'utf8')) : ''
  const runnable: GoOverlay[] = []
  for (const [kind, folder, declaredOnes] of [
    ['mutant', GO_MUTANTS_DIR, go.mutants.map((m) => ({ name: m.name, about: m.breaks, mistake: m.mistake }))],
    ['alternative', GO_ALTERNATIVES_DIR, go.alternatives.map((a) => ({ name: a.name, about: a.design }))],
  ] as const) {
    const base = join(catalog.root, 'harness', kata.dir, folder)
    for (const o of declaredOnes) {
      const label = say.overlay(kind, o.name)
      if (kind === 'mutant' && !statement.includes(squash(o.about))) problems.push(sayGo.notQuoted(label, o.about))
      const dir = join(base, o.name)
      const files = filesIn(dir)
      if (!files.length) problems.push(say.overlayMissing(label, `${folder}/${o.name}/`))
      const strangers = files.filter((f) => !go.files.includes(f))
      for (const f of strangers) problems.push(say.notLearnerFile(label, f, go.files.join(', ')))
      if (files.length && !strangers.length) runnable.push({ kind, ...o, replace: Object.fromEntries(files.map((f) => [f, join(dir, f)])) })
    }
    const declared = new Set(declaredOnes.map((o) => o.name))
    if (existsSync(base)) for (const d of readdirSync(base)) if (!declared.has(d)) problems.push(sayGo.undeclared(folder, kind, d))
  }
  // Mutants and alternatives are laid over the solution: only a passing solution makes their verdicts mean something.
  if (!skipped && solution.verdict === 'pass') {
    for (const o of runnable) {
      const outcome: OverlayOutcome = { kind: o.kind, name: o.name, about: o.about, ...(o.mistake ? { mistake: o.mistake } : {}), runs: 0, held: true, verdicts: [], durationMs: 0 }
      while (outcome.held && outcome.runs < repeat) {
        const r = await gradeGo(catalog, kata, solutionsTarget(catalog), services, wire, o.replace)
        outcome.runs++
        outcome.verdicts.push(r.verdict)
        outcome.durationMs += r.durationMs
        const judged = judgeOverlayRun(o.kind, r)
        outcome.held = judged.held
        if (!outcome.held) outcome.detail = judged.detail
      }
      overlays.push(outcome)
      if (outcome.verdicts.includes('unavailable')) skipped = true
      else if (!outcome.held) problems.push(overlayProblem(outcome, say))
    }
  }
  const durationMs = solution.durationMs + starter.durationMs + overlays.reduce((s, o) => s + o.durationMs, 0)
  return { id: kata.id, solution, starter, overlays, problems, skipped, durationMs }
}


/**
 * Checks the Go track of katas, `jobs` at a time (each `go test -race` uses several cores
 * already). The services they need are resolved once, as for the TypeScript track, and
 * stopped after.
 */
export async function checkGoKatas(catalog: Catalog, katas: Kata[], repeat: number, lang: Lang, jobs: number, onCheck: (c: KataCheck) => void): Promise<KataCheck[]> {
  const checks: KataCheck[] = new Array(katas.length)
  // roadmap.config.yaml of the catalog's root, as `openContext` read it for the TypeScript track.
  const services = await Services.resolve(katas.flatMap((k) => k.services), { root: catalog.root, config: readConfigFile(catalog.root) })
  // Wire katas run their Vitest suite against the built program: runners start on the first one.
  const wire = new WireSuites(catalog, services.access(), Math.max(1, jobs))
  let next = 0
  const worker = async () => {
    while (next < katas.length) {
      const i = next++
      checks[i] = await checkGoKata(catalog, katas[i]!, repeat, lang, services.access(), wire.run)
      onCheck(checks[i]!)
    }
  }
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, katas.length)) }, worker))
  } finally {
    await wire.close()
    await services.close()
  }
  return checks
}
