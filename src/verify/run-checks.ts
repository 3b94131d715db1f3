import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import type { Catalog, Kata } from '../catalog/types.ts'
import type { Lang } from '../i18n/lang.ts'
import type { RunnerPool } from '../runner/pool.ts'
import { exercisesTarget, solutionsTarget } from '../runner/target.ts'
import { checkKata, type KataCheck } from './check-kata.ts'
import { OverlayTarget } from './overlays.ts'

/** Checks katas in this process, on a pool of runners. */
export async function checkHere(pool: RunnerPool, catalog: Catalog, katas: Kata[], repeat: number, lang: Lang, onCheck: (c: KataCheck) => void): Promise<KataCheck[]> {
  const overlays = new OverlayTarget(catalog)
  const setup = { pool, catalog, solutions: solutionsTarget(catalog), exercises: exercisesTarget(catalog), overlays, repeat, lang }
  try {
    return await Promise.all(
      katas.map(async (k) => {
        const c = await checkKata(setup, k)
        onCheck(c)
        return c
      }),
    )
  } finally {
    overlays.dispose()
  }
}

/**
 * Checks katas in `processes` child processes, each taking one shard. One process's
 * main thread (Vite, the reporter, RPC to the workers) is what limits a single
 * `verify`; several of them use every core.
 */
export async function checkInProcesses(bin: string, root: string, katas: Kata[], processes: number, repeat: number, lang: Lang, onCheck: (c: KataCheck) => void): Promise<KataCheck[]> {
  const ids = katas.flatMap((k) => ['--kata', k.id])
  const shards = Array.from({ length: processes }, (_, i) =>
    new Promise<KataCheck[]>((resolve, reject) => {
      const child = spawn(process.execPath, [bin, 'verify', '--root', root, '--lang', lang, '--jsonl', '--repeat', String(repeat), '--shard', `${i + 1}/${processes}`, ...ids], { stdio: ['ignore', 'pipe', 'inherit'] })
      const checks: KataCheck[] = []
      createInterface({ input: child.stdout }).on('line', (line) => {
        if (!line.startsWith('{')) return
        const c = JSON.parse(line) as KataCheck
        checks.push(c)
        onCheck(c)
      })
      child.on('error', reject)
      child.on('close', () => resolve(checks))
    }),
  )
  return (await Promise.all(shards)).flat()
}
