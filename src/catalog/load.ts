import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { YAMLParseError } from 'yaml'
import { parseYamlCached, saveYamlCache } from './yaml-cache.ts'
import type { z } from 'zod'
import { CatalogError, type CatalogProblem } from './errors.ts'
import { goTrackProblems } from './go-track.ts'
import { ChapterMeta, KataMeta } from './schema.ts'
import { loadTopics } from './topics.ts'
import type { Catalog, Chapter, Kata } from './types.ts'

export const CHAPTER_FILE = 'chapter.yaml'
export const KATA_FILE = 'kata.yaml'
export const SUITE_FILE = 'kata.test.ts'

/** Folders of the catalog below a root: the hidden half and the learner's half. */
export function catalogPaths(root: string) {
  return {
    harness: join(root, 'harness'),
    exercises: join(root, 'exercises'),
    solutions: join(root, 'solutions'),
  }
}

function readYaml<T>(file: string, schema: z.ZodType<T>, problems: CatalogProblem[]): T | undefined {
  let raw: unknown
  try {
    raw = parseYamlCached(readFileSync(file, 'utf8'))
  } catch (err) {
    const reason =
      err instanceof YAMLParseError
        ? `not valid YAML (line ${err.linePos?.[0].line ?? '?'}, column ${err.linePos?.[0].col ?? '?'}): ${err.message.split('\n')[0]}`
        : `cannot be read: ${(err as Error).message}`
    problems.push({ file, field: '(file)', reason })
    return undefined
  }
  const parsed = schema.safeParse(raw ?? {})
  if (parsed.success) return parsed.data
  for (const issue of parsed.error.issues) {
    problems.push({ file, field: issue.path.join('.') || '(root)', reason: issue.message })
  }
  return undefined
}

const subdirs = (dir: string) =>
  readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith('.') && d.name !== 'support')
    .map((d) => d.name)
    .sort()

/**
 * Reads and validates the whole catalog. Throws one CatalogError that lists every
 * problem found (file, field, reason), so an author fixes them in one pass.
 */
export function loadCatalog(rootDir: string): Catalog {
  const { catalog, problems } = loadCatalogLenient(rootDir)
  if (problems.length) throw new CatalogError(problems, catalog.root)
  return catalog
}

/**
 * Reads the catalog, leaving out what is broken: the katas that load are usable, and
 * every problem is returned (file, field, reason) for the caller to report. A broken
 * entry must not stop a learner from working on the others.
 */
export function loadCatalogLenient(rootDir: string): { catalog: Catalog; problems: CatalogProblem[] } {
  const root = resolve(rootDir)
  const paths = catalogPaths(root)
  const problems: CatalogProblem[] = []
  if (!existsSync(paths.harness) || !statSync(paths.harness).isDirectory()) {
    throw new CatalogError([{ file: paths.harness, field: '(folder)', reason: 'no harness/ folder: is this a roadmap checkout? (see --root)' }], root)
  }
  const chapters: Chapter[] = []
  for (const chapterDir of subdirs(paths.harness)) {
    const chapterFile = join(paths.harness, chapterDir, CHAPTER_FILE)
    if (!existsSync(chapterFile)) {
      problems.push({ file: chapterFile, field: '(file)', reason: `missing: every folder of harness/ is a chapter and needs a ${CHAPTER_FILE}` })
      continue
    }
    const meta = readYaml(chapterFile, ChapterMeta, problems)
    if (!meta) continue
    const found = new Map<string, Kata>()
    let broken = 0
    for (const kataDir of subdirs(join(paths.harness, chapterDir))) {
      const kata = loadKata(root, chapterDir, kataDir, meta.id, problems)
      if (!kata) {
        broken++
        continue
      }
      const clash = found.get(kata.slug)
      if (clash) problems.push({ file: kata.metaFile, field: 'id', reason: `"${kata.id}" is also the id of ${clash.metaFile}` })
      found.set(kata.slug, kata)
    }
    const katas: Kata[] = []
    meta.katas.forEach((slug, i) => {
      const kata = found.get(slug)
      if (kata) katas.push(kata)
      // A kata that failed to load is already reported; do not report it twice.
      else if (!broken) problems.push({ file: chapterFile, field: `katas.${i}`, reason: `no kata with id "${meta.id}/${slug}" in harness/${chapterDir}` })
    })
    for (const kata of found.values()) {
      if (!meta.katas.includes(kata.slug)) {
        problems.push({ file: chapterFile, field: 'katas', reason: `"${kata.slug}" (${kata.dir}) is not listed, so it has no place in the roadmap` })
      }
    }
    chapters.push({ ...meta, dir: chapterDir, katas })
  }
  chapters.sort((a, b) => a.order - b.order)
  for (let i = 1; i < chapters.length; i++) {
    if (chapters[i]!.order === chapters[i - 1]!.order) {
      problems.push({ file: join(paths.harness, chapters[i]!.dir, CHAPTER_FILE), field: 'order', reason: `same order as chapter "${chapters[i - 1]!.id}"` })
    }
  }
  const known = new Set(loadTopics(root).map((t) => t.id))
  if (known.size) {
    for (const kata of chapters.flatMap((c) => c.katas)) {
      kata.topics.forEach((t, i) => {
        if (!known.has(t)) problems.push({ file: kata.metaFile, field: `topics.${i}`, reason: `unknown topic id "${t}" (see harness/topics.yaml)` })
      })
    }
  }
  const katas = chapters.flatMap((c) => c.katas)
  katas.forEach((k, i) => (k.index = i))
  saveYamlCache()
  return { catalog: { root, chapters, katas, byId: new Map(katas.map((k) => [k.id, k])) }, problems }
}

function loadKata(root: string, chapterDir: string, kataDir: string, chapterId: string, problems: CatalogProblem[]): Kata | undefined {
  const paths = catalogPaths(root)
  const dir = `${chapterDir}/${kataDir}`
  const metaFile = join(paths.harness, dir, KATA_FILE)
  if (!existsSync(metaFile)) {
    problems.push({ file: metaFile, field: '(file)', reason: `missing: each kata folder needs a ${KATA_FILE}` })
    return undefined
  }
  const meta = readYaml(metaFile, KataMeta, problems)
  if (!meta) return undefined
  const [chapter, slug] = meta.id.split('/') as [string, string]
  let ok = true
  const problem = (field: string, reason: string, file = metaFile) => {
    problems.push({ file, field, reason })
    ok = false
  }
  if (chapter !== chapterId) problem('id', `starts with "${chapter}/" but the kata lives in chapter "${chapterId}"`)
  const suiteFile = join(paths.harness, dir, SUITE_FILE)
  if (!existsSync(suiteFile)) problem('(suite)', `no hidden suite: expected ${SUITE_FILE} beside ${KATA_FILE}`)
  for (const [side, base] of [['exercises', paths.exercises], ['solutions', paths.solutions]] as const) {
    meta.files.forEach((f, i) => {
      if (!existsSync(join(base, dir, f))) problem(`files.${i}`, `${side}/${dir}/${f} does not exist`)
    })
  }
  // A solution must not rely on a file a learner never gets.
  for (const f of listFiles(join(paths.solutions, dir))) {
    if (!meta.files.includes(f) && !existsSync(join(paths.exercises, dir, f))) {
      problem('files', `solutions/${dir}/${f} is neither declared in files nor shipped in exercises/${dir}: the solution relies on something the learner never gets`)
    }
  }
  for (const readme of ['README.md', 'README.ru.md']) {
    const file = join(paths.exercises, dir, readme)
    if (!existsSync(file) || readFileSync(file, 'utf8').trim() === '') {
      problem('(statement)', `exercises/${dir}/${readme} is missing or empty: the statement exists in English and Russian`)
    }
  }
  if (meta.go) for (const [field, reason] of goTrackProblems(root, dir, meta.go)) problem(field, reason)
  if (!ok) return undefined
  return { ...meta, chapter, slug, index: -1, dir, metaFile, suiteFile }
}

/** Files below a folder, as paths relative to it. */
function listFiles(dir: string, prefix = ''): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(join(dir, e.name), `${prefix}${e.name}/`) : e.isFile() ? [`${prefix}${e.name}`] : [],
  )
}
