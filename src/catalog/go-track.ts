import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { GoTrack } from './schema.ts'

/** The folder of a kata's Go package below exercises/ or solutions/ (and of its hidden tests below harness/). */
export const GO_DIR = 'go'
/** Where a kata's Go mutants live, beside harness/<kata>/go/. */
export const GO_MUTANTS_DIR = 'go-mutants'
/** Where a kata's other correct Go designs live: each must pass. */
export const GO_ALTERNATIVES_DIR = 'go-alternatives'

const filled = (file: string) => existsSync(file) && readFileSync(file, 'utf8').trim() !== ''

/**
 * What is wrong with a kata's `go:` block, as [field, reason]: the learner's files and
 * go.mod on both sides, the hidden tests of a native kata, the statement in both languages.
 */
export function goTrackProblems(root: string, dir: string, go: GoTrack): [string, string][] {
  const paths = { harness: join(root, 'harness'), exercises: join(root, 'exercises'), solutions: join(root, 'solutions') }
  const problems: [string, string][] = []
  for (const [side, base] of [['exercises', paths.exercises], ['solutions', paths.solutions]] as const) {
    go.files.forEach((f, i) => {
      if (!existsSync(join(base, dir, GO_DIR, f))) problems.push([`go.files.${i}`, `${side}/${dir}/${GO_DIR}/${f} does not exist`])
    })
    if (!existsSync(join(base, dir, GO_DIR, 'go.mod'))) problems.push(['go', `${side}/${dir}/${GO_DIR}/go.mod does not exist: each Go package is a module of its own`])
  }
  const tests = join(paths.harness, dir, GO_DIR)
  // A wire kata is graded by its Vitest suite: it has no hidden Go tests.
  if (go.grade === 'native' && (!existsSync(tests) || !readdirSync(tests).some((f) => f.endsWith('_test.go')))) {
    problems.push(['go', `no hidden Go tests: expected a _test.go file in harness/${dir}/${GO_DIR}/`])
  }
  for (const readme of ['README.md', 'README.ru.md']) {
    if (!filled(join(paths.exercises, dir, GO_DIR, readme))) {
      problems.push(['go', `exercises/${dir}/${GO_DIR}/${readme} is missing or empty: the Go statement exists in English and Russian`])
    }
  }
  return problems
}
