import type { Catalog, Kata } from '../src/catalog/types.ts'
import type { WatchEngine } from '../src/watch/engine.ts'
import { kataVersions } from './kata-versions.ts'

/** Time between reading a verdict and the next save: a quick learner, the same for every method measured. */
export const PAUSE_MS = 500

/** Waits for the verdict of the first run of `kataId` that starts after now. */
export function nextVerdict(engine: WatchEngine, kataId: string, reason = 'save'): Promise<string> {
  let started = false
  return new Promise((resolve) => {
    const off = engine.on((e) => {
      if (e.type === 'run-start' && e.id === kataId && e.reason === reason) started = true
      if (e.type === 'result' && e.result.id === kataId && started) {
        off()
        resolve(e.result.verdict)
      }
    })
  })
}

/**
 * Save → verdict through the real watch engine: write the file, wait for the verdict of
 * the run that save started, alternate a failing and a passing version, check each.
 */
export async function engineSaves(engine: WatchEngine, catalog: Catalog, kata: Kata, saves: number): Promise<number[]> {
  const v = kataVersions(catalog.root, kata)
  engine.focus(kata.id)
  const times: number[] = []
  try {
    for (let i = 0; i < saves; i++) {
      const passing = i % 2 === 0
      await engine.idle()
      await new Promise((r) => setTimeout(r, PAUSE_MS))
      const verdict = nextVerdict(engine, kata.id)
      const t0 = performance.now()
      v.write(passing)
      const got = await verdict
      times.push(performance.now() - t0)
      const want = passing ? 'pass' : 'fail'
      if (got !== want && !(want === 'fail' && got === 'error')) throw new Error(`${kata.id}, save ${i}: expected ${want}, got ${got}`)
    }
  } finally {
    // Wait for the run the restoring save starts, so it cannot steal the focus later.
    const settled = nextVerdict(engine, kata.id)
    v.restore()
    await settled
    await engine.idle()
  }
  return times
}

/** Resident memory of this process after `n` reruns of a kata, in MB. */
export async function rssAfterReruns(engine: WatchEngine, kata: Kata, counts: number[]): Promise<Record<number, number>> {
  engine.focus(kata.id)
  await engine.idle()
  const out: Record<number, number> = {}
  let done = 0
  for (const n of counts) {
    for (; done < n; done++) {
      const verdict = nextVerdict(engine, kata.id, 'rerun')
      engine.rerun()
      await verdict
    }
    globalThis.gc?.()
    out[n] = Math.round((process.memoryUsage().rss / 2 ** 20) * 10) / 10
  }
  return out
}
