import { Box, Text } from 'ink'
import terminalLink from 'terminal-link'
import { join } from 'node:path'
import type { Kata } from '../../catalog/types.ts'
import { text, type Lang } from '../../i18n/lang.ts'
import { messages } from '../../i18n/messages.ts'
import { localizeTodos } from '../../i18n/todo.ts'
import { testMessage, testTitle } from '../../i18n/test-names.ts'
import { passedCount, type KataResult } from '../../results/model.ts'
import { diffLineColor, verdictColor, verdictMark } from '../../report/style.ts'
import { hintOrder } from '../view/hint-order.ts'
import { currentStep, stepProgress, type StepProgress } from '../view/steps.ts'

interface Props {
  kata: Kata
  chapterTitle: string
  root: string
  result?: KataResult
  running: boolean
  lang: Lang
  hintsShown: number
  /** Rows this panel may use, so the live region never outgrows the screen. */
  rows: number
  /** Which failing test is on screen, and whether its diff is open in full (scrolled how far). */
  failIndex?: number
  diffOpen?: boolean
  diffScroll?: number
}

const clip = (s: string, lines: number, more: (n: number) => string) => {
  const all = s.split('\n')
  return all.length > lines ? [...all.slice(0, lines), more(all.length - lines)].join('\n') : s
}

/** The failing tests of a result, in the order the screen walks them. */
export const failingTests = (result: KataResult | undefined) => result?.tests.filter((t) => t.status === 'fail') ?? []

/**
 * The kata in focus: where to edit, the verdict, one failing test at a time (←/→ move
 * between them, d opens its diff in full), the learner's output, and hints.
 */
export function KataPanel({ kata, chapterTitle, root, result, running, lang, hintsShown, rows, failIndex = 0, diffOpen = false, diffScroll = 0 }: Props) {
  const m = messages(lang)
  const failing = failingTests(result)
  const index = failing.length ? Math.min(failIndex, failing.length - 1) : 0
  const shown = failing[index]
  // A starter's TODO quoted in a diff (the error it threw) reads in the learner's language too.
  const diff = localizeTodos(shown?.diff, lang)
  const room = Math.max(6, rows - 8)
  const steps = stepProgress(kata, running ? undefined : result)
  const output = shown?.output ?? (result && result.verdict !== 'pass' ? result.output : undefined)
  const more = (n: number) => m.ui.moreLines(n)
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        <Text dimColor>{chapterTitle} · </Text>
        <Text bold>{text(kata.title, lang)}</Text>
        <Text dimColor> ({kata.id})</Text>
      </Text>
      <Text wrap="truncate-end">
        <Text dimColor>{m.edit}: </Text>
        {kata.files.map((f, i) => {
          const path = join('exercises', kata.dir, f)
          return (
            <Text key={f} color="cyan">
              {i ? ', ' : ''}
              {terminalLink(path, `file://${join(root, path)}`, { fallback: () => path })}
            </Text>
          )
        })}
      </Text>
      <Text dimColor wrap="truncate-end">
        {m.ui.statement}: {join('exercises', kata.statementDir ?? kata.dir, lang === 'ru' ? 'README.ru.md' : 'README.md')}
      </Text>
      {running ? (
        // The old verdict goes: what is on screen while a run is in progress is that run.
        <Box marginTop={1}>
          <Text color="cyan">{m.ui.running}</Text>
        </Box>
      ) : result ? (
        <Box flexDirection="column">
          <Box marginTop={1}>
            <Text>
              <Text color={verdictColor[result.verdict]} bold>
                {verdictMark[result.verdict]} {m.verdict[result.verdict]}
              </Text>
              {result.tests.length ? <Text> · {m.tests(passedCount(result), result.tests.length)}</Text> : null}
              <Text dimColor> · {m.ui.lastRun(result.durationMs)}</Text>
            </Text>
          </Box>
          {steps ? <Steps steps={steps} lang={lang} /> : null}
          {result.verdict === 'pass' ? <Text color="green">{m.ui.passedNext}</Text> : null}
          {result.message ? <Text color={verdictColor[result.verdict]}>{clip(localizeTodos(result.message, lang), Math.min(8, room), more)}</Text> : null}
          {shown ? (
            <Box flexDirection="column" marginTop={1}>
              <Text bold wrap="truncate-end">
                {m.ui.failingOf(index + 1, failing.length)}: <Text color="red">{testTitle(kata.suiteFile, shown.name, lang)}</Text>
              </Text>
              {shown.message && !diffOpen ? <Text>{clip(localizeTodos(testMessage(kata.suiteFile, shown.message, lang), lang), Math.min(6, room), more)}</Text> : null}
              {diff ? diffOpen ? <Diff lines={window(diff, diffScroll, room)} /> : <Diff lines={clip(diff, Math.min(10, room), more).split('\n')} /> : null}
              <Text dimColor>{[failing.length > 1 ? m.ui.moveFailing : '', shown.diff ? (diffOpen ? m.ui.closeDiff : m.ui.openDiff) : ''].filter(Boolean).join(' · ')}</Text>
            </Box>
          ) : null}
          {output && !diffOpen ? (
            <Box flexDirection="column" marginTop={1}>
              <Text dimColor>{m.output}:</Text>
              <Text>{clip(output.trimEnd(), Math.min(6, room), more)}</Text>
            </Box>
          ) : null}
        </Box>
      ) : null}
      {!running && !diffOpen ? <Hints kata={kata} shown={hintsShown} lang={lang} failingTest={failing[0]?.name} /> : null}
    </Box>
  )
}

/** Lines `from`…`from + rows` of a long diff, with where they are in it. */
function window(diff: string, from: number, rows: number): string[] {
  const all = diff.split('\n')
  const start = Math.max(0, Math.min(from, Math.max(0, all.length - rows)))
  const part = all.slice(start, start + rows)
  return all.length > rows ? [...part, `(${start + 1}–${start + part.length} / ${all.length})`] : part
}

function Steps({ steps, lang }: { steps: StepProgress[]; lang: Lang }) {
  const m = messages(lang)
  const now = currentStep(steps)
  const done = steps.filter((s) => s.passed).length
  return (
    <Box flexDirection="column">
      <Text>
        <Text bold>{m.ui.step(now.index + 1, steps.length)}</Text>: {text(now.title, lang)} <Text dimColor>· {m.ui.stepsDone(done, steps.length)}</Text>
      </Text>
      <Text wrap="truncate-end">
        {steps.map((s) => (
          <Text key={s.index} color={s.passed ? 'green' : s === now ? 'yellow' : undefined} dimColor={!s.passed && s !== now}>
            {s.index ? '  ' : ''}
            {s.passed ? '✓' : s === now ? '▶' : '·'} {s.index + 1} ({m.ui.points(s.points)})
          </Text>
        ))}
      </Text>
    </Box>
  )
}

function Diff({ lines }: { lines: string[] }) {
  return (
    <Box flexDirection="column">
      {lines.map((line, i) => (
        <Text key={i} color={diffLineColor(line)}>
          {line}
        </Text>
      ))}
    </Box>
  )
}

function Hints({ kata, shown, lang, failingTest }: { kata: Kata; shown: number; lang: Lang; failingTest?: string }) {
  const m = messages(lang)
  if (!shown) return null
  return (
    <Box flexDirection="column" marginTop={1}>
      {hintOrder(kata, failingTest)
        .slice(0, shown)
        .map((h, i) => (
          <Text key={h}>
            <Text color="cyan">{m.hintOf(i + 1, kata.hints.length)}: </Text>
            {text(kata.hints[h]!, lang)}
          </Text>
        ))}
      {shown >= kata.hints.length ? <Text dimColor>{m.noMoreHints}</Text> : null}
    </Box>
  )
}
