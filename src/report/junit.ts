import junitModule, { type Builder } from 'junit-report-builder'

// A CommonJS package: its default export arrives wrapped or not, depending on the loader.
const junit = ((junitModule as unknown as { default?: Builder }).default ?? junitModule) as unknown as Builder
import type { GradeReport } from '../results/submission.ts'
import { localizeTodos } from '../i18n/todo.ts'

/** JUnit XML: a testsuite per kata, a testcase per test; a kata that could not run is one errored case. */
export function junitXml(report: GradeReport): string {
  const builder = junit.newBuilder().name('roadmap')
  for (const r of report.results) {
    const suite = builder.testSuite().name(r.id).time(r.durationMs / 1000).property('score', `${r.score}/${r.points}`)
    if (r.verdict === 'timeout' || r.verdict === 'unavailable' || r.verdict === 'error' || r.tests.length === 0) {
      suite.testCase().className(r.id).name(report.titles[r.id] ?? r.id).error(localizeTodos(r.message, 'en') ?? r.verdict, r.verdict)
      if (r.verdict === 'error' || r.verdict === 'unavailable' || r.tests.length === 0) continue
    }
    for (const t of r.tests) {
      const c = suite.testCase().className(r.id).name(t.name).time(t.durationMs / 1000)
      if (t.status === 'fail') c.failure(localizeTodos(t.message, 'en') ?? 'failed', 'AssertionError').stacktrace(t.diff)
      if (t.status === 'skip') c.skipped()
      if (t.output) c.standardOutput(t.output)
    }
  }
  return builder.build()
}
