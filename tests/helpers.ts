import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadCatalogLenient } from '../src/catalog/load.ts'
import type { Kata } from '../src/catalog/types.ts'

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
/** The catalog without its broken entries (catalog.test.ts holds the catalog to be whole). */
export const catalog = () => loadCatalogLenient(ROOT).catalog
export const tmp = (prefix = 'roadmap-test-') => mkdtempSync(join(tmpdir(), prefix))

/** A submission folder whose kata files have the given contents. */
export function submission(kata: Kata, files: Record<string, string>, dir = tmp('roadmap-sub-')): string {
  for (const [name, content] of Object.entries(files)) {
    const file = join(dir, 'exercises', kata.dir, name)
    mkdirSync(dirname(file), { recursive: true })
    writeFileSync(file, content)
  }
  return dir
}

/** A submission holding the reference solution of the given katas. */
export function solvedSubmission(katas: Kata[], dir = tmp('roadmap-sub-')): string {
  for (const k of katas) cpSync(join(ROOT, 'solutions', k.dir), join(dir, 'exercises', k.dir), { recursive: true })
  return dir
}
