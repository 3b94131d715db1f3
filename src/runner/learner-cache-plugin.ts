import { relative } from 'node:path'
import type { Plugin } from 'vite'
// Declares Vite's plugin hook `configureVitest`.
import type {} from 'vitest/config'
import type { Target } from './target.ts'

/**
 * Keeps the learner's files out of Vitest's on-disk module cache. They change on every
 * save, and each new transform was written to the cache and its manifest rewritten while
 * the run finished, before the verdict (5–15 ms a save). The suites and their fixtures,
 * which do not change, stay cached: they are what the first run of a kata loads.
 */
export function learnerCachePlugin(target: Target): Plugin {
  const learners = (id: string) => !relative(target.root, id.split('?')[0]!).startsWith('..')
  return {
    name: 'roadmap:learner-files-uncached',
    configureVitest({ defineCacheKeyGenerator }) {
      defineCacheKeyGenerator(({ id }) => (learners(id) ? false : undefined))
    },
  }
}
