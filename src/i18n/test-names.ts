import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { parse as parseYaml } from 'yaml'
import { z } from 'zod'
import type { Lang } from './lang.ts'

/**
 * The Russian words of a suite: `harness/<kata>/tests.ru.yaml` maps each describe and test
 * title (and, optionally, an assertion's own message) to Russian. Suites keep English names:
 * those are what hints, steps, `verify` reruns and reports key on; a learner reading Russian
 * sees the translation where a name is shown.
 */
export const TEST_NAMES_FILE = 'tests.ru.yaml'

export const SuiteTranslationsSchema = z
  .object({
    names: z.record(z.string(), z.string().trim().min(1)).default({}),
    messages: z.record(z.string(), z.string().trim().min(1)).default({}),
  })
  .strict()
export type SuiteTranslations = z.infer<typeof SuiteTranslationsSchema>

const SEPARATOR = ' > '
const cache = new Map<string, SuiteTranslations>()

/** The translations beside a suite; a missing or broken file translates nothing (the check in `verify` reports it). */
export function suiteTranslations(suiteFile: string): SuiteTranslations {
  const file = join(dirname(suiteFile), TEST_NAMES_FILE)
  let found = cache.get(file)
  if (!found) {
    found = { names: {}, messages: {} }
    if (existsSync(file)) {
      try {
        const parsed = SuiteTranslationsSchema.safeParse(parseYaml(readFileSync(file, 'utf8')) ?? {})
        if (parsed.success) found = parsed.data
      } catch {
        // A broken file shows the English names; `verify` names the problem.
      }
    }
    cache.set(file, found)
  }
  return found
}

/** The name of a test as the learner reads it: each " > " part translated where a translation exists. */
export function testTitle(suiteFile: string | undefined, name: string, lang: Lang): string {
  if (lang === 'en' || !suiteFile) return name
  const { names } = suiteTranslations(suiteFile)
  return name
    .split(SEPARATOR)
    .map((part) => names[part] ?? part)
    .join(SEPARATOR)
}

/** An assertion's message with the suite author's own words (before the first ": expected") in Russian. */
export function testMessage(suiteFile: string | undefined, message: string, lang: Lang): string {
  if (lang === 'en' || !suiteFile) return message
  const { messages } = suiteTranslations(suiteFile)
  // The longest key that matches: "POST /books" must not take "POST /books without year: …".
  let best: string | undefined
  for (const en of Object.keys(messages)) {
    if ((message === en || message.startsWith(`${en}: `)) && en.length > (best?.length ?? -1)) best = en
  }
  return best === undefined ? message : messages[best]! + message.slice(best.length)
}

/** The parts of the given test names that have no Russian title (for `verify`). */
export function untranslatedTitles(suiteFile: string, names: string[]): string[] {
  const known = suiteTranslations(suiteFile).names
  const missing = new Set<string>()
  for (const name of names) for (const part of name.split(SEPARATOR)) if (!(part in known)) missing.add(part)
  return [...missing]
}
