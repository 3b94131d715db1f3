import { describe, expect, it } from 'vitest'
import { junitXml } from '../src/report/junit.ts'
import { resultsJson } from '../src/report/results-json.ts'
import { stepSummary } from '../src/report/step-summary.ts'
import { scoreOf, type KataResult, type TestOutcome } from '../src/results/model.ts'
import { summarize } from '../src/results/submission.ts'

const t = (name: string, status: TestOutcome['status'], message?: string): TestOutcome => ({ name, status, message, durationMs: 2 })
const kata = (id: string, verdict: KataResult['verdict'], tests: TestOutcome[], points = 10, message?: string): KataResult => ({
  id,
  target: 'submission',
  verdict,
  tests,
  message,
  durationMs: 5,
  points,
  score: scoreOf(verdict, tests, points, false),
  finishedAt: '2026-01-01T00:00:00.000Z',
})

describe('scores', () => {
  it('gives full points only for a pass', () => {
    expect(scoreOf('pass', [t('a', 'pass')], 10, false)).toBe(10)
    expect(scoreOf('fail', [t('a', 'pass'), t('b', 'fail')], 10, false)).toBe(0)
  })
  it('gives partial credit when the kata allows it, never full points with a failing test', () => {
    expect(scoreOf('fail', [t('a', 'pass'), t('b', 'fail')], 10, true)).toBe(5)
    expect(scoreOf('fail', [...Array.from({ length: 99 }, (_, i) => t(`${i}`, 'pass')), t('x', 'fail')], 10, true)).toBe(9)
    expect(scoreOf('timeout', [t('a', 'pass')], 10, true)).toBe(0)
  })
})

describe('results.json', () => {
  const report = summarize(
    [kata('a/one', 'pass', [t('works', 'pass')]), kata('a/two', 'fail', [t('adds', 'pass'), t('subtracts', 'fail', 'expected 1 to be 2')]), kata('a/three', 'timeout', [], 5, 'took too long')],
    { 'a/one': 'One', 'a/two': 'Two', 'a/three': 'Three' },
    '2026-01-01T00:00:00.000Z',
    42,
  )
  const json = resultsJson(report)

  it('is shaped like Exercism v3 with points and score', () => {
    expect(json.version).toBe(3)
    expect(json.status).toBe('fail')
    expect(json.score).toBe(10)
    expect(json.max_score).toBe(25)
    expect(json.tests.map((x) => [x.name, x.status])).toEqual([
      ['a/one > works', 'pass'],
      ['a/two > adds', 'pass'],
      ['a/two > subtracts', 'fail'],
      ['a/three', 'error'],
    ])
  })

  it('has per-kata and per-test name, status, message, output and duration', () => {
    const two = json.katas.find((k) => k.id === 'a/two')!
    expect(two).toMatchObject({ name: 'Two', status: 'fail', score: 0, max_score: 10, duration_ms: 5 })
    expect(two.tests[1]).toEqual({ name: 'subtracts', status: 'fail', message: 'expected 1 to be 2', output: null, duration_ms: 2 })
  })

  it('follows the v3 spec per test: name, status, test_code, no string task_id, a message on every errored test', () => {
    for (const x of json.tests) {
      expect(Object.keys(x).sort()).toEqual(['duration_ms', 'message', 'name', 'output', 'status', 'test_code'])
      expect(x.test_code).toMatch(/^roadmap run a\/(one|two|three)$/)
      if (x.status === 'error') expect(x.message, x.name).toBeTruthy()
    }
    const stopped = resultsJson(summarize([kata('a/one', 'fail', [t('first', 'fail', 'boom'), t('second', 'skip')])], {}, '', 1))
    expect(stopped.tests[1]).toMatchObject({ status: 'error', message: 'did not run: the kata failed before this test' })
  })

  it('is an error with a message when no test ran (a syntax error stopped the only kata)', () => {
    const broken = kata('a/one', 'error', [], 10, 'SyntaxError: Unexpected token (3:5) in /tmp/roadmap-sandbox-ab12/exercises/00-a/01-one/one.ts')
    const r = resultsJson(summarize([broken], { 'a/one': 'One' }, '', 1))
    expect(r.status).toBe('error')
    expect(r.message).toMatch(/^No test ran: a\/one: SyntaxError: Unexpected token \(3:5\) in <submission>\/exercises\/00-a\/01-one\/one\.ts$/)
    expect(r.tests).toEqual([expect.objectContaining({ name: 'a/one', status: 'error', message: expect.stringMatching(/SyntaxError/) })])
  })

  it('keeps output within 500 characters, without terminal colours or the grader\'s absolute paths', () => {
    const noisy = { ...kata('a/one', 'fail', [{ ...t('prints', 'fail', '\u001b[31mexpected\u001b[39m at /work/main/harness/00-a/01-one/kata.test.ts:4:1'), output: `\u001b[2m${'log line /tmp/sandbox-x/exercises/00-a/01-one/one.ts\n'.repeat(100)}\u001b[22m` }]) }
    const r = resultsJson(summarize([noisy], {}, '', 1))
    const test = r.tests[0]!
    expect(test.output!.length).toBeLessThanOrEqual(500)
    expect(test.output).toMatch(/Output was truncated\. Please limit to 500 chars$/)
    expect(test.output).toContain('<submission>/exercises/00-a/01-one/one.ts')
    expect(JSON.stringify(r)).not.toMatch(/\\u001b|\/tmp\/|\/work\/main/)
    expect(test.message).toBe('expected at <roadmap>/harness/00-a/01-one/kata.test.ts:4:1')
  })

  it('is an error, not a failure, when a service was missing', () => {
    const r = summarize([kata('a/one', 'unavailable', [], 10, 'Redis is not reachable')], {}, '', 1)
    expect(r.status).toBe('error')
    expect(resultsJson(r).message).toMatch(/Redis is not reachable/)
  })
})

describe('JUnit XML and step summary', () => {
  const report = summarize([kata('a/one', 'pass', [t('works', 'pass')]), kata('a/two', 'fail', [t('subtracts <b>', 'fail', 'expected "1" & 2')])], { 'a/one': 'One', 'a/two': 'Two' }, '', 1)

  it('writes a testsuite per kata and escapes what it must', () => {
    const xml = junitXml(report)
    expect(xml).toContain('<testsuite name="a/one"')
    expect(xml).toMatch(/<testcase classname="a\/two" name="subtracts &lt;b>"/)
    expect(xml).toContain('<failure message="expected &quot;1&quot; &amp; 2"')
  })

  it('summarises score and each kata for GitHub', () => {
    const md = stepSummary(report)
    expect(md).toContain('## roadmap: 10/20 points (50%)')
    // HTML in a test name or message is escaped: the step summary renders Markdown with HTML.
    expect(md).toContain('| ❌ | `a/two` Two | 0/1 | 0/10 | subtracts &lt;b&gt;: expected "1" &amp; 2 |')
  })
})
