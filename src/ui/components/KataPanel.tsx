import { Box, Text } from 'ink'
import terminalLink from 'terminal-link'
import { join } from 'node:path'
import type { Kata } from '../../catalog/types.ts'
import { text, type Lang } from '../../i18n/lang.ts'
import { messages } from '../../i18n/messages.ts'
import { passedCount, type KataResult } from '../../results/model.ts'
import { verdictColor, verdictMark } from '../../report/style.ts'

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
}

const clip = (s: string, lines: number) => {
  const all = s.split('\n')
  return all.length > lines ? [...all.slice(0, lines), `… (${all.length - lines} more lines)`].join('\n') : s
}

/** The kata in focus: where to edit, the verdict, the first failing test and its diff, output, hints. */
export function KataPanel({ kata, chapterTitle, root, result, running, lang, hintsShown, rows }: Props) {
  const m = messages(lang)
  const failing = result?.tests.filter((t) => t.status === 'fail') ?? []
  const first = failing[0]
  const room = Math.max(6, rows - 8)
  const output = first?.output ?? (result && result.verdict !== 'pass' ? result.output : undefined)
  return (
    <Box flexDirection="column">
      <Text>
        <Text dimColor>{chapterTitle} · </Text>
        <Text bold>{text(kata.title, lang)}</Text>
        <Text dimColor> ({kata.id})</Text>
      </Text>
      <Text>
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
      <Text dimColor>
        {m.ui.statement}: {join('exercises', kata.dir, lang === 'ru' ? 'README.ru.md' : 'README.md')}
      </Text>
      <Box marginTop={1}>
        {running ? (
          <Text color="cyan">{m.ui.running}</Text>
        ) : result ? (
          <Text>
            <Text color={verdictColor[result.verdict]} bold>
              {verdictMark[result.verdict]} {m.verdict[result.verdict]}
            </Text>
            {result.tests.length ? <Text> · {m.tests(passedCount(result), result.tests.length)}</Text> : null}
            <Text dimColor> · {m.ui.lastRun(result.durationMs)}</Text>
          </Text>
        ) : null}
      </Box>
      {result?.verdict === 'pass' ? <Text color="green">{m.ui.passedNext}</Text> : null}
      {result?.message ? <Text color={verdictColor[result.verdict]}>{clip(result.message, Math.min(8, room))}</Text> : null}
      {first ? (
        <Box flexDirection="column" marginTop={1}>
          <Text bold>
            {m.ui.firstFailing}: <Text color="red">{first.name}</Text>
          </Text>
          {first.message ? <Text>{clip(first.message, Math.min(6, room))}</Text> : null}
          {first.diff ? <Diff diff={clip(first.diff, Math.min(10, room))} /> : null}
          {failing.length > 1 ? <Text dimColor>{m.ui.moreFailing(failing.length - 1)}</Text> : null}
        </Box>
      ) : null}
      {output ? (
        <Box flexDirection="column" marginTop={1}>
          <Text dimColor>{m.output}:</Text>
          <Text>{clip(output.trimEnd(), Math.min(6, room))}</Text>
        </Box>
      ) : null}
      <Hints kata={kata} shown={hintsShown} lang={lang} />
    </Box>
  )
}

function Diff({ diff }: { diff: string }) {
  return (
    <Box flexDirection="column">
      {diff.split('\n').map((line, i) => (
        <Text key={i} color={/^\s*(\+|Received)/.test(line) ? 'red' : /^\s*(-|Expected)/.test(line) ? 'green' : undefined}>
          {line}
        </Text>
      ))}
    </Box>
  )
}

function Hints({ kata, shown, lang }: { kata: Kata; shown: number; lang: Lang }) {
  const m = messages(lang)
  if (!shown) return null
  return (
    <Box flexDirection="column" marginTop={1}>
      {kata.hints.slice(0, shown).map((h, i) => (
        <Text key={i}>
          <Text color="cyan">{m.hintOf(i + 1, kata.hints.length)}: </Text>
          {text(h, lang)}
        </Text>
      ))}
      {shown >= kata.hints.length ? <Text dimColor>{m.noMoreHints}</Text> : null}
    </Box>
  )
}
