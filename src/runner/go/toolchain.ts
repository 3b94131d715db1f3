import { execFileSync } from 'node:child_process'
import { accessSync, constants, readFileSync } from 'node:fs'
import { delimiter, join } from 'node:path'
import { GoMissingError } from './errors.ts'

// Go's own installer puts it here without touching PATH; a shell that never sourced the
// profile still finds it.
const STANDARD_GO = '/usr/local/go/bin/go'

const executable = (file: string) => {
  try {
    accessSync(file, constants.X_OK)
    return true
  } catch {
    return false
  }
}

/** The `go` binary to run: ROADMAP_GO, else the first on PATH, else Go's standard install; undefined when none. */
export function findGo(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = [env.ROADMAP_GO, ...(env.PATH ?? '').split(delimiter).filter(Boolean).map((d) => join(d, 'go')), STANDARD_GO]
  return candidates.find((c): c is string => !!c && executable(c))
}

export function requireGo(env: NodeJS.ProcessEnv = process.env): string {
  const go = findGo(env)
  if (!go) throw new GoMissingError()
  return go
}

/** The version of a `go` binary ("1.26.8"), or undefined when it does not answer. */
export function goVersion(go: string): string | undefined {
  try {
    const out = execFileSync(go, ['env', 'GOVERSION'], { encoding: 'utf8', timeout: 10_000, env: { ...process.env, GOTOOLCHAIN: 'local' }, stdio: ['ignore', 'pipe', 'ignore'] })
    return /^go(\d+\.\d+(\.\d+)?)/.exec(out.trim())?.[1]
  } catch {
    return undefined
  }
}

/** Compares dotted versions numerically: negative when a < b. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number)
  const pb = b.split('.').map(Number)
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0)
    if (d) return d
  }
  return 0
}

/** The `go` directive of a go.mod: the oldest Go that builds the module. */
export function goModVersion(goMod: string): string | undefined {
  try {
    return /^go\s+(\d+\.\d+(\.\d+)?)\s*$/m.exec(readFileSync(goMod, 'utf8'))?.[1]
  } catch {
    return undefined
  }
}
