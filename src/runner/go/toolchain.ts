import { accessSync, constants } from 'node:fs'
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
