import { readdirSync, writeFileSync } from 'node:fs'
import { basename, join, relative } from 'node:path'
import { GoGradingError } from './errors.ts'

/** The hidden tests of a kata: the `_test.go` files and the top-level tests they declare. */
export interface HiddenTests {
  files: string[]
  /** `func TestX(t *testing.T)` names: each must run and pass for a 'pass'. */
  names: string[]
}

const TEST_FUNC = /^func (Test[A-Z_]\w*)\(\s*\w+\s+\*testing\.T\s*\)/gm

export function hiddenTests(testsDir: string, read: (file: string) => string): HiddenTests {
  const files = readdirSync(testsDir).filter((f) => f.endsWith('_test.go')).map((f) => join(testsDir, f))
  if (!files.length) throw new GoGradingError(`no hidden tests: ${testsDir} has no _test.go file`)
  const names = files.flatMap((f) => [...read(f).matchAll(TEST_FUNC)].map((m) => m[1]!))
  return { files, names }
}

/** Every `_test.go` below a folder: the learner's own tests, which the overlay removes. */
function learnerTestFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.name.startsWith('.') || e.name === 'testdata' || e.isSymbolicLink()) return []
    const p = join(dir, e.name)
    if (e.isDirectory()) return learnerTestFiles(p)
    return e.name.endsWith('_test.go') ? [p] : []
  })
}

/**
 * Writes the `go build -overlay` file: the hidden tests laid into the learner's package,
 * the learner's own `_test.go` files removed (a TestMain of theirs could skip ours), and
 * `replace` (file name in the package → file laid over it) for verify's mutants.
 * Returns the overlay's path and, for messages, what each laid file stands for.
 */
export function writeOverlay(file: string, packageDir: string, hidden: HiddenTests, replace: Record<string, string> = {}): Map<string, string> {
  const entries: Record<string, string> = {}
  const shownAs = new Map<string, string>()
  for (const own of learnerTestFiles(packageDir)) entries[own] = ''
  for (const [name, source] of Object.entries(replace)) {
    entries[join(packageDir, name)] = source
    shownAs.set(source, name)
  }
  for (const test of hidden.files) {
    entries[join(packageDir, basename(test))] = test
    shownAs.set(test, basename(test))
  }
  for (const f of Object.keys(entries)) if (relative(packageDir, f).startsWith('..')) throw new GoGradingError(`overlay entry outside the package: ${f}`)
  writeFileSync(file, JSON.stringify({ Replace: entries }))
  return shownAs
}
