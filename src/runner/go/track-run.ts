import { existsSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { GO_DIR } from '../../catalog/go-track.ts'
import type { GoTrack, ServiceName } from '../../catalog/schema.ts'
import type { Kata } from '../../catalog/types.ts'
import type { KataResult } from '../../results/model.ts'
import type { ServiceAccess } from '../../services/access.ts'
import { SERVICES } from '../../services/catalog.ts'
import type { Principal } from '../privileges.ts'
import type { Target } from '../target.ts'
import { GoGradingError } from './errors.ts'
import { runGoKata } from './go-test.ts'
import { buildGoProgram } from './build-program.ts'

/** The learner's Go package of a kata in a target (exercises/, solutions/, a submission). */
export const goPackageDir = (target: Target, kata: Kata) => join(target.root, kata.dir, GO_DIR)

/** The hidden `_test.go` files of a kata. */
export const goTestsDir = (root: string, kata: Kata) => join(root, 'harness', kata.dir, GO_DIR)

/**
 * Runs a wire kata's Vitest suite against the learner's built Go program: a RunnerPool's or
 * SuiteRunner's run in the caller's session (see WireSuites), which hands the suite the program.
 */
export type WireSuite = (kata: Kata, target: Target, program: string) => Promise<KataResult>

/** What a Go run is given besides the package: the session's services, and a mutant to lay over it. */
export interface GoTrackOptions {
  /** The services the command resolved (Services.access()); a kata that needs one it lacks is 'unavailable'. */
  services?: ServiceAccess
  /** File name in the package → file laid over it (how verify lays a mutant over the solution). */
  replace?: Record<string, string>
  /** The OS user the test binary runs as (grade), in namespaces of its own. */
  principal?: Principal
  /** How the session runs a wire kata's suite (go.grade: wire); without it such a kata is 'unavailable'. */
  wire?: WireSuite
}

/**
 * The environment variables that hand a kata's services to its Go tests, under the names
 * the Go world uses (DATABASE_URL, REDIS_URL, AMQP_URL, NATS_URL: SERVICES[name].envVar),
 * or why one of them cannot be handed over.
 */
export function goServiceEnv(needs: readonly ServiceName[], services: ServiceAccess | undefined): { env: Record<string, string> } | { missing: string } {
  const env: Record<string, string> = {}
  const missing: string[] = []
  for (const name of needs) {
    const url = services?.urls[name]
    if (url) env[SERVICES[name].envVar] = url
    else missing.push(services?.problem(name) ?? `${SERVICES[name].label} was not looked for in this session`)
  }
  return missing.length ? { missing: missing.join('\n') } : { env }
}

/** A Go run that says nothing of the learner: a service or the toolchain is missing. */
export const unavailable = (kata: Kata, target: Target, message: string): KataResult => ({
  id: kata.id,
  target: target.kind,
  verdict: 'unavailable',
  tests: [],
  message,
  durationMs: 0,
  points: kata.points,
  score: 0,
  finishedAt: new Date().toISOString(),
})

/**
 * Grades a kata's Go track in a target. The kata's services reach the tests as environment
 * variables (see goServiceEnv); a service that is missing is a harness condition
 * ('unavailable'), never a verdict on the learner.
 */
export async function runGoTrack(root: string, kata: Kata, target: Target, opts: GoTrackOptions = {}): Promise<KataResult> {
  if (!kata.go) throw new Error(`${kata.id} has no Go track`)
  const pkg = goPackageDir(target, kata)
  if (!existsSync(join(pkg, 'go.mod'))) {
    // A submission without the kata's Go module: the learner's error, said plainly.
    const message = `${relative(dirname(target.root), pkg)}/go.mod is missing: the kata's Go package is a module of its own`
    return { id: kata.id, target: target.kind, verdict: 'error', tests: [], message, durationMs: 0, points: kata.points, score: 0, finishedAt: new Date().toISOString() }
  }
  const services = goServiceEnv(kata.services, opts.services)
  if ('missing' in services) return unavailable(kata, target, services.missing)
  try {
    const result = kata.go.grade === 'wire' ? await overTheWire(kata, kata.go, target, opts) : await grade(root, kata, kata.go, target, services.env, opts.replace, opts.principal)
    // A failed run of a kata with services: did a service go away mid-run? Then it says nothing of the learner.
    if (result.verdict !== 'pass' && kata.services.length && opts.services?.recheck) {
      const down = await opts.services.recheck([...kata.services])
      if (down) return { ...unavailable(kata, target, down), durationMs: result.durationMs }
    }
    return result
  } catch (err) {
    // No toolchain, no hidden tests: a harness condition, reported as such, never a verdict on the learner.
    if (!(err instanceof GoGradingError)) throw err
    return unavailable(kata, target, err.message)
  }
}

function grade(root: string, kata: Kata, go: GoTrack, target: Target, env: Record<string, string>, replace?: Record<string, string>, principal?: Principal): Promise<KataResult> {
  return runGoKata({
    id: kata.id,
    target: replace ? 'overlay' : target.kind,
    packageDir: goPackageDir(target, kata),
    testsDir: goTestsDir(root, kata),
    ...(replace ? { replace } : {}),
    budgetMs: go.budgetMs,
    points: kata.points,
    partialCredit: kata.partialCredit,
    env,
    ...(principal ? { principal } : {}),
  })
}

/**
 * A wire kata: the grader builds the learner's program, and the kata's own Vitest suite (the
 * TypeScript track's) starts it and talks to it over HTTP (harness/support/launch.ts).
 */
async function overTheWire(kata: Kata, go: GoTrack, target: Target, opts: GoTrackOptions): Promise<KataResult> {
  if (!opts.wire) return unavailable(kata, target, `${kata.id} is graded over the wire, by its suite: this command cannot run suites`)
  const started = Date.now()
  const shownAs = opts.replace ? 'overlay' : target.kind
  const built = await buildGoProgram({ packageDir: goPackageDir(target, kata), ...(opts.replace ? { replace: opts.replace } : {}), budgetMs: go.budgetMs, ...(opts.principal ? { principal: opts.principal } : {}) })
  if ('failed' in built) {
    return { id: kata.id, target: shownAs, verdict: 'error', tests: [], message: `the program does not build:\n${built.failed}`, durationMs: Date.now() - started, points: kata.points, score: 0, finishedAt: new Date().toISOString() }
  }
  try {
    const result = await opts.wire(kata, target, built.program)
    return { ...result, target: shownAs, durationMs: Date.now() - started }
  } finally {
    built.dispose()
  }
}
