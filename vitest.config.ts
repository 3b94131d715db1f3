import { defineConfig } from 'vitest/config'

// The project's own tests. The hidden kata suites under harness/ are not run from
// here: they need the runner's @kata alias, and tests/verify.test.ts drives them.
export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts', 'tests/**/*.test.tsx'],
    exclude: ['tests/fixtures/**', 'node_modules/**'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 120_000,
    fileParallelism: true,
  },
})
