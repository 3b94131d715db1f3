import type { Kata } from '../catalog/types.ts'
import type { Lang } from '../i18n/lang.ts'
import { messages } from '../i18n/messages.ts'
import { localizeTodos } from '../i18n/todo.ts'
import { testMessage, testTitle } from '../i18n/test-names.ts'
import { passedCount, type KataResult } from '../results/model.ts'
import { diffLineColor, paint, verdictColor, verdictMark } from './style.ts'

const indent = (s: string, pad = '    ') => s.split('\n').map((l) => pad + l).join('\n')

/** One line: mark, id, verdict, tests, time. */
export function resultLine(r: KataResult, lang: Lang): string {
  const m = messages(lang)
  const mark = paint(verdictColor[r.verdict], verdictMark[r.verdict])
  const tests = r.tests.length ? `  ${m.tests(passedCount(r), r.tests.length)}` : ''
  return `${mark} ${r.id}  ${paint(verdictColor[r.verdict], m.verdict[r.verdict])}${tests}  ${paint('dim', `${r.durationMs} ms`)}`
}

/** A colourless rendering of a diff line by line, coloured for a terminal. */
function paintDiff(diff: string): string {
  return diff
    .split('\n')
    .map((l) => {
      const color = diffLineColor(l)
      return color ? paint(color, l) : l
    })
    .join('\n')
}

/**
 * The full story of one run, for `roadmap run` and plain watch mode: the verdict,
 * why the run failed as a whole, then the first failing tests with their diffs.
 */
export function resultDetails(r: KataResult, kata: Kata | undefined, lang: Lang, maxFailures = 3): string {
  const m = messages(lang)
  const lines = [resultLine(r, lang)]
  if (r.message) lines.push(indent(localizeTodos(r.message, lang)))
  const failed = r.tests.filter((t) => t.status === 'fail')
  for (const t of failed.slice(0, maxFailures)) {
    lines.push('', `  ${paint('red', '✗')} ${paint('bold', testTitle(kata?.suiteFile, t.name, lang))}`)
    if (t.message) lines.push(indent(localizeTodos(testMessage(kata?.suiteFile, t.message, lang), lang)))
    if (t.diff) lines.push(indent(paintDiff(localizeTodos(t.diff, lang))))
    if (t.output) lines.push(indent(`${paint('dim', `${m.output}:`)}\n${t.output}`))
  }
  if (failed.length > maxFailures) lines.push('', `  ${m.run.moreFailing(failed.length - maxFailures)}`)
  if (!failed.length && r.output && r.verdict !== 'pass') lines.push('', indent(`${paint('dim', `${m.output}:`)}\n${r.output}`))
  if (kata && r.verdict !== 'pass' && r.target === 'exercises') {
    lines.push('', paint('dim', `  ${m.edit}: ${kata.files.map((f) => `exercises/${kata.dir}/${f}`).join(', ')}`))
  }
  return lines.join('\n')
}
