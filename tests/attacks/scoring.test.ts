import { describe, expect, it } from 'vitest'
import { scoreOf, type TestOutcome } from '../../src/results/model.ts'

const t = (status: TestOutcome['status']): TestOutcome => ({ name: status, status, durationMs: 0 })

// Graded code can mark the tests it cannot pass as skipped (a thrown pending error, a
// flag set at run time): partial credit left them out, and 1 real pass of 27 made 14/15.
describe('skipped tests count as failed', () => {
  it('in partial credit', () => {
    expect(scoreOf('fail', [t('pass'), t('skip'), t('skip')], 10, true)).toBe(3)
    expect(scoreOf('fail', [t('pass'), ...Array.from({ length: 26 }, () => t('skip'))], 15, true)).toBe(0)
  })
  it('a run of only skipped tests earns nothing', () => {
    expect(scoreOf('fail', [t('skip'), t('skip')], 10, true)).toBe(0)
  })
})
