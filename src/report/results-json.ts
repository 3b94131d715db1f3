import type { KataResult, Verdict } from '../results/model.ts'
import type { GradeReport } from '../results/submission.ts'
import { localizeTodos } from '../i18n/todo.ts'

/** Exercism test-runner v3 statuses. */
type V3Status = 'pass' | 'fail' | 'error'
const statusOf = (v: Verdict): V3Status => (v === 'pass' ? 'pass' : v === 'fail' ? 'fail' : 'error')

/** The v3 limit on a test's `output`. */
export const OUTPUT_LIMIT = 500
const TRUNCATED = '\n… Output was truncated. Please limit to 500 chars'

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007]*\u0007/g
/** An absolute path (or file:// URL) up to a folder of a checkout or submission. */
const ABSOLUTE = /(?<![\w<>.~-])(?:file:\/\/)?(?:[A-Za-z]:)?(?:[\\/][^\s\\/'"`()<>:]+)*?[\\/](exercises|harness|solutions|node_modules|src)(?=[\\/])/g
const PLACE: Record<string, string> = { exercises: '<submission>/exercises', harness: '<roadmap>/harness', solutions: '<roadmap>/solutions', node_modules: '<roadmap>/node_modules', src: '<roadmap>/src' }

/**
 * Text for the report as the v3 spec asks: no terminal colours, and paths relative to
 * the submission (`<submission>/exercises/…`) instead of the grader's absolute ones.
 * A starter's bilingual TODO keeps its English line: the report is machine-readable.
 */
export function clean(text: string): string {
  return localizeTodos(text, 'en').replace(ANSI, '').replace(ABSOLUTE, (_, dir: string) => PLACE[dir]!)
}

/** A test's output: cleaned, and at most 500 characters with the note the spec suggests. */
export function limitOutput(text: string | undefined | null): string | null {
  if (!text) return null
  const c = clean(text)
  return c.length <= OUTPUT_LIMIT ? c : c.slice(0, OUTPUT_LIMIT - TRUNCATED.length) + TRUNCATED
}

const WHY: Record<Verdict, string> = {
  pass: 'passed',
  fail: 'failed',
  error: 'could not run',
  timeout: 'ran out of time',
  oom: 'ran out of memory',
  unavailable: 'a service it needs was missing',
}

/**
 * `results.json` in the Exercism test-runner v3 format (version, status, message,
 * tests[] with name, status, message, output, test_code), extended with fields v3 does
 * not have: score, max_score, duration_ms, started_at and the per-kata detail under `katas`.
 * A kata is not a v3 "task" (tasks are numbered headings of one exercise's
 * instructions), so tests carry no task_id; the kata id starts each test's name.
 * test_code is the command that runs the test: the suites are hidden from learners.
 */
export function resultsJson(report: GradeReport) {
  const kataEntry = (r: KataResult) => ({
    id: r.id,
    name: report.titles[r.id] ?? r.id,
    status: statusOf(r.verdict),
    verdict: r.verdict,
    score: r.score,
    max_score: r.points,
    message: r.message ? clean(r.message) : null,
    output: limitOutput(r.output),
    duration_ms: r.durationMs,
    tests: r.tests.map((t) => ({
      name: t.name,
      status: t.status === 'skip' ? ('error' as const) : t.status,
      // A test that did not run says why: the kata's reason, or that the run stopped before it.
      message: t.message ? clean(t.message) : t.status === 'skip' ? `did not run: ${r.message ? clean(r.message) : `the kata ${WHY[r.verdict]} before this test`}` : null,
      output: limitOutput(t.output),
      duration_ms: t.durationMs,
    })),
  })
  const katas = report.results.map(kataEntry)
  const unavailable = report.results.filter((r) => r.verdict === 'unavailable')
  const tests = katas.flatMap((k) =>
    k.tests.length && k.verdict !== 'timeout' && k.verdict !== 'unavailable'
      ? k.tests.map((t) => ({ name: `${k.id} > ${t.name}`, status: t.status, message: t.message, output: t.output, test_code: `roadmap run ${k.id}`, duration_ms: t.duration_ms }))
      : // A kata that could not run at all is one errored test, so it is never silently absent.
        [{ name: k.id, status: k.status, message: k.message ?? `${k.id} ${WHY[k.verdict]}`, output: k.output, test_code: `roadmap run ${k.id}`, duration_ms: k.duration_ms }],
  )
  // v3: `error` when no test ran (a syntax error, a missing file), with a message saying why.
  const nothingRan = tests.length > 0 && tests.every((t) => t.status === 'error')
  const status: V3Status = report.status === 'error' || nothingRan ? 'error' : report.status
  const message = report.tampered?.length
    ? `Not graded: the submission changed harness files during grading (${report.tampered.join(', ')}); they were restored`
    : unavailable.length
      ? `Not graded, a service was missing: ${unavailable.map((r) => `${r.id}: ${clean(r.message ?? '')}`).join('; ')}`
      : nothingRan
        ? `No test ran: ${katas.map((k) => `${k.id}: ${k.message ?? WHY[k.verdict]}`).join('; ')}`
        : null
  return {
    version: 3,
    status,
    message,
    score: report.score,
    max_score: report.maxScore,
    duration_ms: report.durationMs,
    started_at: report.startedAt,
    tests,
    katas,
  }
}
