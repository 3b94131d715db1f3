import { execFileSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import type { Catalog } from '../catalog/types.ts'
import { exercisesTarget, learnerFiles } from '../runner/target.ts'
import type { ProgressStore } from './store.ts'

/** The pristine starter could not be found. */
export class StarterUnavailableError extends Error {
  override name = 'StarterUnavailableError'
}

/** Copies of the starters as they were before the learner first worked on them: reset without git (a ZIP download). */
export const STARTERS_DIR = join('.roadmap', 'starters')

const git = (root: string, args: string[]) =>
  execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })

/**
 * Keeps a copy of each starter the learner has not worked on yet (no verdict, no hint
 * opened: the file is as the curriculum shipped it). Copies already kept are never
 * overwritten, so they stay the originals. Cheap: one stat per file once copied.
 */
export function keepStarters(root: string, catalog: Catalog, store: ProgressStore) {
  const target = exercisesTarget(catalog)
  for (const kata of catalog.katas) {
    if (store.snapshot.katas[kata.id]) continue
    for (const file of learnerFiles(target, kata)) {
      const copy = join(root, STARTERS_DIR, relative(root, file))
      if (existsSync(copy) || !existsSync(file)) continue
      try {
        mkdirSync(dirname(copy), { recursive: true })
        copyFileSync(file, copy)
      } catch {
        // A read-only checkout: reset falls back to git, as before.
      }
    }
  }
}

/**
 * The starter as the curriculum shipped it: from git when the checkout has its history
 * (the upstream remote's branch first: the learner's own commits may hold their
 * solutions; else the first commit that has the file), else the copy keepStarters made.
 */
export function pristineStarter(root: string, file: string): string {
  const path = relative(root, file)
  const refs = ['upstream/HEAD', 'origin/HEAD', 'upstream/main', 'origin/main']
  for (const ref of refs) {
    try {
      return git(root, ['show', `${ref}:${path}`])
    } catch {
      // not this ref: try the next
    }
  }
  try {
    const first = git(root, ['log', '--diff-filter=A', '--format=%H', '--', path]).trim().split('\n').pop()
    if (first) return git(root, ['show', `${first}:${path}`])
  } catch {
    // not a git checkout
  }
  const copy = join(root, STARTERS_DIR, path)
  if (existsSync(copy)) return readFileSync(copy, 'utf8')
  throw new StarterUnavailableError(`cannot find the original of ${path}: there is no git history here and no copy in ${STARTERS_DIR}/ (roadmap keeps one the first time it runs); download the roadmap again to get the starter`)
}
