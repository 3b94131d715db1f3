import { cpSync, mkdtempSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * A throwaway checkout for measuring: the catalog copied, code and dependencies
 * linked, so saves and progress never touch the real one.
 */
export function benchWorkspace(root: string, withBenchKatas = false): string {
  const dir = mkdtempSync(join(tmpdir(), 'roadmap-bench-'))
  for (const d of ['harness', 'exercises', 'solutions']) cpSync(join(root, d), join(dir, d), { recursive: true })
  // The bench chapter: one tiny kata per service, so figures measure the harness, not a suite.
  if (withBenchKatas) for (const d of ['harness', 'exercises', 'solutions']) cpSync(join(root, 'bench', 'fixtures', 'catalog', d), join(dir, d), { recursive: true })
  for (const l of ['node_modules', 'src', 'package.json', 'tsconfig.json']) symlinkSync(join(root, l), join(dir, l))
  return dir
}
