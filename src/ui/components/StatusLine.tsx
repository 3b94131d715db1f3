import { Box, Text } from 'ink'
import type { Catalog } from '../../catalog/types.ts'
import type { Lang } from '../../i18n/lang.ts'
import { messages } from '../../i18n/messages.ts'
import { SERVICES } from '../../services/catalog.ts'
import { bar } from '../../report/style.ts'
import type { UiState } from '../state.ts'
import { chapterSummaryLines } from '../view/chapter-summary.ts'

/** Warm-up progress, missing services (what they block, how to start them), a check in progress. */
export function StatusLine({ state, catalog, lang }: { state: UiState; catalog: Catalog; lang: Lang }) {
  const m = messages(lang)
  return (
    <Box flexDirection="column">
      {state.starting.has('runner') ? <Text color="cyan">{m.ui.startingRunner}</Text> : null}
      {state.starting.has('services') ? <Text color="cyan">{m.ui.startingServices}</Text> : null}
      {state.services.map((s) =>
        s.state === 'missing' ? (
          <Text key={s.name} color="yellow">
            ⚠ {m.ui.missingService(SERVICES[s.name].label, s.fix, catalog.katas.filter((k) => k.services.includes(s.name)).length)}
          </Text>
        ) : null,
      )}
      {state.check ? (
        <Text color={state.check.finished ? 'green' : 'cyan'}>
          {state.check.finished ? m.ui.checked(state.check.done - state.check.failed, state.check.total) : m.ui.checking(state.check.done, state.check.total, state.check.failed)}{' '}
          {bar(state.check.done, state.check.total, 20)}
        </Text>
      ) : null}
      {state.check?.finished && state.check.chapters ? (
        <Box flexDirection="column">
          <Text bold>{m.ui.chapterSummary}</Text>
          {chapterSummaryLines(catalog, state.check.chapters, lang).map(({ line, complete }) => (
            <Text key={line} color={complete ? 'green' : undefined} wrap="truncate-end">
              {'  '}
              {line}
            </Text>
          ))}
        </Box>
      ) : null}
      {state.error ? <Text color="red">{state.error}</Text> : null}
      {state.watcherError ? <Text color="red">{m.watcherFailed(state.watcherError)}</Text> : null}
    </Box>
  )
}
