import stringWidth from 'string-width'
import type { Catalog } from '../../catalog/types.ts'
import { text, type Lang } from '../../i18n/lang.ts'
import { bar } from '../../report/style.ts'

export interface ChapterTally {
  id: string
  passed: number
  total: number
}

/** One line per chapter after check-all: title, a bar, passed/total; titles padded by display width. */
export function chapterSummaryLines(catalog: Catalog, chapters: ChapterTally[], lang: Lang): { line: string; complete: boolean }[] {
  const titles = new Map(catalog.chapters.map((c) => [c.id, text(c.title, lang)]))
  const width = Math.max(...chapters.map((c) => stringWidth(titles.get(c.id) ?? c.id)))
  return chapters.map((c) => {
    const title = titles.get(c.id) ?? c.id
    return { line: `${title}${' '.repeat(width - stringWidth(title))}  ${bar(c.passed, c.total, 12)} ${c.passed}/${c.total}`, complete: c.total > 0 && c.passed === c.total }
  })
}
