import { describe, expect, it } from 'vitest'

/**
 * The suite plays the package's user: it reads the kata's package.json, resolves
 * "@acme/slugs" and its subpaths the way Node does (the "exports" algorithm of
 * https://nodejs.org/api/packages.html, conditions node/import/default), and imports
 * only what that resolution allows.
 */
const PKG = '@acme/slugs'
const CONDITIONS = new Set(['node', 'import', 'module-sync', 'default'])

interface Manifest {
  name?: unknown
  type?: unknown
  main?: unknown
  exports?: unknown
}

async function manifest(): Promise<Manifest> {
  const mod = (await import('@kata/core/modules/package.json')) as { default: Manifest }
  return mod.default
}

type Resolution =
  | { kind: 'exported'; target: string }
  | { kind: 'not-exported'; why: string }
  | { kind: 'invalid'; why: string }
  | { kind: 'no-exports'; target: string }

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** PACKAGE_TARGET_RESOLVE: undefined = no match here, null = excluded, string = file. */
function resolveTarget(target: unknown, match: string | undefined): string | null | undefined | Error {
  if (typeof target === 'string') {
    if (!target.startsWith('./')) return new Error(`target "${target}" must start with "./"`)
    const segments = target.slice(2).split(/[/\\]/)
    if (segments.some((s) => s === '..' || s === '.' || s.toLowerCase() === 'node_modules')) {
      return new Error(`target "${target}" must stay inside the package`)
    }
    return match === undefined ? target : target.replaceAll('*', match)
  }
  if (Array.isArray(target)) {
    let last: Error | null | undefined
    for (const t of target) {
      const r = resolveTarget(t, match)
      if (typeof r === 'string') return r
      last = r
    }
    return last
  }
  if (isObject(target)) {
    for (const [cond, value] of Object.entries(target)) {
      if (!CONDITIONS.has(cond)) continue
      const r = resolveTarget(value, match)
      if (r !== undefined) return r
    }
    return undefined
  }
  if (target === null) return null
  return new Error(`target ${JSON.stringify(target)} is not a string, array, object or null`)
}

/** PACKAGE_EXPORTS_RESOLVE for "." or "./sub". */
function resolveSubpath(pkg: Manifest, subpath: string): Resolution {
  let exp = pkg.exports
  if (exp === undefined) {
    const main = typeof pkg.main === 'string' ? pkg.main : './index.js'
    return { kind: 'no-exports', target: subpath === '.' ? (main.startsWith('./') ? main : `./${main}`) : subpath }
  }
  const keys = isObject(exp) ? Object.keys(exp) : []
  const dotted = keys.filter((k) => k.startsWith('.'))
  if (dotted.length && dotted.length !== keys.length) {
    return { kind: 'invalid', why: '"exports" mixes subpath keys ("./x") with condition keys' }
  }
  if (!isObject(exp) || dotted.length === 0) exp = { '.': exp }
  const map = exp as Record<string, unknown>
  let target: unknown
  let match: string | undefined
  if (Object.hasOwn(map, subpath) && !subpath.includes('*')) target = map[subpath]
  else {
    // Patterns: the longest prefix before "*" wins (Node's PATTERN_KEY_COMPARE).
    const candidates = Object.keys(map)
      .filter((k) => k.split('*').length === 2)
      .filter((k) => {
        const [base, trailer] = k.split('*') as [string, string]
        return subpath.startsWith(base) && subpath !== base && subpath.endsWith(trailer) && subpath.length >= k.length
      })
      .sort((a, b) => b.indexOf('*') - a.indexOf('*') || b.length - a.length)
    const best = candidates[0]
    if (best === undefined) return { kind: 'not-exported', why: `no key of "exports" matches "${subpath}"` }
    const [base, trailer] = best.split('*') as [string, string]
    target = map[best]
    match = subpath.slice(base.length, subpath.length - trailer.length)
  }
  const r = resolveTarget(target, match)
  if (r instanceof Error) return { kind: 'invalid', why: r.message }
  if (r === null) return { kind: 'not-exported', why: `"exports" maps "${subpath}" to null` }
  if (r === undefined) return { kind: 'not-exported', why: `no condition of "${subpath}" matches node/import/default` }
  return { kind: 'exported', target: r }
}

const specifier = (subpath: string) => (subpath === '.' ? PKG : `${PKG}/${subpath.slice(2)}`)

async function importFile(target: string): Promise<Record<string, unknown>> {
  return (await import(/* @vite-ignore */ `@kata/core/modules/${target.slice(2)}`)) as Record<string, unknown>
}

/** import(specifier) as a user of the package would, failing with what went wrong. */
async function importPublic(subpath: string): Promise<Record<string, unknown>> {
  const r = resolveSubpath(await manifest(), subpath)
  const spec = specifier(subpath)
  if (r.kind === 'no-exports') throw new Error(`package.json has no "exports" map: add one that exports "${subpath}"`)
  if (r.kind === 'invalid') throw new Error(`import("${spec}"): invalid "exports": ${r.why}`)
  if (r.kind === 'not-exported') throw new Error(`import("${spec}") fails: ${r.why}`)
  try {
    return await importFile(r.target)
  } catch (e) {
    throw new Error(`import("${spec}") resolves to ${r.target}, which cannot be loaded: ${(e as Error).message}`)
  }
}

type Slugify = (text: string, options?: { maxLength?: number; separator?: string }) => string
const api = async () => {
  const mod = await importPublic('.')
  return { slugify: mod.slugify as Slugify, SlugError: mod.SlugError as new (...a: never[]) => Error }
}

describe('package.json', () => {
  it('names the package @acme/slugs, is an ES module, and has an "exports" map', async () => {
    const pkg = await manifest()
    expect(pkg.name, 'package.json "name"').toBe(PKG)
    expect(pkg.type, 'package.json "type"').toBe('module')
    expect(pkg.exports, 'package.json "exports"').toBeDefined()
  })
})

describe('the public API', () => {
  it('import("@acme/slugs") exposes exactly slugify and SlugError', async () => {
    const mod = await importPublic('.')
    expect(Object.keys(mod).sort(), 'names exported by import("@acme/slugs")').toEqual(['SlugError', 'slugify'])
  })

  it('slugify turns text into a URL slug', async () => {
    const { slugify } = await api()
    const cases: Array<[string, string]> = [
      ['Hello, World!', 'hello-world'],
      ['  Crème Brûlée  ', 'creme-brulee'],
      ['Go & TypeScript -- 2 katas', 'go-typescript-2-katas'],
      ['already-a-slug', 'already-a-slug'],
    ]
    for (const [input, slug] of cases) expect(slugify(input), `slugify(${JSON.stringify(input)})`).toBe(slug)
  })

  it('slugify honours maxLength and separator', async () => {
    const { slugify } = await api()
    expect(slugify('Go & TypeScript', { separator: '_' }), 'slugify("Go & TypeScript", { separator: "_" })').toBe('go_typescript')
    expect(slugify('one two three', { maxLength: 8 }), 'slugify("one two three", { maxLength: 8 })').toBe('one-two')
    expect(slugify('x'.repeat(100)).length, 'length of slugify("x" × 100) with the default maxLength').toBe(64)
    expect(slugify('one two three', { maxLength: 8, separator: '_' }), 'slugify("one two three", { maxLength: 8, separator: "_" }): no separator left at the end').toBe('one_two')
    expect(slugify('a b c', { maxLength: 4, separator: '::' }), 'slugify("a b c", { maxLength: 4, separator: "::" })').toBe('a::b')
    expect(slugify('Ab   ----   Cd', { maxLength: 5 }), 'slugify("Ab   ----   Cd", { maxLength: 5 }): maxLength limits the slug, not the input text').toBe('ab-cd')
  })

  it('slugify throws SlugError (with the input) when nothing is left', async () => {
    const { slugify, SlugError } = await api()
    let err: unknown
    try {
      slugify('!!! ???')
    } catch (e) {
      err = e
    }
    expect(err, 'slugify("!!! ???")').toBeInstanceOf(SlugError)
    expect((err as { input?: string }).input, 'SlugError.input').toBe('!!! ???')
  })

  it('import("@acme/slugs/errors") gives the very same SlugError class as the main entry', async () => {
    const errors = await importPublic('./errors')
    const { SlugError } = await api()
    expect(errors.SlugError, 'SlugError from "@acme/slugs/errors"').toBeTypeOf('function')
    expect(errors.SlugError === SlugError, 'SlugError from "@acme/slugs/errors" === SlugError from "@acme/slugs"').toBe(true)
  })

  it('import("@acme/slugs/package.json") works, so tools can read the version', async () => {
    const mod = (await importPublic('./package.json')) as { default?: { name?: string } }
    expect(mod.default?.name, 'name read through "@acme/slugs/package.json"').toBe(PKG)
  })
})

describe('internals stay internal', () => {
  const internals = [
    './src/internal/normalize.ts',
    './src/internal/normalize',
    './internal/normalize',
    './internal/normalize.ts',
    './src/slugify.ts',
    './slugify',
    './src/index.ts',
    './src/errors.ts',
  ]

  it(`cannot be imported: ${internals.map((s) => `"${PKG}/${s.slice(2)}"`).join(', ')}`, async () => {
    const pkg = await manifest()
    for (const subpath of internals) {
      const r = resolveSubpath(pkg, subpath)
      const spec = specifier(subpath)
      if (r.kind === 'no-exports' || r.kind === 'exported') {
        // Exposed only if the file it resolves to really loads.
        const loads = await importFile(r.target).then(
          () => true,
          () => false,
        )
        const why = r.kind === 'no-exports' ? 'without an "exports" map every file of the package is public' : `"exports" maps it to ${r.target}`
        expect(loads, `import("${spec}") works (${why}): it must not`).toBe(false)
      }
    }
  })

  it('every target in "exports" stays inside the package and loads', async () => {
    const pkg = await manifest()
    expect(pkg.exports, 'package.json "exports"').toBeDefined()
    const map = isObject(pkg.exports) && Object.keys(pkg.exports).some((k) => k.startsWith('.')) ? pkg.exports : { '.': pkg.exports }
    for (const subpath of Object.keys(map).filter((k) => !k.includes('*'))) {
      const r = resolveSubpath(pkg, subpath)
      expect(r.kind === 'invalid' ? r.why : 'valid', `"exports" entry "${subpath}"`).toBe('valid')
      if (r.kind === 'exported') await expect(importFile(r.target), `import("${specifier(subpath)}") → ${r.target}`).resolves.toBeDefined()
    }
  })
})
