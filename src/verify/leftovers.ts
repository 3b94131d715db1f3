import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { CatalogProblem } from '../catalog/errors.ts'
import type { Catalog, Kata } from '../catalog/types.ts'
import type { VerifyProblems } from '../i18n/verify-messages.ts'

const TODO = /\bTODO\b/

/**
 * What `roadmap new`'s template leaves for the author to replace: a title, a hint or a
 * statement that still says TODO. A kata that ships them is not finished.
 */
export function templateLeftovers(catalog: Catalog, kata: Kata, say: VerifyProblems): string[] {
  const found: string[] = []
  for (const lang of ['en', 'ru'] as const) {
    if (TODO.test(kata.title[lang])) found.push(say.stillSays(`title.${lang}`, kata.title[lang]))
    kata.hints.forEach((h, i) => {
      if (TODO.test(h[lang])) found.push(say.stillSays(`hints.${i}.${lang}`, h[lang]))
    })
  }
  for (const readme of ['README.md', 'README.ru.md']) {
    const file = join(catalog.root, 'exercises', kata.dir, readme)
    const heading = existsSync(file) ? readFileSync(file, 'utf8').split('\n').find((l) => l.startsWith('# ')) : undefined
    if (heading && TODO.test(heading)) found.push(say.stillTitled(readme, heading.slice(2)))
  }
  return found.map((f) => say.templateLeft(f))
}

/** Catalog problems that concern one kata's own files (its metadata, suite or folders). */
export function catalogProblemsOf(problems: CatalogProblem[], kata: Kata, say: VerifyProblems): string[] {
  const mine = [`/harness/${kata.dir}/`, `/exercises/${kata.dir}/`, `/solutions/${kata.dir}/`]
  return problems.filter((p) => mine.some((d) => p.file.includes(d))).map((p) => say.catalog(p.field, p.reason))
}
