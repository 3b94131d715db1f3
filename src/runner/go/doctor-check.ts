import { join } from 'node:path'
import { GO_DIR } from '../../catalog/go-track.ts'
import type { Catalog } from '../../catalog/types.ts'
import { compareVersions, findGo, goModVersion, goVersion } from './toolchain.ts'

/** What doctor says about the Go toolchain. */
export interface GoToolchainStatus {
  /** The `go` binary found, if any. */
  path?: string
  version?: string
  /** The oldest Go that builds every Go kata: the highest `go` line of their go.mod files. */
  needed: string
  ok: boolean
}

/** Finds `go`, asks its version and compares it with what the Go katas' go.mod files ask for. */
export function goToolchainStatus(catalog: Catalog, env: NodeJS.ProcessEnv = process.env): GoToolchainStatus {
  const katas = (catalog.whole ?? catalog).katas.filter((k) => k.go)
  const versions = katas.flatMap((k) => goModVersion(join(catalog.root, 'exercises', k.dir, GO_DIR, 'go.mod')) ?? [])
  const needed = versions.sort(compareVersions).at(-1) ?? '1.22'
  const path = findGo(env)
  const version = path ? goVersion(path) : undefined
  return { ...(path ? { path } : {}), ...(version ? { version } : {}), needed, ok: !!version && compareVersions(version, needed) >= 0 }
}
