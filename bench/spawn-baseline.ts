import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { loadCatalogLenient } from '../src/catalog/load.ts'
import type { Kata } from '../src/catalog/types.ts'

/** Baseline: what a naive harness does, one `vitest run <suite>` process per save. */
export function spawnSaves(dir: string, kataId: string, saves: number): number[] {
  const kata = loadCatalogLenient(dir).catalog.byId.get(kataId) as Kata
  const config = join(dir, 'vitest.bench.config.mjs')
  const entry = join(dir, 'exercises', kata.dir, kata.files[0]!)
  writeFileSync(config, `export default { resolve: { alias: { '@kata/${kata.id}': ${JSON.stringify(entry)} } }, test: { include: ['harness/**/kata.test.ts'], pool: 'forks' } }\n`)
  const starter = readFileSync(entry, 'utf8')
  const solution = readFileSync(join(dir, 'solutions', kata.dir, kata.files[0]!), 'utf8')
  const vitest = join(dir, 'node_modules', 'vitest', 'vitest.mjs')
  const times: number[] = []
  for (let i = 0; i < saves; i++) {
    const passing = i % 2 === 0
    const t0 = performance.now()
    writeFileSync(entry, passing ? solution : starter)
    let ok = true
    try {
      execFileSync(process.execPath, [vitest, 'run', kata.suiteFile, '--config', config, '--reporter=dot'], { cwd: dir, stdio: 'ignore' })
    } catch {
      ok = false
    }
    times.push(performance.now() - t0)
    if (ok !== passing) throw new Error(`spawn save ${i}: expected ${passing ? 'pass' : 'fail'}`)
  }
  writeFileSync(entry, starter)
  return times
}
