import { availableParallelism } from 'node:os'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ServiceName } from '../src/catalog/schema.ts'
import { loadCatalog } from '../src/catalog/load.ts'
import { loadTopics } from '../src/catalog/topics.ts'
import { RunnerPool } from '../src/runner/pool.ts'
import { exercisesTarget, solutionsTarget } from '../src/runner/target.ts'
import { Services } from '../src/services/services.ts'
import { checkKata, type CheckSetup } from '../src/verify/check-kata.ts'
import { isConcurrent, OverlayTarget } from '../src/verify/overlays.ts'
import { pristineExercises, ROOT } from './helpers.ts'

// `roadmap verify` over every kata, against the real services: each kata is one test,
// so a broken kata shows by name in the test report.
const catalog = loadCatalog(ROOT)
let services: Services
let pool: RunnerPool
let setup: CheckSetup
/**
 * Each mutant of a kata whose verdicts can depend on timing (services, concurrency) must
 * be rejected on every one of REPEAT runs; the others are deterministic and run once
 * (ROADMAP_VERIFY_REPEAT and ROADMAP_VERIFY_REPEAT_ALL override).
 */
const REPEAT = Number(process.env.ROADMAP_VERIFY_REPEAT ?? 5)
const repeatFor = (kata: (typeof catalog.katas)[number]) => (process.env.ROADMAP_VERIFY_REPEAT_ALL === '1' || isConcurrent(kata) ? REPEAT : 1)

beforeAll(async () => {
  const needed = new Set<ServiceName>(catalog.katas.flatMap((k) => k.services))
  services = await Services.resolve(needed, { root: ROOT, start: false })
  // Most of a suite's time is spent waiting (services, timers, TTLs, retries), not on a CPU:
  // two runs per core keep the cores busy; the budgets are wide enough for the sharing.
  pool = new RunnerPool({ catalog, services: services.access() }, Number(process.env.ROADMAP_VERIFY_JOBS ?? availableParallelism() * 2))
  // The starters as the curriculum ships them, not the learner's solved exercises/.
  const exercises = { ...exercisesTarget(catalog), root: pristineExercises() }
  setup = { pool, catalog, solutions: solutionsTarget(catalog), exercises, overlays: new OverlayTarget(catalog), repeat: REPEAT }
})
afterAll(async () => {
  await pool?.close()
  setup?.overlays.dispose()
  await services?.close()
})

describe.concurrent('every kata is sound: its solution passes, its starter fails, every mutant is rejected', () => {
  for (const kata of catalog.katas) {
    const runs = 2 + (kata.mutants.length + kata.alternatives.length) * repeatFor(kata)
    it(kata.id, { timeout: kata.budgetMs * (runs + 2) + 60_000 }, async () => {
      const check = await checkKata({ ...setup, repeat: repeatFor(kata) }, kata)
      expect(check.skipped, `${kata.id} was not checked: ${check.solution.message ?? check.starter.message}`).toBe(false)
      expect(check.problems, kata.id).toEqual([])
    })
  }
})

describe('curriculum', () => {
  // A chapter that exists must cover all of its topics; `roadmap verify` lists the
  // topics of chapters not written yet.
  it('covers every topic of each chapter it has', () => {
    const covered = new Set(catalog.katas.flatMap((k) => k.topics))
    const chapters = new Set(catalog.chapters.map((c) => c.id))
    const missing = loadTopics(ROOT).filter((t) => chapters.has(t.chapter) && !covered.has(t.id)).map((t) => t.id)
    expect(missing, 'topic ids no kata covers yet').toEqual([])
  })
})
