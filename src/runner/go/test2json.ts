import type { TestOutcome } from '../../results/model.ts'

/** One line of `go test -json` (cmd/test2json, plus the build events of Go 1.24+). */
export interface GoTestEvent {
  Action: 'start' | 'run' | 'pause' | 'cont' | 'pass' | 'fail' | 'skip' | 'bench' | 'output' | 'build-output' | 'build-fail'
  Package?: string
  ImportPath?: string
  Test?: string
  Output?: string
  Elapsed?: number
  FailedBuild?: string
}

/** The JSON events of a `go test -json` stream, and the lines that were not events (go's own errors). */
export function readEvents(stdout: string): { events: GoTestEvent[]; stray: string[] } {
  const events: GoTestEvent[] = []
  const stray: string[] = []
  for (const line of stdout.split('\n')) {
    if (!line.trim()) continue
    try {
      const e = JSON.parse(line) as GoTestEvent
      if (typeof e === 'object' && e !== null && typeof e.Action === 'string') events.push(e)
      else stray.push(line)
    } catch {
      stray.push(line)
    }
  }
  return { events, stray }
}

// The testing package's own lines, which say nothing the status does not.
const FRAMING = /^\s*(=== (RUN|PAUSE|CONT|NAME)|--- (PASS|FAIL|SKIP):)\s/
const MAX_MESSAGE_LINES = 60
const MAX_MESSAGE_CHARS = 6000

/** What a failed test printed, framing lines dropped and indentation evened. */
export function messageOf(lines: string[]): string | undefined {
  const kept = lines.join('').split('\n').filter((l) => l.trim() && !FRAMING.test(l))
  if (!kept.length) return undefined
  const indent = Math.min(...kept.map((l) => /^\s*/.exec(l)![0].length))
  return kept.map((l) => l.slice(indent)).join('\n')
}

/** A message cut to what a screen shows (a test can print without end). */
export function capMessage(text: string): string {
  let lines = text.split('\n')
  if (lines.length > MAX_MESSAGE_LINES) lines = [...lines.slice(0, MAX_MESSAGE_LINES), `… ${lines.length - MAX_MESSAGE_LINES} more lines`]
  const capped = lines.join('\n')
  return capped.length > MAX_MESSAGE_CHARS ? `${capped.slice(0, MAX_MESSAGE_CHARS)}…` : capped
}

interface Tracked {
  name: string
  status?: 'pass' | 'fail' | 'skip'
  /** Results seen for it: the testing package gives one; more is output that imitates it. */
  results: number
  output: string[]
  elapsed: number
  hasSubtests: boolean
}

const FORGED = 'this test was reported more than once: the code under test printed lines that imitate the testing package\'s results'

/** The graded view of the tests: Go's "Parent/sub" becomes "Parent > sub". */
export const displayName = (goName: string) => goName.split('/').join(' > ')

/**
 * Tests and subtests as the result model's outcomes. A parent whose subtests are
 * reported stands only for a failure of its own (t.Fatal before its t.Run calls);
 * a test that started and never ended (the binary crashed or was stopped) failed.
 */
export function outcomesOf(events: GoTestEvent[], unfinished: string): TestOutcome[] {
  const tests = new Map<string, Tracked>()
  const track = (name: string) => {
    let t = tests.get(name)
    if (!t) tests.set(name, (t = { name, output: [], elapsed: 0, hasSubtests: false, results: 0 }))
    return t
  }
  for (const e of events) {
    if (!e.Test) continue
    const t = track(e.Test)
    const parent = e.Test.includes('/') ? e.Test.slice(0, e.Test.lastIndexOf('/')) : undefined
    if (parent) track(parent).hasSubtests = true
    if (e.Action === 'output' && e.Output) t.output.push(e.Output)
    if (e.Action === 'pass' || e.Action === 'fail' || e.Action === 'skip') {
      // A forged "--- PASS" followed by the real result: the worst of them stands.
      t.results++
      t.status = t.status === 'fail' ? 'fail' : e.Action
      t.elapsed = e.Elapsed ?? 0
    }
  }
  const outcomes: TestOutcome[] = []
  for (const t of tests.values()) {
    const message = messageOf(t.output)
    if (t.hasSubtests && !(t.status === 'fail' && message)) continue
    const forged = t.results > 1
    const status = forged ? 'fail' : (t.status ?? 'fail')
    const said = forged ? FORGED : t.status ? (message ?? 'failed') : `${unfinished}${message ? `\n${message}` : ''}`
    outcomes.push({
      name: displayName(t.name),
      status,
      ...(status === 'fail' ? { message: said } : {}),
      durationMs: Math.round(t.elapsed * 1000),
    })
  }
  return outcomes
}

/** The compiler's words when the test binary could not be built, or undefined when it was. */
export function buildFailure(events: GoTestEvent[]): string | undefined {
  const failed = events.some((e) => e.Action === 'build-fail' || (e.Action === 'fail' && e.FailedBuild))
  if (!failed) return undefined
  const lines = events
    .filter((e) => e.Action === 'build-output' && e.Output)
    .flatMap((e) => e.Output!.split('\n'))
    .filter((l) => l.trim() && !l.startsWith('# '))
  return lines.join('\n') || 'the package did not build'
}

/** What the package printed outside any test (a panic in init, go's summary lines dropped). */
export function packageOutput(events: GoTestEvent[]): string {
  return events
    .filter((e) => e.Action === 'output' && !e.Test && e.Output)
    .map((e) => e.Output!)
    .filter((l) => !/^(PASS|FAIL|ok\s|FAIL\s|coverage:)/.test(l))
    .join('')
    .trim()
}
