import { mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { scoreOf, type KataResult, type TargetKind, type TestOutcome } from '../../results/model.ts'
import { hiddenTests, writeOverlay } from './overlay.ts'
import { trimRaceReport, withRaceReport } from './race.ts'
import { buildFailure, capMessage, outcomesOf, packageOutput, readEvents } from './test2json.ts'
import { verdictOf } from './verdict.ts'
import { requireGo } from './toolchain.ts'
import { isolatedExec } from './isolated-exec.ts'
import { policyMessage, policyViolations } from './policy.ts'
import { goCommand, relativize, type GoCommandRun } from './go-command.ts'
import type { Principal } from '../privileges.ts'

/** One Go-native grading: the hidden `_test.go` files laid over the learner's package. */
export interface GoKataRun {
  id: string
  target: TargetKind
  /** The learner's Go package (holds go.mod), e.g. exercises/00-start/01-first-verdict/go. */
  packageDir: string
  /** The folder of the hidden `_test.go` files, e.g. harness/00-start/01-first-verdict/go. */
  testsDir: string
  /** File name in the package → file laid over it (verify lays a mutant over the solution). */
  replace?: Record<string, string>
  budgetMs: number
  points?: number
  partialCredit?: boolean
  /** Added on top of what go may see of the grader's environment: the kata's service URLs (DATABASE_URL, …). */
  env?: Record<string, string>
  /** The OS user the test binary runs as (grade): built by the grader, run as this principal. */
  principal?: Principal
}

/** `go test -race -json` of the package, with the overlay (hidden tests, mutant files) laid over it. */
function goTest(go: string, packageDir: string, overlay: string, budgetMs: number, extraEnv: Record<string, string> = {}, exec?: string): Promise<GoCommandRun> {
  // -count=1: a cached "ok" would not run the learner's code at all.
  // -exec: the test binary starts through isolatedExec, as the run's own user.
  return goCommand(go, ['test', '-race', '-json', '-count=1', '-overlay', overlay, ...(exec ? ['-exec', exec] : []), './...'], { cwd: packageDir, budgetMs, env: extraEnv })
}

/** Grades one Go-native kata with `go test -race -json` and reads the events into the result model. */
export async function runGoKata(run: GoKataRun): Promise<KataResult> {
  const go = requireGo()
  const started = Date.now()
  // go matches overlay entries against the real path of the folder it runs in.
  const packageDir = realpathSync(resolve(run.packageDir))
  const hidden = hiddenTests(resolve(run.testsDir), (f) => readFileSync(f, 'utf8'))
  // Refused before any of it runs: what could end or rewrite the test run (see policy.ts).
  const refused = await policyViolations(go, packageDir, Object.fromEntries(Object.entries(run.replace ?? {}).map(([name, file]) => [name, resolve(file)])))
  if (refused.length) {
    const points = run.points ?? 1
    return { id: run.id, target: run.target, verdict: 'error', tests: [], message: policyMessage(refused), durationMs: Date.now() - started, points, score: 0, finishedAt: new Date().toISOString() }
  }
  const scratch = mkdtempSync(join(tmpdir(), 'roadmap-go-'))
  const overlayFile = join(scratch, 'overlay.json')
  const replace = Object.fromEntries(Object.entries(run.replace ?? {}).map(([name, file]) => [name, resolve(file)]))
  let outcome: GoCommandRun
  let shownAs: Map<string, string>
  let isolated: ReturnType<typeof isolatedExec> | undefined
  try {
    shownAs = writeOverlay(overlayFile, packageDir, hidden, replace)
    isolated = run.principal ? isolatedExec(run.principal) : undefined
    outcome = await goTest(go, packageDir, overlayFile, run.budgetMs, run.env, isolated?.wrapper)
  } finally {
    rmSync(scratch, { recursive: true, force: true })
    if (isolated) rmSync(isolated.dir, { recursive: true, force: true })
  }
  const shown = (s: string) => relativize(s, packageDir, shownAs)
  const { events, stray } = readEvents(outcome.stdout)
  const unfinished = outcome.timedOut ? `stopped: the run went past its budget of ${run.budgetMs} ms` : 'did not finish: the test binary stopped before this test ended'
  const runOutput = events.flatMap((e) => (e.Action === 'output' && e.Output ? [e.Output] : [])).join('')
  const tidy = (m: string) => capMessage(trimRaceReport(shown(withRaceReport(m, runOutput))))
  const tests: TestOutcome[] = outcomesOf(events, unfinished).map((t) => (t.message ? { ...t, message: tidy(t.message) } : t))
  const printed = capMessage(trimRaceReport(shown(packageOutput(events))))

  const built = buildFailure(events)
  const { verdict, message } = verdictOf({
    timedOut: outcome.timedOut,
    budgetMs: run.budgetMs,
    built: built === undefined ? undefined : capMessage(shown(built)),
    refused: events.length ? undefined : shown([...stray, outcome.stderr].join('\n').trim()) || `go test exited with code ${outcome.code}`,
    tests,
    exitedCleanly: outcome.code === 0 && events.some((e) => e.Action === 'pass' && !e.Test),
    exitCode: outcome.code,
    printed,
    expected: hidden.names,
  })
  const points = run.points ?? 1
  return {
    id: run.id,
    target: run.target,
    verdict,
    tests,
    ...(message ? { message } : {}),
    ...(printed ? { output: printed } : {}),
    durationMs: Date.now() - started,
    points,
    score: scoreOf(verdict, tests, points, run.partialCredit ?? false),
    finishedAt: new Date().toISOString(),
  }
}
