import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
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
})
