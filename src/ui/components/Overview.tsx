import { Box, Text } from 'ink'
import stringWidth from 'string-width'
import type { Catalog } from '../../catalog/types.ts'
import { text, type Lang } from '../../i18n/lang.ts'
import { kataState } from '../../progress/record.ts'
import type { ProgressView } from '../../progress/store.ts'
import { bar } from '../../report/style.ts'


/** Display width of the longest chapter title (CJK and emoji take two cells; Cyrillic one). */
const titleWidth = (catalog: Catalog, lang: Lang) => Math.max(8, ...catalog.chapters.map((c) => stringWidth(text(c.title, lang))))

/** Pads to a display width, not a length: what lines columns up on a terminal. */
export const padCells = (s: string, width: number) => s + ' '.repeat(Math.max(0, width - stringWidth(s)))

/** Columns the overview needs: marker, the longest title, the bar and "nn/nn ✓". */
export const overviewColumns = (catalog: Catalog, lang: Lang) => 2 + titleWidth(catalog, lang) + 1 + 12 + 8

/** Chapters in roadmap order with passed/total and a bar; the current chapter marked. */
export function Overview({ catalog, store, lang, focusChapter }: { catalog: Catalog; store: ProgressView; lang: Lang; focusChapter?: string }) {
  const width = titleWidth(catalog, lang)
  return (
    <Box flexDirection="column">
      {catalog.chapters.map((ch) => {
        const done = ch.katas.filter((k) => kataState(store, k.id) === 'passed').length
        const complete = done === ch.katas.length && ch.katas.length > 0
        return (
          <Text key={ch.id} bold={ch.id === focusChapter} wrap="truncate">
            {ch.id === focusChapter ? '▶ ' : '  '}
            {padCells(text(ch.title, lang), width)} <Text color={complete ? 'green' : 'cyan'}>{bar(done, ch.katas.length, 12)}</Text> {done}/{ch.katas.length}
            {complete ? <Text color="green"> ✓</Text> : null}
          </Text>
        )
      })}
    </Box>
  )
}
