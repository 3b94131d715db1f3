import { spawn } from 'node:child_process'
import { chmodSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { WORKER_PRELOAD } from './worker-pool.ts'

const WARMUP = fileURLToPath(new URL('./compile-cache-warmup.mjs', import.meta.url))
const FORK_WORKER = join(dirname(fileURLToPath(import.meta.resolve('vitest'))), 'workers', 'forks.js')

export interface CompileCache {
  /** For NODE_COMPILE_CACHE. */
  readonly dir: string
  remove(): void
}

/**
 * Node's compile cache for graded workers, so each boots as a watch worker does (~40% less
 * CPU to load Vitest and the preload) instead of compiling every module again. Made by the
 * grader before any graded code runs, in a process of its own that loads only the worker's
 * own modules (`modules`: what the preload loads); then the grading users get it read-only:
 * Node keeps a folder per uid, and each of theirs is a link to the grader's, which they cannot
 * write. A cache a graded run could write would let it plant code in the next run's Vitest.
 * Undefined when it cannot be made: the workers then compile as before.
 */
export async function gradedCompileCache(uids: number[], modules: string[]): Promise<CompileCache | undefined> {
  const dir = mkdtempSync(join(tmpdir(), 'roadmap-compile-'))
  const remove = () => rmSync(dir, { recursive: true, force: true })
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      const env = { PATH: process.env.PATH ?? '', NODE_COMPILE_CACHE: dir, ROADMAP_PRELOAD: modules.join(',') }
      const child = spawn(process.execPath, [`--import=${WORKER_PRELOAD}`, WARMUP, FORK_WORKER], { env, stdio: 'ignore', timeout: 60_000 })
      child.on('error', reject)
      child.on('exit', resolve)
    })
    // Node names its folder <version>-<arch>-<flags hash>-<uid>.
    const [made] = readdirSync(dir)
    if (code !== 0 || !made) throw new Error('no compile cache made')
    for (const file of readdirSync(join(dir, made))) chmodSync(join(dir, made, file), 0o644)
    const prefix = made.slice(0, made.lastIndexOf('-') + 1)
    for (const uid of new Set(uids)) if (`${prefix}${uid}` !== made) symlinkSync(made, join(dir, `${prefix}${uid}`))
    for (const d of [dir, join(dir, made)]) chmodSync(d, 0o755)
    return { dir, remove }
  } catch {
    remove()
    return undefined
  }
}
