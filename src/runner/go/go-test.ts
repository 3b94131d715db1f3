import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { scoreOf, type KataResult, type TargetKind, type TestOutcome } from '../../results/model.ts'
import { hiddenTests, writeOverlay } from './overlay.ts'
import { trimRaceReport, withRaceReport } from './race.ts'
import { buildFailure, capMessage, outcomesOf, packageOutput, readEvents } from './test2json.ts'
import { verdictOf } from './verdict.ts'
import { requireGo } from './toolchain.ts'
import { goEnv } from './go-env.ts'
import { isolatedExec } from './isolated-exec.ts'
import { policyMessage, policyViolations } from './policy.ts'
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

// More than any kata prints; past it the stream is cut (and the run likely stopped).
const MAX_STDOUT = 16 << 20
const MAX_STDERR = 64 << 10

interface GoTestRun {
  stdout: string
  stderr: string
  code: number | null
  timedOut: boolean
}

function goTest(go: string, packageDir: string, overlay: string, budgetMs: number, extraEnv: Record<string, string> = {}, exec?: string): Promise<GoTestRun> {
  return new Promise((done, fail) => {
    // -count=1: a cached "ok" would not run the learner's code at all.
    // -exec: the test binary starts through isolatedExec, as the run's own user.
    const child = spawn(go, ['test', '-race', '-json', '-count=1', '-overlay', overlay, ...(exec ? ['-exec', exec] : []), './...'], {
      cwd: packageDir,
      // Its own process group: on timeout the go command, the compiler and the test binary all go.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      // GOTOOLCHAIN=local: a learner's go.mod must not make the grader download a toolchain.
      // GOWORK=off: a go.work above the folder must not pull other modules in.
      // Only what go needs of the grader's environment: see goEnv; then the kata's service URLs.
      env: { ...goEnv(process.env), ...extraEnv, PWD: packageDir, GOTOOLCHAIN: 'local', GOWORK: 'off' },
    })
    let stdout = ''
    let stderr = ''
    let timedOut = false
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      if (stdout.length < MAX_STDOUT) stdout += s
    })
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      if (stderr.length < MAX_STDERR) stderr += s
    })
    const timer = setTimeout(() => {
      timedOut = true
      try {
        process.kill(-child.pid!, 'SIGKILL')
      } catch {
        // already gone
      }
    }, budgetMs)
    child.on('error', (err) => {
      clearTimeout(timer)
      fail(err)
    })
    child.on('close', (code) => {
      clearTimeout(timer)
      done({ stdout, stderr, code, timedOut })
    })
  })
}

/** Absolute paths in go's messages, shown as the file names the learner knows. */
function relativize(text: string, packageDir: string, shownAs: Map<string, string>): string {
  let out = text
  for (const [source, name] of shownAs) out = out.split(source).join(name)
  return out.split(`${packageDir}/`).join('').replace(/(^|\s)\.\/(?=\S+\.go:)/gm, '$1')
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
  let outcome: GoTestRun
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
