import { join } from 'node:path'
import { GO_DIR } from '../../catalog/go-track.ts'
import type { Track } from '../../catalog/track.ts'
import type { Kata } from '../../catalog/types.ts'
import type { KataResult } from '../../results/model.ts'
import { learnerFiles, type Target } from '../target.ts'
import { runGoKata } from './go-test.ts'

/** The learner's Go package of a kata in a target (exercises/, solutions/, a submission). */
export const goPackageDir = (target: Target, kata: Kata) => join(target.root, kata.dir, GO_DIR)

/** The hidden `_test.go` files of a kata. */
export const goTestsDir = (root: string, kata: Kata) => join(root, 'harness', kata.dir, GO_DIR)

/** The files the learner edits for a kata in a track: go/<file> in the Go track. */
export function trackFiles(target: Target, kata: Kata, track: Track): string[] {
  if (track === 'ts') return learnerFiles(target, kata)
  return (kata.go?.files ?? []).map((f) => join(goPackageDir(target, kata), f))
}

/**
 * Grades a kata's Go track in a target. `replace` (file name in the package → file laid
 * over it) is how verify lays a mutant over the solution.
 */
export function runGoTrack(root: string, kata: Kata, target: Target, replace?: Record<string, string>): Promise<KataResult> {
  if (!kata.go) throw new Error(`${kata.id} has no Go track`)
  return runGoKata({
    id: kata.id,
    target: replace ? 'overlay' : target.kind,
    packageDir: goPackageDir(target, kata),
    testsDir: goTestsDir(root, kata),
    ...(replace ? { replace } : {}),
    budgetMs: kata.go.budgetMs,
    points: kata.points,
    partialCredit: kata.partialCredit,
  })
}
