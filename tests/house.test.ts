import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { Catalog } from '../src/catalog/types.ts'
import { NATIVE_FIXTURES, nativeFixtures } from '../src/runner/alias-plugin.ts'
import { ROOT } from './helpers.ts'

// The shape ARCHITECTURE.md describes, held by tests: one writer per piece of state,
// folders that do not import each other.
describe('the house', () => {
  it('is the only writer of the progress file: no module outside src/progress writes it', () => {
    const sources = execFileSync('git', ['ls-files', 'src'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter((f) => /\.tsx?$/.test(f) && !f.startsWith('src/progress/'))
    const writers = sources.filter((f) => /\bwriteAtomic\b|\bPROGRESS_FILE\b|progress\.json/.test(readFileSync(join(ROOT, f), 'utf8')))
    expect(writers, 'modules that touch the progress file directly (use ProgressStore.record/seeHint/setCurrent/clearCheckOff)').toEqual([])
  })

  it('has no import cycle between the folders of src/ (data flows one way)', () => {
    const files = execFileSync('git', ['ls-files', 'src'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter((f) => /\.(ts|tsx|mjs)$/.test(f))
    const edges = new Set<string>()
    for (const f of files) {
      const from = f.split('/')[1]!
      if (from.includes('.')) continue
      for (const m of readFileSync(join(ROOT, f), 'utf8').matchAll(/from '\.\.\/([^/']+)\//g)) if (m[1] !== from) edges.add(`${from} → ${m[1]}`)
    }
    const both = [...edges].filter((e) => edges.has(e.split(' → ').reverse().join(' → ')))
    expect(both, 'folders that import each other').toEqual([])
  })

  it('has commands that print through the one output writer and exit with named codes', () => {
    const commands = execFileSync('git', ['ls-files', 'src/commands'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter((f) => /\.tsx?$/.test(f))
    const source = (f: string) => readFileSync(join(ROOT, f), 'utf8')
    // Reading a stream's state (isTTY) is fine; writing to it, or handing it on to write to, is not.
    const writers = commands.filter((f) => /\bprocess\.std(out|err)\b(?!\.isTTY)|\bconsole\.(log|error|warn|info)\b/.test(source(f)))
    expect(writers, 'commands that write to process.stdout/stderr directly (use ctx.out from src/report/output.ts)').toEqual([])
    const literal = commands.filter((f) => /\breturn\s+\d\b|\?\s*\d\s*:\s*\d\b|process\.exit\(\d\)|exitCode\s*=\s*\d/.test(source(f)))
    expect(literal, 'commands that exit with a bare number (use EXIT from src/errors.ts)').toEqual([])
  })

  it('gives the suites one declared API: nothing under harness/ imports src/ but src/support-api.ts', () => {
    const files = execFileSync('git', ['ls-files', 'harness'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter((f) => /\.(ts|tsx|mts|js|mjs)$/.test(f))
    const api = join(ROOT, 'src', 'support-api.ts')
    const reaches: string[] = []
    for (const f of files) {
      // Static, side-effect and dynamic imports, and re-exports.
      for (const m of readFileSync(join(ROOT, f), 'utf8').matchAll(/(?:\bfrom|\bimport)\s*\(?\s*(['"`])([^'"`]+)\1/g)) {
        const spec = m[2]!
        const target = spec.startsWith('#src/') ? join(ROOT, 'src', `${spec.slice(5)}.ts`) : spec.startsWith('.') ? resolve(dirname(join(ROOT, f)), spec) : undefined
        if (target && !relative(join(ROOT, 'src'), target).startsWith('..') && target !== api) reaches.push(`${f}: ${spec}`)
      }
    }
    expect(reaches, 'imports of src/ internals from harness/ (add what suites need to src/support-api.ts)').toEqual([])
  })

  it.runIf(!!process.features.typescript)('has service fixtures a worker can load before its run: erasable TypeScript, no per-run work when the module loads', () => {
    const native = nativeFixtures({ root: ROOT } as Catalog)!
    const fixtures = execFileSync('git', ['ls-files', 'harness/support'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter((f) => native.test(join(ROOT, f)))
    expect(fixtures).toHaveLength(NATIVE_FIXTURES.length)
    const checked = JSON.parse(readFileSync(join(ROOT, 'tsconfig.src.json'), 'utf8').replace(/^\s*\/\/.*$/gm, '')).include as string[]
    expect(fixtures.filter((f) => !checked.includes(f)), 'native fixtures tsconfig.src.json does not hold to erasable syntax').toEqual([])
    // A plain Node, as a spare worker's preload loads them: no Vitest worker state yet.
    const load = `for (const f of ${JSON.stringify(fixtures.map((f) => join(ROOT, f)))}) await import(f)`
    expect(() => execFileSync(process.execPath, ['--input-type=module', '-e', load], { cwd: ROOT, stdio: 'pipe' })).not.toThrow()
  })
})
