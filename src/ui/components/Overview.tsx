import { Box, Text } from 'ink'
import type { Catalog } from '../../catalog/types.ts'
import { text, type Lang } from '../../i18n/lang.ts'
import { kataState } from '../../progress/record.ts'
import type { ProgressStore } from '../../progress/store.ts'

const bar = (done: number, total: number, width = 12) => {
  const full = total ? Math.round((done / total) * width) : 0
  return '█'.repeat(full) + '░'.repeat(width - full)
}

/** Chapters in roadmap order with passed/total and a bar; the current chapter marked. */
export function Overview({ catalog, store, lang, focusChapter }: { catalog: Catalog; store: ProgressStore; lang: Lang; focusChapter?: string }) {
  return (
    <Box flexDirection="column">
      {catalog.chapters.map((ch) => {
        const done = ch.katas.filter((k) => kataState(store, k.id) === 'passed').length
        const complete = done === ch.katas.length && ch.katas.length > 0
        return (
          <Text key={ch.id} bold={ch.id === focusChapter} wrap="truncate">
            {ch.id === focusChapter ? '▶ ' : '  '}
            {text(ch.title, lang).padEnd(24).slice(0, 24)} <Text color={complete ? 'green' : 'cyan'}>{bar(done, ch.katas.length)}</Text> {done}/{ch.katas.length}
            {complete ? <Text color="green"> ✓</Text> : null}
          </Text>
        )
      })}
    </Box>
  )
}
