import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import type { Kata } from '../src/catalog/types.ts'
import { baselineConfig } from './baseline-config.ts'
import { kataVersions } from './kata-versions.ts'
import { PAUSE_MS } from './save-to-verdict.ts'

/** Baseline: what a naive harness does, one `vitest run <suite>` process per save. */
export function spawnSaves(dir: string, kata: Kata, services: Record<string, string>, saves: number): number[] {
  const config = baselineConfig(dir, kata, services)
  const v = kataVersions(dir, kata)
  const vitest = join(dir, 'node_modules', 'vitest', 'vitest.mjs')
  const times: number[] = []
  try {
    for (let i = 0; i < saves; i++) {
      const passing = i % 2 === 0
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, PAUSE_MS)
      const t0 = performance.now()
      v.write(passing)
      let ok = true
      try {
        execFileSync(process.execPath, [vitest, 'run', '--config', config, '--reporter=dot'], { cwd: dir, stdio: 'ignore' })
      } catch {
        ok = false
      }
      times.push(performance.now() - t0)
      if (ok !== passing) throw new Error(`spawn baseline, ${kata.id}, save ${i}: expected ${passing ? 'pass' : 'fail'}`)
    }
  } finally {
    v.restore()
  }
  return times
}
