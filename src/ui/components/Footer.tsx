import { Text } from 'ink'
import type { Lang } from '../../i18n/lang.ts'
import { messages } from '../../i18n/messages.ts'
import type { View } from '../state.ts'

/** The keys that work right now, always on screen. */
export function Footer({ lang, view, canNext, failing = 0, diffOpen = false }: { lang: Lang; view: View; canNext: boolean; failing?: number; diffOpen?: boolean }) {
  const k = messages(lang).ui.keys
  const keys: [string, string][] =
    view === 'list'
      ? [['↑↓', k.move], ['enter', k.open], ['esc', k.back], ['q', k.quit]]
      : diffOpen
        ? [['↑↓', k.move], ['d', k.back], ['q', k.quit]]
        : [
            ['h', k.hint],
            ...(canNext ? ([['n', k.next]] as [string, string][]) : []),
            ...(failing > 1 ? ([['←→', k.tests]] as [string, string][]) : []),
            ...(failing > 0 ? ([['d', k.diff]] as [string, string][]) : []),
            ['r', k.rerun],
            ['l', k.list],
            ['c', k.check],
            ['q', k.quit],
          ]
  return (
    <Text>
      {keys.map(([key, label], i) => (
        <Text key={key}>
          {i ? '  ' : ''}
          <Text bold color="cyan">
            {key}
          </Text>{' '}
          <Text dimColor>{label}</Text>
        </Text>
      ))}
    </Text>
  )
}
