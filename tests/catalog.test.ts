import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { CatalogError } from '../src/catalog/errors.ts'
import { jsonSchemas } from '../src/catalog/json-schema.ts'
import { loadCatalog, loadCatalogLenient } from '../src/catalog/load.ts'
import { loadTopics } from '../src/catalog/topics.ts'
import { ROOT, tmp } from './helpers.ts'

/** A one-chapter catalog in a temp folder, built from the start chapter, for breaking on purpose. */
function miniCatalog() {
  const root = tmp()
  for (const side of ['harness', 'exercises', 'solutions']) cpSync(join(ROOT, side, '00-start'), join(root, side, '00-start'), { recursive: true })
  cpSync(join(ROOT, 'harness', 'topics.yaml'), join(root, 'harness', 'topics.yaml'))
  return root
}
const kataYaml = (root: string) => join(root, 'harness/00-start/01-first-verdict/kata.yaml')

describe('catalog loading', () => {
  it('loads the real catalog in roadmap order with stable ids', () => {
    const c = loadCatalog(ROOT)
    expect(c.katas[0]!.id).toBe('start/first-verdict')
    expect(c.chapters.map((ch) => ch.order)).toEqual([...c.chapters.map((ch) => ch.order)].sort((a, b) => a - b))
    c.katas.forEach((k, i) => expect(k.index).toBe(i))
    expect(new Set(c.katas.map((k) => k.id)).size).toBe(c.katas.length)
  })

  it('reports invalid YAML with file, line and column, not a stack trace', () => {
    const root = miniCatalog()
    writeFileSync(kataYaml(root), 'id: start/first-verdict\ntitle: { en: x\n')
    const { problems } = loadCatalogLenient(root)
    expect(problems).toHaveLength(1)
    expect(problems[0]!.file).toBe(kataYaml(root))
    expect(problems[0]!.reason).toMatch(/not valid YAML \(line \d+, column \d+\)/)
  })

  it('names the field and the reason for each schema violation', () => {
    const root = miniCatalog()
    const text = readFileSync(kataYaml(root), 'utf8').replace(/ru: Первый вердикт/, 'ru: ""').replace('points: 1', 'points: -3')
    writeFileSync(kataYaml(root), text)
    const err = (() => {
      try {
        loadCatalog(root)
      } catch (e) {
        return e as CatalogError
      }
    })()
    expect(err).toBeInstanceOf(CatalogError)
    const fields = err!.problems.map((p) => p.field)
    expect(fields).toContain('title.ru')
    expect(fields).toContain('points')
    expect(err!.message).toContain('harness/00-start/01-first-verdict/kata.yaml: title.ru:')
  })

  it('rejects unknown topic ids, missing suites, statements and files', () => {
    const root = miniCatalog()
    writeFileSync(kataYaml(root), readFileSync(kataYaml(root), 'utf8').replace('"start.loop"', '"start.nope"'))
    mkdirSync(join(root, 'harness/00-start/02-extra'))
    writeFileSync(join(root, 'harness/00-start/02-extra/kata.yaml'), readFileSync(join(ROOT, 'harness/00-start/01-first-verdict/kata.yaml'), 'utf8').replace('start/first-verdict', 'start/extra'))
    const { problems, catalog } = loadCatalogLenient(root)
    const reasons = problems.map((p) => `${p.field}: ${p.reason}`).join('\n')
    expect(reasons).toMatch(/topics\.0: unknown topic id "start\.nope"/)
    expect(reasons).toMatch(/no hidden suite/)
    expect(reasons).toMatch(/README\.ru\.md is missing/)
    expect(reasons).toMatch(/files\.0: exercises\/00-start\/02-extra\/greet\.ts does not exist/)
    // The kata that cannot load is left out; an unknown topic id alone does not stop a kata.
    expect(catalog.katas.map((k) => k.id)).toEqual(['start/first-verdict'])
  })

  it('keeps sound katas usable when another is broken', () => {
    const root = miniCatalog()
    mkdirSync(join(root, 'harness/00-start/02-extra'))
    writeFileSync(join(root, 'harness/00-start/02-extra/kata.yaml'), 'id: start/extra\n')
    const { problems, catalog } = loadCatalogLenient(root)
    expect(problems.length).toBeGreaterThan(0)
    expect(catalog.katas.map((k) => k.id)).toEqual(['start/first-verdict'])
  })

  it('says when a folder is not a roadmap checkout', () => {
    expect(() => loadCatalog(tmp())).toThrow(/no harness\/ folder/)
  })
})

describe('JSON Schema for editors', () => {
  it('is committed exactly as generated from the loader’s schema', () => {
    for (const [file, content] of Object.entries(jsonSchemas())) {
      expect(readFileSync(join(ROOT, file), 'utf8'), `${file} is stale: run \`roadmap schema\``).toBe(content)
    }
  })
})

describe('topics', () => {
  it('harness/topics.yaml lists every id of TOPICS.md (when shared/ is beside the repo)', () => {
    const topicsMd = join(ROOT, '..', 'shared', 'TOPICS.md')
    let md: string
    try {
      md = readFileSync(topicsMd, 'utf8')
    } catch {
      return
    }
    const ids = [...md.matchAll(/^- `([a-z0-9]+\.[a-z0-9-]+)`/gm)].map((m) => m[1])
    expect(loadTopics(ROOT).map((t) => t.id)).toEqual(ids)
  })
})

describe('roadmap order', () => {
  it('reports a kata folder that the chapter does not list', () => {
    const root = miniCatalog()
    for (const side of ['harness', 'exercises', 'solutions']) cpSync(join(root, side, '00-start/01-first-verdict'), join(root, side, '00-start/02-extra'), { recursive: true })
    const yaml = join(root, 'harness/00-start/02-extra/kata.yaml')
    writeFileSync(yaml, readFileSync(yaml, 'utf8').replace('id: start/first-verdict', 'id: start/extra'))
    const { problems } = loadCatalogLenient(root)
    expect(problems.map((p) => p.reason).join('\n')).toMatch(/"extra" \(00-start\/02-extra\) is not listed/)
  })
})

describe('a third-party catalog', () => {
  it('runs from its own folder with --root, using this installation’s dependencies and fixtures', { timeout: 60_000 }, async () => {
    const { execFileSync } = await import('node:child_process')
    const root = tmp('roadmap-thirdparty-')
    const fixture = join(ROOT, 'tests', 'fixtures', 'demo-catalog')
    for (const side of ['harness', 'exercises', 'solutions']) cpSync(join(fixture, side), join(root, side), { recursive: true })
    // No node_modules, no package.json, no support folder: only the catalog itself.
    writeFileSync(join(root, 'harness/00-demo/02-greet/kata.test.ts'), "import { expect, it } from 'vitest'\nimport { serviceUrl } from '#support/services'\nimport { greet } from '@kata/demo/greet'\nit('greets', () => { expect(typeof serviceUrl).toBe('function'); expect(greet('Ada')).toBe('Hi, Ada') })\n")
    writeFileSync(join(root, 'harness/00-demo/02-greet/tests.ru.yaml'), 'names:\n  greets: приветствует\n')
    const out = execFileSync(process.execPath, [join(ROOT, 'bin/roadmap.js'), 'verify', '--root', root], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } })
    expect(out).toMatch(/3 sound, 0 broken/)
  })
})

describe('AUTHORING.md', () => {
  it('carries the metadata reference generated from the schema, so it cannot drift', async () => {
    const { withReference } = await import('../src/catalog/reference.ts')
    const doc = readFileSync(join(ROOT, 'AUTHORING.md'), 'utf8')
    expect(doc, 'AUTHORING.md is stale: run `roadmap schema`').toBe(withReference(doc))
  })
})
