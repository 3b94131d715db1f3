import { TEST_NAMES_FILE } from '../i18n/test-names.ts'
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseDocument } from 'yaml'
import { CHAPTER_FILE, KATA_FILE, SUITE_FILE } from '../catalog/load.ts'
import { loadTopics } from '../catalog/topics.ts'
import type { Catalog } from '../catalog/types.ts'

export class ScaffoldError extends Error {
  override name = 'ScaffoldError'
}

export interface Scaffolded {
  id: string
  files: string[]
}

/**
 * Writes a new kata from the template: metadata, hidden suite, starter, solution and
 * both statements, and lists it in the chapter's roadmap order (after `after`, or last).
 * The template is sound as it stands (its starter fails, its solution passes), so
 * `verify` is green from the first minute and the author replaces it piece by piece.
 */
export function scaffoldKata(catalog: Catalog, id: string, after?: string): Scaffolded {
  const m = /^([a-z0-9-]+)\/([a-z0-9]+(?:-[a-z0-9]+)*)$/.exec(id)
  if (!m) throw new ScaffoldError(`"${id}" is not a kata id: use <chapter>/<slug>, e.g. redis/rate-limit`)
  const [, chapterId, slug] = m as unknown as [string, string, string]
  const chapter = catalog.chapters.find((c) => c.id === chapterId)
  if (!chapter) throw new ScaffoldError(`no chapter "${chapterId}"; chapters: ${catalog.chapters.map((c) => c.id).join(', ')}`)
  if (catalog.byId.has(id)) throw new ScaffoldError(`${id} exists already (${catalog.byId.get(id)!.dir})`)
  if (after && !chapter.katas.some((k) => k.slug === after)) throw new ScaffoldError(`no kata "${chapterId}/${after}" to place it after`)

  const harnessChapter = join(catalog.root, 'harness', chapter.dir)
  const numbers = readdirSync(harnessChapter).map((d) => Number(/^(\d+)-/.exec(d)?.[1] ?? 0))
  const dir = `${chapter.dir}/${String(Math.max(0, ...numbers) + 1).padStart(2, '0')}-${slug}`
  const topic = loadTopics(catalog.root).find((t) => t.chapter === chapterId)?.id ?? catalog.katas.find((k) => k.chapter === chapterId)?.topics[0] ?? 'start.loop'
  const files: Record<string, string> = {
    [`harness/${dir}/${KATA_FILE}`]: kataYaml(id, topic),
    [`harness/${dir}/${SUITE_FILE}`]: suite(id),
    [`harness/${dir}/${TEST_NAMES_FILE}`]: TEST_NAMES_RU,
    [`exercises/${dir}/index.ts`]: STARTER,
    [`solutions/${dir}/index.ts`]: SOLUTION,
    [`exercises/${dir}/README.md`]: README_EN,
    [`exercises/${dir}/README.ru.md`]: README_RU,
    ...Object.fromEntries(MUTANTS.map((mu) => [`harness/${dir}/mutants/${mu.name}/index.ts`, mu.code])),
  }
  for (const [rel, content] of Object.entries(files)) {
    const file = join(catalog.root, rel)
    if (existsSync(file)) throw new ScaffoldError(`${rel} exists already`)
    mkdirSync(join(file, '..'), { recursive: true })
    writeFileSync(file, content)
  }
  placeInChapter(join(harnessChapter, CHAPTER_FILE), slug, after)
  return { id, files: [...Object.keys(files), `harness/${chapter.dir}/${CHAPTER_FILE}`] }
}

/** Inserts the slug into `katas:`, keeping the file's comments and layout. */
function placeInChapter(file: string, slug: string, after?: string) {
  const doc = parseDocument(readFileSync(file, 'utf8'))
  const list = (doc.get('katas') as { items: { value: unknown }[] } | undefined)?.items.map((i) => String(i.value ?? i)) ?? []
  const at = after ? list.indexOf(after) + 1 : list.length
  list.splice(at, 0, slug)
  doc.set('katas', list)
  writeFileSync(file, doc.toString())
}

const kataYaml = (id: string, topic: string) => `# yaml-language-server: $schema=../../../schema/kata.schema.json
id: ${id}
title:
  en: TODO title
  ru: TODO название
topics: ["${topic}"]
services: []
files: [index.ts]
budgetMs: 5000
points: 10
hints:
  - en: TODO a gentle hint
    ru: TODO мягкая подсказка
  - en: TODO an explicit hint
    ru: TODO подсказка прямым текстом
# Realistic wrong solutions: each quotes the README sentence it breaks, and verify
# proves the suite rejects it on every run. Replace them with the mistakes learners
# make about this kata's topic.
mutants:
${MUTANTS.map((mu) => `  - name: ${mu.name}\n    breaks: ${JSON.stringify(mu.breaks)}\n    mistake: ${JSON.stringify(mu.mistake)}`).join('\n')}
`

const suite = (id: string) => `import { describe, expect, it } from 'vitest'
import { shout } from '@kata/${id}'

// TODO: replace with the kata's real requirements. Name tests as requirements and say,
// in the second argument of expect, which call was made.
describe('shout(text)', () => {
  it('upper-cases the text and adds "!"', () => {
    expect(shout('hello'), 'shout("hello")').toBe('HELLO!')
  })
  it('leaves an empty text empty', () => {
    expect(shout(''), 'shout("")').toBe('')
  })
})
`

// Every describe and test title needs its Russian name: verify checks the solution's run.
const TEST_NAMES_RU = `# Russian names of this suite's describe blocks and tests, shown with --lang ru
# (TODO: keep in step with kata.test.ts; messages: translates expect's own messages).
names:
  "shout(text)": "shout(text)"
  "upper-cases the text and adds \\"!\\"": "переводит текст в верхний регистр и добавляет «!»"
  "leaves an empty text empty": "оставляет пустой текст пустым"
messages: {}
`

const STARTER = `/** shout("hello") returns "HELLO!"; an empty text stays empty. */
export function shout(text: string): string {
  throw new Error('TODO: return the text in upper case with "!" at the end\\nTODO(ru): вернуть текст в верхнем регистре с «!» в конце')
}
`

const SOLUTION = `/** shout("hello") returns "HELLO!"; an empty text stays empty. */
export function shout(text: string): string {
  return text === '' ? '' : \`\${text.toUpperCase()}!\`
}
`

const README_EN = `# TODO title

What to build, the contract of every exported function, and one worked example.

\`shout(text)\` returns the text in upper case with "!" at the end. An empty text stays empty.

\`shout("hello")\` → \`"HELLO!"\`
`

const README_RU = `# TODO название

Что построить, контракт каждой экспортируемой функции и один разобранный пример.

\`shout(text)\` возвращает текст в верхнем регистре с «!» в конце. Пустой текст остаётся пустым.

\`shout("hello")\` → \`"HELLO!"\`
`

/** The template's mutants: one mistake each, about one sentence of the statement. */
const MUTANTS = [
  {
    name: 'no-bang',
    breaks: 'with "!" at the end',
    mistake: 'upper-cases the text but forgets the "!"',
    code: `export function shout(text: string): string {\n  return text.toUpperCase()\n}\n`,
  },
  {
    name: 'keeps-case',
    breaks: 'returns the text in upper case',
    mistake: 'adds the "!" but leaves the case as it was',
    code: `export function shout(text: string): string {\n  return text === '' ? '' : \`\${text}!\`\n}\n`,
  },
  {
    name: 'empty-bang',
    breaks: 'An empty text stays empty.',
    mistake: 'turns an empty text into "!"',
    code: `export function shout(text: string): string {\n  return \`\${text.toUpperCase()}!\`\n}\n`,
  },
]
