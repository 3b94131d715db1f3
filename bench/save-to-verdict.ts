import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { loadCatalogLenient } from '../src/catalog/load.ts'
import type { Kata } from '../src/catalog/types.ts'
import { ProgressStore } from '../src/progress/store.ts'
import { WatchEngine } from '../src/watch/engine.ts'

/**
 * Save → verdict through the real watch engine: write the file, wait for the result
 * event, alternate a failing and a passing version, and check every verdict.
 */
export async function engineSaves(dir: string, kataId: string, saves: number): Promise<number[]> {
  const catalog = loadCatalogLenient(dir).catalog
  const kata = catalog.byId.get(kataId) as Kata
  const file = join(dir, 'exercises', kata.dir, kata.files[0]!)
  const starter = readFileSync(file, 'utf8')
  const solution = readFileSync(join(dir, 'solutions', kata.dir, kata.files[0]!), 'utf8')
  const engine = new WatchEngine({ catalog, store: new ProgressStore(dir), config: {} })
  await engine.start()
  engine.focus(kataId)
  const times: number[] = []
  try {
    for (let i = 0; i < saves; i++) {
      const passing = i % 2 === 0
      await engine.idle()
      await new Promise((r) => setTimeout(r, 30))
      // Only a run that starts after this write counts: no earlier run's verdict.
      let started = false
      const done = new Promise<{ verdict: string }>((resolve) => {
        const off = engine.on((e) => {
          if (e.type === 'run-start' && e.id === kataId && e.reason === 'save') started = true
          if (e.type === 'result' && e.result.id === kataId && started) {
            off()
            resolve(e.result)
          }
        })
      })
      const t0 = performance.now()
      writeFileSync(file, passing ? solution : starter)
      const r = await done
      times.push(performance.now() - t0)
      const want = passing ? 'pass' : 'fail'
      if (r.verdict !== want) throw new Error(`save ${i}: expected ${want}, got ${r.verdict}`)
    }
  } finally {
    await engine.close()
    writeFileSync(file, starter)
  }
  return times
}
