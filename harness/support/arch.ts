// Helpers for the `arch` chapter: the import graph of a multi-file kata, read from
// the learner's sources (type-only imports included), so a suite can check which
// layer depends on which.
import { builtinModules } from 'node:module'
import * as nodeModule from 'node:module'
import { posix } from 'node:path'
import { init, parse } from 'es-module-lexer'

/** One import found in a file of the kata. */
export interface ImportEdge {
  /** Path of the importing file inside the kata folder, e.g. "domain/wallet.ts". */
  from: string
  /** The specifier as written: "../infrastructure/db.ts", "pg", "node:fs". */
  specifier: string
  /** For a relative specifier: the kata file it resolves to (undefined if none exists). */
  resolved?: string
  /** True when the specifier leaves the kata folder ("../../x"). */
  outside: boolean
  /** A bare specifier: a Node built-in ("node:fs", "fs") or an npm package ("pg"). */
  bare?: { builtin: boolean; name: string }
}

/** Reads a kata file by its path inside the kata folder; undefined when it does not exist. */
export type ReadKataFile = (path: string) => Promise<string | undefined>

const BUILTINS = new Set(builtinModules)

type Strip = (code: string, options: { mode: 'strip' | 'transform' }) => string

/**
 * Node's own TypeScript eraser (`module.stripTypeScriptTypes`); it warns that it is
 * experimental, which says nothing to a learner, so that one warning is muted.
 */
function stripTypes(code: string): string {
  const strip = (nodeModule as unknown as { stripTypeScriptTypes?: Strip }).stripTypeScriptTypes
  if (!strip) throw new Error('this Node.js has no module.stripTypeScriptTypes: use Node 22.13 or newer')
  const emit = process.emitWarning
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === 'string' ? warning : warning.message
    if (/stripTypeScriptTypes/.test(text)) return
    return (emit as (...a: unknown[]) => void).call(process, warning, ...rest)
  }) as typeof process.emitWarning
  try {
    return strip(code, { mode: 'transform' })
  } finally {
    process.emitWarning = emit
  }
}

/**
 * Type-only imports are dependencies too (a domain file that imports a type from
 * infrastructure still depends on it), but erasing types would drop them: turn them
 * into value imports first. Only import/export clauses are touched.
 */
function keepTypeImports(code: string): string {
  return code
    .replace(/\bimport\s+type\s+(?=[\w$*{])/g, 'import ')
    .replace(/\bexport\s+type\s*(?=[{*])/g, 'export ')
    .replace(/\b(import|export)(\s*)\{([^{}]*)\}(\s*from\b)/g, (_m, kw: string, sp: string, names: string, tail: string) =>
      `${kw}${sp}{${names.replace(/(^|,)(\s*)type\s+(?=[\w$])/g, '$1$2')}}${tail}`,
    )
}

/** The module specifiers a TypeScript source imports or re-exports (static and dynamic). */
export async function importSpecifiers(source: string, file = 'the file'): Promise<string[]> {
  await init
  let js: string
  try {
    js = stripTypes(keepTypeImports(source))
  } catch (err) {
    throw new Error(`${file} does not parse as TypeScript: ${(err as Error).message.split('\n')[0]}`)
  }
  const [imports] = parse(js, file)
  const out: string[] = []
  for (const i of imports) {
    // t 3 is import.meta; a dynamic import of a computed string has no name.
    if (i.n !== undefined && i.t !== 3) out.push(i.n)
  }
  return out
}

function candidates(path: string): string[] {
  if (/\.(ts|mts|cts)$/.test(path)) return [path]
  if (/\.(js|mjs|cjs)$/.test(path)) return [path.replace(/js$/, 'ts'), path]
  return [`${path}.ts`, `${path}/index.ts`, path]
}

/**
 * Follows the imports from `entries` through every kata file they reach (files the
 * learner added included) and returns every edge found.
 */
export async function importGraph(entries: readonly string[], read: ReadKataFile): Promise<ImportEdge[]> {
  const edges: ImportEdge[] = []
  const seen = new Set<string>()
  const queue = [...entries]
  while (queue.length) {
    const file = queue.shift()!
    if (seen.has(file)) continue
    seen.add(file)
    const source = await read(file)
    if (source === undefined) throw new Error(`${file} is missing: it is one of the kata's files`)
    for (const specifier of await importSpecifiers(source, file)) {
      if (specifier.startsWith('.') || specifier.startsWith('/')) {
        const target = posix.normalize(posix.join(posix.dirname(file), specifier))
        const outside = specifier.startsWith('/') || target.startsWith('..')
        let resolved: string | undefined
        if (!outside) {
          for (const c of candidates(target)) {
            if ((await read(c)) !== undefined) {
              resolved = c
              break
            }
          }
        }
        edges.push({ from: file, specifier, resolved, outside })
        if (resolved) queue.push(resolved)
      } else {
        const name = specifier.startsWith('node:') ? specifier.slice(5) : specifier
        const builtin = specifier.startsWith('node:') || BUILTINS.has(name)
        const pkg = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!
        edges.push({ from: file, specifier, outside: false, bare: { builtin, name: builtin ? name : pkg } })
      }
    }
  }
  return edges
}

/** What a promise rejected with, or undefined when it resolved. */
export async function rejectionOf(p: Promise<unknown> | unknown): Promise<unknown> {
  try {
    await p
  } catch (err) {
    return err
  }
  return undefined
}

/** A short description of a thrown value, for failure messages. */
export function describeThrown(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`
  return JSON.stringify(err) ?? String(err)
}
