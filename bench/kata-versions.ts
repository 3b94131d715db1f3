import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Kata } from '../src/catalog/types.ts'

/** The failing (starter) and passing (solution) text of a kata's first file, and a writer. */
export function kataVersions(dir: string, kata: Kata) {
  const file = join(dir, 'exercises', kata.dir, kata.files[0]!)
  const starter = readFileSync(file, 'utf8')
  const solution = readFileSync(join(dir, 'solutions', kata.dir, kata.files[0]!), 'utf8')
  // Other learner files take the solution's version, so the first file alone decides.
  for (const f of kata.files.slice(1)) writeFileSync(join(dir, 'exercises', kata.dir, f), readFileSync(join(dir, 'solutions', kata.dir, f), 'utf8'))
  return {
    file,
    write: (passing: boolean) => writeFileSync(file, passing ? solution : starter),
    restore: () => writeFileSync(file, starter),
  }
}
