import { chmodSync, cpSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs'
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

/**
 * A checkout holding only the demo catalog of tests/fixtures (two tiny katas), with
 * the harness's code and dependencies linked: tests of the harness do not depend on
 * the curriculum. Readable by everyone, as grading workers may run unprivileged.
 */
export function demoRoot(): string {
  const dir = tmp('roadmap-demo-')
  chmodSync(dir, 0o755)
  const fixture = join(ROOT, 'tests', 'fixtures', 'demo-catalog')
  for (const d of ['harness', 'exercises', 'solutions']) cpSync(join(fixture, d), join(dir, d), { recursive: true })
  cpSync(join(ROOT, 'harness', 'support'), join(dir, 'harness', 'support'), { recursive: true })
  cpSync(join(ROOT, 'harness', 'topics.yaml'), join(dir, 'harness', 'topics.yaml'))
  for (const l of ['node_modules', 'src', 'package.json', 'tsconfig.json']) symlinkSync(join(ROOT, l), join(dir, l))
  return dir
}
