import { createVitest, type TestModule } from 'vitest/node'
import type { Kata } from '../src/catalog/types.ts'
import { baselineConfig } from './baseline-config.ts'
import { kataVersions } from './kata-versions.ts'
import { PAUSE_MS } from './save-to-verdict.ts'

/** Baseline: Vitest's own watch mode (its watcher and rerun), on the same suite. */
export async function vitestWatchSaves(dir: string, kata: Kata, services: Record<string, string>, saves: number): Promise<number[]> {
  const config = baselineConfig(dir, kata, services)
  const v = kataVersions(dir, kata)
  let onEnd: ((ok: boolean) => void) | undefined
  const reporter = {
    onTestRunEnd(modules: ReadonlyArray<TestModule>) {
      onEnd?.(modules.every((m) => m.ok()))
    },
  }
  const vitest = await createVitest({ root: dir, config, watch: true, reporters: [reporter] }, { logLevel: 'silent', clearScreen: false })
  const times: number[] = []
  try {
    const first = new Promise<boolean>((r) => (onEnd = r))
    await vitest.start()
    await first
    for (let i = 0; i < saves; i++) {
      const passing = i % 2 === 0
      await new Promise((r) => setTimeout(r, PAUSE_MS))
      const done = new Promise<boolean>((r) => (onEnd = r))
      const t0 = performance.now()
      v.write(passing)
      const ok = await done
      times.push(performance.now() - t0)
      if (ok !== passing) throw new Error(`vitest watch baseline, ${kata.id}, save ${i}: expected ${passing ? 'pass' : 'fail'}`)
    }
  } finally {
    await vitest.close()
    v.restore()
  }
  return times
}
