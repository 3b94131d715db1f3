import { existsSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { GO_DIR } from '../../catalog/go-track.ts'
import type { GoTrack } from '../../catalog/schema.ts'
import type { Kata } from '../../catalog/types.ts'
import type { KataResult } from '../../results/model.ts'
import type { Target } from '../target.ts'
import { GoGradingError } from './errors.ts'
import { runGoKata } from './go-test.ts'

/** The learner's Go package of a kata in a target (exercises/, solutions/, a submission). */
export const goPackageDir = (target: Target, kata: Kata) => join(target.root, kata.dir, GO_DIR)

/** The hidden `_test.go` files of a kata. */
export const goTestsDir = (root: string, kata: Kata) => join(root, 'harness', kata.dir, GO_DIR)

/**
 * Grades a kata's Go track in a target. `replace` (file name in the package → file laid
 * over it) is how verify lays a mutant over the solution.
 */
export async function runGoTrack(root: string, kata: Kata, target: Target, replace?: Record<string, string>): Promise<KataResult> {
  if (!kata.go) throw new Error(`${kata.id} has no Go track`)
  const pkg = goPackageDir(target, kata)
  if (!existsSync(join(pkg, 'go.mod'))) {
    // A submission without the kata's Go module: the learner's error, said plainly.
    const message = `${relative(dirname(target.root), pkg)}/go.mod is missing: the kata's Go package is a module of its own`
    return { id: kata.id, target: target.kind, verdict: 'error', tests: [], message, durationMs: 0, points: kata.points, score: 0, finishedAt: new Date().toISOString() }
  }
  try {
    return await grade(root, kata, kata.go, target, replace)
  } catch (err) {
    // No toolchain, no hidden tests: a harness condition, reported as such, never a verdict on the learner.
    if (!(err instanceof GoGradingError)) throw err
    return { id: kata.id, target: target.kind, verdict: 'unavailable', tests: [], message: err.message, durationMs: 0, points: kata.points, score: 0, finishedAt: new Date().toISOString() }
  }
}

function grade(root: string, kata: Kata, go: GoTrack, target: Target, replace?: Record<string, string>): Promise<KataResult> {
  return runGoKata({
    id: kata.id,
    target: replace ? 'overlay' : target.kind,
    packageDir: goPackageDir(target, kata),
    testsDir: goTestsDir(root, kata),
    ...(replace ? { replace } : {}),
    budgetMs: go.budgetMs,
    points: kata.points,
    partialCredit: kata.partialCredit,
  })
}
