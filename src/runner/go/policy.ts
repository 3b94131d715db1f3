import { execFile } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { goEnv } from './go-env.ts'

/**
 * What a graded Go package may not contain. The hidden tests run in the learner's process,
 * so learner code could end the test binary with a clean exit after printing forged results,
 * or take over the output the results are read from. These constructs are what it takes;
 * no kata needs them. (Forged lines printed while the real tests still run are caught by
 * outcomesOf: a test with two results.)
 */
const FORBIDDEN_IMPORTS: [RegExp, string][] = [
  [/^unsafe$/, 'unsafe (raw memory: it reaches the testing package\'s state)'],
  [/^syscall$|^golang\.org\/x\/sys(\/|$)/, 'syscall (raw exits and file descriptors)'],
  [/^os\/exec$/, 'os/exec (other programs)'],
  [/^plugin$/, 'plugin'],
  [/^runtime\/debug$/, 'runtime/debug'],
]

// Read on code with comments and strings blanked, whatever name a package is imported as.
const FORBIDDEN_CODE: [RegExp, string][] = [
  [/\.\s*Exit\b/, 'a call of Exit (os.Exit ends the test binary: a clean exit before the tests)'],
  [/\.\s*Std(out|err)\s*=(?!=)|&\s*[\w.\s]*\.\s*Std(out|err)\b/, 'replacing os.Stdout or os.Stderr (the test results are read from them)'],
  [/\.\s*"/, 'a dot import (import every package by its name)'],
]

export interface PolicyViolation {
  /** file:line, relative to the package. */
  at: string
  what: string
}

// A string or rune literal, or a comment: matched together so that a "//" inside a string is not a comment.
const LITERAL_OR_COMMENT = /\/\*[\s\S]*?\*\/|\/\/[^\n]*|`[^`]*`|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/g
const blank = (m: string) => m.replace(/[^\n]/g, ' ')

/** Comments blanked and literals emptied (lines kept), so the checks see only code. */
const codeOnly = (source: string) => source.replace(LITERAL_OR_COMMENT, (m) => (m.startsWith('/') ? blank(m) : `${m[0]}${blank(m.slice(1, -1))}${m.at(-1)}`))

function goFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.name.startsWith('.') || e.name === 'testdata' || e.isSymbolicLink()) return []
    const p = join(dir, e.name)
    if (e.isDirectory()) return goFiles(p)
    return e.name.endsWith('.go') && !e.name.endsWith('_test.go') ? [p] : []
  })
}

/** Imports and cgo files of the module's packages, as the go command sees them (any formatting, any alias). */
function listImports(go: string, packageDir: string): Promise<{ Dir?: string; Imports?: string[]; CgoFiles?: string[] }[]> {
  return new Promise((done) => {
    execFile(go, ['list', '-e', '-json', './...'], { cwd: packageDir, env: { ...goEnv(process.env), GOTOOLCHAIN: 'local', GOWORK: 'off' }, maxBuffer: 8 << 20, timeout: 60_000 }, (_err, stdout) => {
      // A stream of JSON objects, one per package; a broken go.mod lists nothing, and go test says why.
      const objects = String(stdout).split(/\n(?=\{)/).flatMap((chunk) => {
        try {
          return [JSON.parse(chunk) as { Dir?: string; Imports?: string[]; CgoFiles?: string[] }]
        } catch {
          return []
        }
      })
      done(objects)
    })
  })
}

/** Every forbidden construct in the learner's package (its `_test.go` files are not run), `replace` laid over it. */
export async function policyViolations(go: string, packageDir: string, replace: Record<string, string> = {}): Promise<PolicyViolation[]> {
  const found: PolicyViolation[] = []
  for (const pkg of await listImports(go, packageDir)) {
    const where = relative(packageDir, pkg.Dir ?? packageDir) || '.'
    for (const path of pkg.Imports ?? []) {
      const bad = FORBIDDEN_IMPORTS.find(([re]) => re.test(path))
      if (bad) found.push({ at: where, what: `import of ${bad[1]}` })
    }
    if (pkg.CgoFiles?.length) found.push({ at: `${where}/${pkg.CgoFiles[0]}`, what: 'cgo (import "C": C code is beyond every check)' })
  }
  for (const file of goFiles(packageDir)) {
    const name = relative(packageDir, file)
    // A file laid over the package (verify's mutants) is what runs: read that one.
    const source = readFileSync(replace[name] ?? file, 'utf8')
    source.split('\n').forEach((l, i) => {
      if (/^\s*\/\/go:linkname\b/.test(l)) found.push({ at: `${name}:${i + 1}`, what: '//go:linkname (reaches unexported state of other packages)' })
    })
    codeOnly(source)
      .split('\n')
      .forEach((l, i) => {
        for (const [re, what] of FORBIDDEN_CODE) if (re.test(l)) found.push({ at: `${name}:${i + 1}`, what })
      })
  }
  return found
}

/** The learner's message: where, what, and why it is refused. */
export function policyMessage(found: PolicyViolation[]): string {
  return `graded Go code may not use what could end or rewrite the test run:\n${found.map((v) => `${v.at}: ${v.what}`).join('\n')}`
}
