import { join, relative, isAbsolute } from 'node:path'
import type { Plugin } from 'vite'
import type { Catalog } from '../catalog/types.ts'
import type { Target } from './target.ts'

export const KATA_PREFIX = '@kata/'
const FRAMEWORK = /^(vitest|vite|chai|@vitest\/.*|vitest\/.*|vite\/.*|tinyspy|expect)$/

/**
 * Resolves `@kata/<id>` (the kata's entry file) and `@kata/<id>/<file>` against the
 * current target, so one suite grades exercises, solutions or a submission alike.
 * Bare imports from a target outside the checkout resolve as if from inside it, so a
 * submission folder uses the harness's node_modules.
 */
export function kataAliasPlugin(catalog: Catalog, target: Target): Plugin {
  const ids = [...catalog.byId.keys()].sort((a, b) => b.length - a.length)
  return {
    name: 'roadmap:kata-alias',
    enforce: 'pre',
    async resolveId(source, importer) {
      if (source.startsWith(KATA_PREFIX)) {
        const rest = source.slice(KATA_PREFIX.length)
        const id = ids.find((i) => rest === i || rest.startsWith(`${i}/`))
        if (!id) return this.error(`unknown kata "${rest}" in import "${source}"`)
        const kata = catalog.byId.get(id)!
        const sub = rest.slice(id.length + 1) || kata.files[0]!
        const file = join(target.root, kata.dir, sub)
        const resolved = await this.resolve(file, importer, { skipSelf: true })
        return resolved ?? file
      }
      if (!importer || source.startsWith('.') || isAbsolute(source) || source.startsWith('\0')) return null
      const rel = relative(target.root, importer)
      const fromLearner = !rel.startsWith('..')
      // Graded code gets no handle on the test framework it is graded by.
      if (fromLearner && target.kind === 'submission' && FRAMEWORK.test(source)) {
        return this.error(`${rel}: kata code may not import "${source}" (the test framework that grades it)`)
      }
      if (!fromLearner || !relative(catalog.root, importer).startsWith('..')) return null
      return this.resolve(source, join(catalog.root, 'exercises', rel), { skipSelf: true })
    },
  }
}
