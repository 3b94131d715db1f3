import { passedCount } from '../results/model.ts'
import type { GradeReport } from '../results/submission.ts'

const ICON = { pass: '✅', fail: '❌', error: '💥', timeout: '⏱️', oom: '💥', unavailable: '⚠️' } as const
/**
 * A table cell from text the graded code may have written (failure messages quote its
 * values): HTML and Markdown that would render are escaped, so a message cannot draw a
 * fake score, a link or an image into the summary.
 */
const cell = (s: string) =>
  s
    .slice(0, 200)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]!#|~]/g, (c) => `\\${c}`)
    .replace(/\r?\n/g, ' ')

/** Markdown for `$GITHUB_STEP_SUMMARY`: the score, then one row per kata. */
export function stepSummary(report: GradeReport): string {
  const pct = report.maxScore ? Math.round((100 * report.score) / report.maxScore) : 0
  const lines = [
    `## roadmap: ${report.score}/${report.maxScore} points (${pct}%)`,
    '',
    '| | kata | tests | points | why |',
    '|---|---|---|---|---|',
    ...report.results.map((r) => {
      const firstFail = r.tests.find((t) => t.status === 'fail')
      const why = r.message ?? (firstFail ? `${firstFail.name}: ${firstFail.message ?? ''}` : '')
      return `| ${ICON[r.verdict]} | \`${r.id}\` ${cell(report.titles[r.id] ?? '')} | ${passedCount(r)}/${r.tests.length} | ${r.score}/${r.points} | ${cell(why)} |`
    }),
    '',
  ]
  return lines.join('\n')
}
