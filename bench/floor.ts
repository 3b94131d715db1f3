import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createVitest, type TestModule } from 'vitest/node'
import { hardenedWarmForks } from '../src/runner/worker-pool.ts'
import { FileWatcher } from '../src/watch/file-watcher.ts'
import { PAUSE_MS } from './save-to-verdict.ts'

const answer = (n: number) => `export const answer = () => ${n}\n`

/**
 * The floor: what a save costs with nothing of roadmap's per-run work. The same file
 * watcher, the same warm hardened worker pool and the same Vitest settings the runner
 * uses, running a one-line test; no setup file, no collector, no watchdog, no alias,
 * no services. A kata's save → verdict over this is roadmap's own cost.
 */
export async function floorSaves(dir: string, saves: number): Promise<number[]> {
  const root = join(dir, 'floor')
  mkdirSync(root, { recursive: true })
  const source = join(root, 'answer.ts')
  const suite = join(root, 'trivial.test.ts')
  writeFileSync(source, answer(0))
  writeFileSync(suite, `import { expect, it } from 'vitest'\nimport { answer } from './answer.ts'\n\nit('answers', () => expect(answer()).toBe(42))\n`)
  let onEnd: ((ok: boolean) => void) | undefined
  const reporter = {
    onTestRunEnd(modules: ReadonlyArray<TestModule>) {
      onEnd?.(modules.every((m) => m.ok()))
      // As the runner does: the spare worker is forked once the verdict is out.
      setImmediate(() => warm.verdictOut())
    },
  }
  const warm = hardenedWarmForks({ heapMb: 512 })
  const vitest = await createVitest(
    { root, config: false, watch: false, include: ['trivial.test.ts'], pool: warm.pool, maxWorkers: 1, isolate: true, fileParallelism: false, reporters: [reporter], passWithNoTests: true },
    { server: { watch: null }, logLevel: 'silent', clearScreen: false },
  )
  await vitest.standalone()
  const spec = vitest.getRootProject().createSpecification(suite)
  const run = () => void vitest.runTestSpecifications([spec])
  const watcher = new FileWatcher(root, (files) => {
    for (const f of files) vitest.invalidateFile(f)
    run()
  })
  const times: number[] = []
  try {
    await watcher.ready()
    const first = new Promise<boolean>((r) => (onEnd = r))
    run()
    await first
    for (let i = 0; i < saves; i++) {
      const passing = i % 2 === 0
      await new Promise((r) => setTimeout(r, PAUSE_MS))
      const done = new Promise<boolean>((r) => (onEnd = r))
      const t0 = performance.now()
      writeFileSync(source, answer(passing ? 42 : 41))
      const ok = await done
      times.push(performance.now() - t0)
      if (ok !== passing) throw new Error(`floor, save ${i}: expected ${passing ? 'pass' : 'fail'}`)
    }
  } finally {
    await watcher.close()
    await vitest.close()
    warm.dispose()
  }
  return times
}
