// The shape of the `t` argument of defineTests: Vitest's API, handed to you by the grader.
// (Read-only: the grader provides the real functions.)
import type { createExpect, vi } from 'vitest'

type Each = <T>(cases: readonly T[]) => (name: string, fn: (...args: any[]) => unknown) => void

export interface TestApi {
  describe: ((name: string, fn: () => void) => void) & { each: Each }
  it: ((name: string, fn: () => unknown) => void) & { each: Each }
  test: ((name: string, fn: () => unknown) => void) & { each: Each }
  beforeAll(fn: () => unknown): void
  afterAll(fn: () => unknown): void
  beforeEach(fn: () => unknown): void
  afterEach(fn: () => unknown): void
  expect: ReturnType<typeof createExpect>
  vi: typeof vi
}
