import { appendFileSync } from 'node:fs'
import type { Reporter, TestCase, TestModule } from 'vitest/node'

/**
 * CI only: one line per finished test (and per test file that failed to load), appended as
 * it happens to the file in ROADMAP_CI_TALLY. If the run is stopped at CI's deadline the
 * JSON report is never written; this tally still says how many tests passed and failed.
 */
export default class TallyReporter implements Reporter {
  private readonly file = process.env.ROADMAP_CI_TALLY

  onTestCaseResult(test: TestCase): void {
    const state = test.result().state
    if (state === 'passed' || state === 'failed') this.write(`${state} ${test.module.moduleId} > ${test.fullName}`)
  }

  onTestModuleEnd(module: TestModule): void {
    if (module.state() === 'failed' && module.errors().length > 0) this.write(`failed ${module.moduleId} (did not load)`)
  }

  private write(line: string): void {
    if (this.file) appendFileSync(this.file, `${line.replace(/\n/g, ' ')}\n`)
  }
}
