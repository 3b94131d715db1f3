import { createRequire } from 'node:module'
import type { Catalog } from '../../catalog/types.ts'
import { text, type Lang } from '../../i18n/lang.ts'
import { bar } from '../../report/style.ts'

export interface ChapterTally {
  id: string
  passed: number
  total: number
}

// Loaded on first use: string-width builds an Intl.Segmenter as it loads (~20 ms of ICU data),
// which `watch --plain` paid before its first verdict for a summary it prints after check-all.
let width: ((s: string) => number) | undefined
const stringWidth = (s: string) => (width ??= (createRequire(import.meta.url)('string-width') as { default: (s: string) => number }).default)(s)

/** One line per chapter after check-all: title, a bar, passed/total; titles padded by display width. */
export function chapterSummaryLines(catalog: Catalog, chapters: ChapterTally[], lang: Lang): { line: string; complete: boolean }[] {
  const titles = new Map(catalog.chapters.map((c) => [c.id, text(c.title, lang)]))
  const width = Math.max(...chapters.map((c) => stringWidth(titles.get(c.id) ?? c.id)))
  return chapters.map((c) => {
    const title = titles.get(c.id) ?? c.id
    return { line: `${title}${' '.repeat(width - stringWidth(title))}  ${bar(c.passed, c.total, 12)} ${c.passed}/${c.total}`, complete: c.total > 0 && c.passed === c.total }
  })
}
