import { chmodSync, chownSync, mkdtempSync, realpathSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { Principal } from '../privileges.ts'
import { goCommand, relativize } from './go-command.ts'
import { writeOverlay } from './overlay.ts'
import { capMessage } from './test2json.ts'
import { requireGo } from './toolchain.ts'

/** The learner's program, built for one over-the-wire run; `dispose` removes it. */
export interface BuiltProgram {
  program: string
  dispose(): void
}

/** Why the program could not be built: the compiler's words with file:line:col, or a stopped build. */
export interface BuildFailure {
  failed: string
}

/**
 * `go build` of a wire kata's package (a mutant's files laid over it for verify). The grader
 * builds; the program runs later, started by the kata's suite in the run's worker, so with
 * grading it lands in a folder only the run's group may enter. cgo is off: nothing of the
 * learner's runs, or is compiled by a C compiler, on the grader's side.
 */
export async function buildGoProgram(run: { packageDir: string; replace?: Record<string, string>; budgetMs: number; principal?: Principal }): Promise<BuiltProgram | BuildFailure> {
  const go = requireGo()
  const packageDir = realpathSync(resolve(run.packageDir))
  const dir = mkdtempSync(join(tmpdir(), 'roadmap-go-program-'))
  const dispose = () => rmSync(dir, { recursive: true, force: true })
  const overlay = join(dir, 'overlay.json')
  const program = join(dir, 'program')
  try {
    const replace = Object.fromEntries(Object.entries(run.replace ?? {}).map(([name, file]) => [name, resolve(file)]))
    const shownAs = writeOverlay(overlay, packageDir, { files: [], names: [] }, replace)
    const built = await goCommand(go, ['build', '-trimpath', '-overlay', overlay, '-o', program, '.'], { cwd: packageDir, budgetMs: run.budgetMs, env: { CGO_ENABLED: '0' } })
    if (built.timedOut) return fail(dispose, `the build took longer than its budget of ${run.budgetMs} ms and was stopped`)
    if (built.code !== 0) {
      const words = built.stderr.split('\n').filter((l) => l.trim() && !l.startsWith('# ')).join('\n')
      return fail(dispose, capMessage(relativize(words, packageDir, shownAs)) || `go build exited with code ${built.code}`)
    }
    if (run.principal && !run.principal.sameUser) {
      chownSync(dir, 0, run.principal.gid)
      chownSync(program, 0, run.principal.gid)
      chmodSync(program, 0o750)
    }
    chmodSync(dir, run.principal && !run.principal.sameUser ? 0o750 : 0o700)
    return { program, dispose }
  } catch (err) {
    dispose()
    throw err
  }
}

function fail(dispose: () => void, failed: string): BuildFailure {
  dispose()
  return { failed }
}
