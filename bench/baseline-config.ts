import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Kata } from '../src/catalog/types.ts'

/**
 * A plain Vitest config that runs one hidden suite the way a naive harness would:
 * the same alias and the same service URLs, none of roadmap's runner.
 */
export function baselineConfig(dir: string, kata: Kata, services: Record<string, string>) {
  const entry = join(dir, 'exercises', kata.dir, kata.files[0]!)
  const config = {
    resolve: { alias: [{ find: new RegExp(`^@kata/${kata.id}$`), replacement: entry }, { find: new RegExp(`^@kata/${kata.id}/`), replacement: `${join(dir, 'exercises', kata.dir)}/` }] },
    test: { include: [kata.suiteFile], pool: 'forks', provide: { 'roadmap:services': services, 'roadmap:run-tag': 'bench', 'roadmap:budgets': {} } },
  }
  const file = join(dir, `vitest.${kata.slug}.bench.mjs`)
  const src = JSON.stringify(config, (_k, v) => (v instanceof RegExp ? `__RE__${v.source}__RE__` : v)).replace(/"__RE__(.*?)__RE__"/g, (_m, s: string) => `new RegExp(${JSON.stringify(s.replace(/\\\\/g, '\\'))})`)
  writeFileSync(file, `export default ${src}\n`)
  return file
}
