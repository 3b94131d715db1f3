import type { Lang } from './lang.ts'

/**
 * A starter fails with one message in both languages, so the starter file itself reads
 * in either and no lookup table can drift from it:
 *
 *   throw new Error('TODO: <English>\nTODO(ru): <Russian>')
 *
 * Surfaces keep the reader's line. The pair is found wherever a failure quotes it: as
 * two real lines, or escaped (`\n`) inside a quoted value or a code frame of the starter.
 * The Russian text has no `"` or `'` (it quotes with «»), so a quoted pair ends at the
 * closing quote.
 */
const PAIR = /TODO: ([^\n]*?)(?:\r?\n|\\n)TODO\(ru\): ([^\n"']*?)(?=\r?\n|\\n|["']|$)/gm

/** Both languages of each TODO pair in `s`, as written: for checks and tests. */
export function todoPairs(s: string): { en: string; ru: string }[] {
  return [...s.matchAll(PAIR)].map((m) => ({ en: m[1]!, ru: m[2]! }))
}

/** `s` with each bilingual TODO pair reduced to the line of `lang` (labelled plainly `TODO:`). */
export function localizeTodos(s: string, lang: Lang): string
export function localizeTodos(s: string | undefined, lang: Lang): string | undefined
export function localizeTodos(s: string | undefined, lang: Lang): string | undefined {
  return s?.replace(PAIR, (_, en: string, ru: string) => `TODO: ${lang === 'ru' ? ru : en}`)
}
