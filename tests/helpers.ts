import { execFile, execFileSync } from 'node:child_process'
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { loadCatalogLenient } from '../src/catalog/load.ts'
import type { Kata } from '../src/catalog/types.ts'
import { STARTERS_DIR } from '../src/progress/starters.ts'

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
export const BIN = join(ROOT, 'bin', 'roadmap.js')

const exec = promisify(execFile)

/** Runs the real CLI without colours; never throws, returns the exit code and both streams. */
export async function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', ...env }, maxBuffer: 20 << 20 })
    return { code: 0, stdout, stderr }
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}
/** The catalog without its broken entries (catalog.test.ts holds the catalog to be whole). */
export const catalog = () => loadCatalogLenient(ROOT).catalog
export const tmp = (prefix = 'roadmap-test-') => mkdtempSync(join(tmpdir(), prefix))

/** A submission folder whose kata files have the given contents. */
export function submission(kata: Kata, files: Record<string, string>, dir = tmp('roadmap-sub-')): string {
  for (const [name, content] of Object.entries(files)) {
    const file = join(dir, 'exercises', kata.dir, name)
    mkdirSync(dirname(file), { recursive: true })
    writeFileSync(file, content)
  }
  return dir
}

/** A submission holding the reference solution of the given katas. */
export function solvedSubmission(katas: Kata[], dir = tmp('roadmap-sub-')): string {
  for (const k of katas) cpSync(join(ROOT, 'solutions', k.dir), join(dir, 'exercises', k.dir), { recursive: true })
  return dir
}

/**
 * A checkout holding only the demo catalog of tests/fixtures (two tiny katas), with
 * the harness's code and dependencies linked: tests of the harness do not depend on
 * the curriculum. Readable by everyone, as grading workers may run unprivileged.
 */
export function demoRoot(): string {
  const dir = tmp('roadmap-demo-')
  chmodSync(dir, 0o755)
  const fixture = join(ROOT, 'tests', 'fixtures', 'demo-catalog')
  for (const d of ['harness', 'exercises', 'solutions']) cpSync(join(fixture, d), join(dir, d), { recursive: true })
  cpSync(join(ROOT, 'harness', 'support'), join(dir, 'harness', 'support'), { recursive: true })
  cpSync(join(ROOT, 'harness', 'topics.yaml'), join(dir, 'harness', 'topics.yaml'))
  for (const l of ['node_modules', 'src', 'package.json', 'tsconfig.json']) symlinkSync(join(ROOT, l), join(dir, l))
  return dir
}

/**
 * The demo checkout with budgets for a busy machine: the demo katas' 3 s are for a quiet
 * one, and parallel test files or other jobs must not turn an honest kata into a timeout.
 */
export function roomyDemoRoot(budgetMs = 20_000): string {
  const dir = demoRoot()
  for (const slug of ['01-add', '02-greet', '03-double']) {
    const yaml = join(dir, 'harness/00-demo', slug, 'kata.yaml')
    writeFileSync(yaml, readFileSync(yaml, 'utf8').replace(/budgetMs: \d+/, `budgetMs: ${budgetMs}`))
  }
  return dir
}

const git = (args: string[], root = ROOT) => execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()

/**
 * The curriculum's own exercises/, never the learner's work in progress: the tests of the
 * harness must give the same verdict whether or not the learner has solved katas here.
 * - a clone: the upstream's branch (a learner's commits may hold solutions), laid over
 *   the working tree for katas that branch does not have yet;
 * - a download without git: the starters roadmap kept before the first save;
 * - a repository without a remote (the authors'): the working tree, which is the curriculum.
 */
export function pristineExercises(root = ROOT): string {
  let ref: string | undefined
  try {
    ref = ['upstream/HEAD', 'upstream/main', 'origin/HEAD', 'origin/main'].find((r) => {
      try {
        return !!git(['rev-parse', '--verify', '--quiet', `${r}^{commit}`], root)
      } catch {
        return false
      }
    })
    if (!ref && git(['rev-parse', '--is-inside-work-tree'], root) === 'true') return join(root, 'exercises')
  } catch {
    // not a git checkout: a download
  }
  const dir = tmp('roadmap-pristine-')
  chmodSync(dir, 0o755)
  cpSync(join(root, 'exercises'), join(dir, 'exercises'), { recursive: true })
  if (ref) {
    const tar = execFileSync('git', ['archive', '--format=tar', ref, 'exercises'], { cwd: root, maxBuffer: 1 << 30 })
    execFileSync('tar', ['-x', '-C', dir], { input: tar })
  } else {
    const kept = join(root, STARTERS_DIR, 'exercises')
    if (existsSync(kept)) cpSync(kept, join(dir, 'exercises'), { recursive: true })
  }
  return join(dir, 'exercises')
}

/**
 * A checkout of the real curriculum with pristine exercises and its own (empty) progress:
 * commands run here never read or write the learner's exercises/ or .roadmap/.
 */
export function pristineCheckout(): string {
  const dir = tmp('roadmap-checkout-')
  chmodSync(dir, 0o755)
  for (const l of ['harness', 'solutions', 'node_modules', 'src', 'package.json', 'tsconfig.json']) symlinkSync(join(ROOT, l), join(dir, l))
  const exercises = pristineExercises()
  if (exercises === join(ROOT, 'exercises')) cpSync(exercises, join(dir, 'exercises'), { recursive: true })
  else renameSync(exercises, join(dir, 'exercises'))
  return dir
}
