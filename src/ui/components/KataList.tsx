import { Box, Text } from 'ink'
import type { Catalog } from '../../catalog/types.ts'
import { text, type Lang } from '../../i18n/lang.ts'
import { messages } from '../../i18n/messages.ts'
import { kataState } from '../../progress/record.ts'
import type { ProgressView } from '../../progress/store.ts'
import { stateMark } from '../../report/style.ts'


/** Every kata with its state; the cursor row is highlighted; a window keeps it on screen. */
export function KataList({ catalog, store, lang, cursor, rows }: { catalog: Catalog; store: ProgressView; lang: Lang; cursor: number; rows: number }) {
  const m = messages(lang)
  const height = Math.max(5, rows)
  const start = Math.max(0, Math.min(cursor - Math.floor(height / 2), catalog.katas.length - height))
  return (
    <Box flexDirection="column">
      {catalog.katas.slice(start, start + height).map((k) => {
        const state = kataState(store, k.id)
        const { mark, color } = stateMark[state]
        return (
          <Text key={k.id} inverse={k.index === cursor}>
            <Text color={color}>{mark}</Text> {k.id.padEnd(34)} {text(k.title, lang)}
            {state === 'regressed' ? <Text color="yellow"> ({m.regressed})</Text> : null}
            {k.services.length ? <Text dimColor> [{k.services.join(', ')}]</Text> : null}
          </Text>
        )
      })}
    </Box>
  )
}
