import { existsSync } from 'node:fs'
import { dirname, isAbsolute, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Plugin } from 'vite'
import { SERVICE_NAMES } from '../catalog/schema.ts'
import type { Catalog } from '../catalog/types.ts'
import type { Target } from './target.ts'

export const KATA_PREFIX = '@kata/'
const SUPPORT_PREFIX = '#support/'
const FRAMEWORK = /^(vitest|vite|chai|@vitest\/.*|vitest\/.*|vite\/.*|tinyspy|expect|tinyrainbow|birpc|vite-node(\/.*)?|@vitest|tsx(\/.*)?|esbuild)$/
/** Node modules that reach into the runtime grading runs in (its heap, its module loader, other realms). */
const INTROSPECTION = /^(node:)?(inspector(\/promises)?|v8|vm|worker_threads|module|repl|trace_events|wasi)$/
/** The same frameworks reached by path: node_modules/<one of them>/… */
const FRAMEWORK_PATH = /[\\/]node_modules[\\/](vitest|vite|chai|@vitest|tinyspy|expect|tinyrainbow|birpc|vite-node|tsx|esbuild)[\\/]/
/** This installation of roadmap: its node_modules and its harness/support serve any catalog. */
const INSTALL_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
const inside = (dir: string, file: string) => !relative(dir, file).startsWith('..')

/** The file `#support/<name>` resolves to: the catalog's own, else this installation's. */
export function supportFile(catalog: Catalog, name: string): string {
  const own = join(catalog.root, 'harness', 'support', `${name}.ts`)
  return existsSync(own) ? own : join(INSTALL_ROOT, 'harness', 'support', `${name}.ts`)
}

/** A fixture per service, and the helpers they share. */
export const NATIVE_FIXTURES = ['services', ...SERVICE_NAMES]

/**
 * The service fixtures (the curriculum's or this installation's), which Node loads itself
 * (Vitest's server.deps.external) instead of Vitest's module runner fetching each of their
 * modules over the worker's channel: a spare worker preloads the last kata's, so a run finds
 * them in Node's module cache. Erasable TypeScript only (tsconfig.src.json holds them to it);
 * none on a Node that cannot strip types (older than 22.18).
 */
export function nativeFixtures(catalog: Catalog): RegExp | undefined {
  if (!process.features.typescript) return undefined
  const roots = [...new Set([catalog.root, INSTALL_ROOT])].map((r) => r.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
  return new RegExp(`^(${roots.join('|')})/harness/support/(${NATIVE_FIXTURES.join('|')})\\.ts$`)
}

/**
 * Resolves `@kata/<id>` (the kata's entry file) and `@kata/<id>/<file>` against the
 * target, so one suite grades exercises, solutions or a submission alike. Files that
 * live outside this installation (a submission folder, a third-party catalog given with
 * --root) get its dependencies and its `#support/*` fixtures when they have none.
 */
export function kataAliasPlugin(catalog: Catalog, target: Target): Plugin {
  const ids = [...catalog.byId.keys()].sort((a, b) => b.length - a.length)
  // A kata may need a module grading refuses elsewhere (profiling needs node:inspector).
  const allowedFor = (file: string) => {
    const rel = relative(target.root, file)
    const kata = catalog.katas.find((k) => rel.startsWith(`${k.dir}/`))
    return new Set((kata?.allowedModules ?? []).flatMap((m) => [m, m.replace(/^node:/, '')]))
  }
  const refusedBuiltin = (source: string, file: string) => INTROSPECTION.test(source) && !allowedFor(file).has(source)
  return {
    name: 'roadmap:kata-alias',
    enforce: 'pre',
    // Vitest hands its own modules to the worker without asking the resolver: the
    // graded files' import specifiers are checked in their source as well.
    transform(code, id) {
      if (target.kind !== 'submission' || !inside(target.root, id.split('?')[0]!)) return null
      for (const m of code.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*(['"`])([^'"`]+)\1/g)) {
        const source = m[2]!
        const file = source.startsWith('.') || isAbsolute(source) ? resolve(dirname(id), source) : ''
        if (FRAMEWORK.test(source) || source.startsWith('@vitest/') || (file && FRAMEWORK_PATH.test(file))) return this.error(`<submission>/exercises/${relative(target.root, id)}: kata code may not import "${source}" (the test framework that grades it)`)
        if (refusedBuiltin(source, id)) return this.error(`<submission>/exercises/${relative(target.root, id)}: kata code may not import "${source}" (it reaches into the runtime that grades it)`)
      }
      return null
    },
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
      if (source.startsWith(SUPPORT_PREFIX)) return supportFile(catalog, source.slice(SUPPORT_PREFIX.length))
      const graded = target.kind === 'submission' && !!importer && inside(target.root, importer)
      if (graded && importer) {
        // Graded code gets no handle on the test framework it is graded by, nor on the
        // runtime under it, by name or by path; and nothing outside its own folder but
        // packages (not the solutions, not the suites).
        const shown = `<submission>/exercises/${relative(target.root, importer)}`
        if (FRAMEWORK.test(source) || (source.startsWith('@vitest/') && !source.includes('..'))) return this.error(`${shown}: kata code may not import "${source}" (the test framework that grades it)`)
        if (refusedBuiltin(source, importer)) return this.error(`${shown}: kata code may not import "${source}" (it reaches into the runtime that grades it)`)
        if (source.startsWith('.') || isAbsolute(source) || source.startsWith('file:')) {
          const file = resolve(dirname(importer), source.startsWith('file:') ? fileURLToPath(source) : source)
          if (FRAMEWORK_PATH.test(file)) return this.error(`${shown}: kata code may not import "${source}" (the test framework that grades it)`)
          if (!inside(target.root, file)) return this.error(`${shown}: kata code may import only files of its own submission and packages, not "${source}"`)
        }
      }
      if (!importer || source.startsWith('.') || isAbsolute(source) || source.startsWith('\0') || source.startsWith('#')) return null
      if (inside(INSTALL_ROOT, importer)) return null
      return (await this.resolve(source, importer, { skipSelf: true })) ?? this.resolve(source, join(INSTALL_ROOT, 'package.json'), { skipSelf: true })
    },
  }
}
