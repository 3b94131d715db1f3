import { execFile, execFileSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { beforeAll, describe, expect, it } from 'vitest'
import { demoRoot, ROOT, tmp } from './helpers.ts'

// A corpus of hostile submissions. Each attacks demo/add; demo/greet and demo/double are solved honestly
// in the same submission and must keep its full score.
const exec = promisify(execFile)
const SECRET = 'ghp_roadmapTestSecret123'

let root = ''
beforeAll(() => {
  root = demoRoot()
  // The demo katas' 10 s budgets are for a quiet machine; a busy one (parallel test files,
  // other jobs) must not turn an honest kata into a timeout here.
  for (const slug of ['01-add', '02-greet', '03-double']) {
    const yaml = join(root, 'harness/00-demo', slug, 'kata.yaml')
    writeFileSync(yaml, readFileSync(yaml, 'utf8').replace(/budgetMs: \d+/, 'budgetMs: 20000'))
  }
})

interface Graded {
  code: number
  json: { status: string; katas: { id: string; verdict: string; score: number; max_score: number; message: string | null; output: string | null; tests: { output: string | null; message: string | null }[] }[] }
  stdout: string
}

async function gradeWith(addTs: string): Promise<Graded> {
  const sub = tmp('roadmap-hostile-')
  mkdirSync(join(sub, 'exercises/00-demo/01-add'), { recursive: true })
  writeFileSync(join(sub, 'exercises/00-demo/01-add/add.ts'), addTs)
  cpSync(join(root, 'solutions/00-demo/02-greet'), join(sub, 'exercises/00-demo/02-greet'), { recursive: true })
  cpSync(join(root, 'solutions/00-demo/03-double'), join(sub, 'exercises/00-demo/03-double'), { recursive: true })
  const out = tmp('roadmap-out-')
  let code = 0
  let stdout = ''
  try {
    stdout = (await exec(process.execPath, [join(ROOT, 'bin/roadmap.js'), 'grade', sub, '--root', root, '--out', out], { env: { ...process.env, ROADMAP_SECRET: SECRET, GITHUB_TOKEN: SECRET, NO_COLOR: '1' } })).stdout
  } catch (err) {
    code = (err as { code: number }).code
    stdout = (err as { stdout: string }).stdout
  }
  return { code, stdout, json: JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) }
}

function expectZeroOnAddOnly(g: Graded) {
  const add = g.json.katas.find((k) => k.id === 'demo/add')!
  const greet = g.json.katas.find((k) => k.id === 'demo/greet')!
  expect(add.score, `demo/add: ${add.verdict} ${add.message}`).toBe(0)
  expect(greet, 'the honest kata beside it').toMatchObject({ verdict: 'pass', score: 5 })
  expect(g.code, 'grade exits non-zero below the minimum score').toBe(1)
  return add
}

describe('hostile submissions score zero on the kata they attack and disturb nothing else', { timeout: 180_000 }, () => {
  it('process.exit(0) at import', async () => {
    const add = expectZeroOnAddOnly(await gradeWith('process.exit(0)\nexport const add = (a: number, b: number) => a + b\n'))
    expect(add.verdict).toBe('error')
    expect(add.message).toMatch(/process\.exit\(0\)/)
  })

  it('patching the assertions through the test framework import', async () => {
    const add = expectZeroOnAddOnly(await gradeWith("import { expect } from 'vitest'\nexpect.extend({ toBe: () => ({ pass: true, message: () => '' }) })\nexport const add = () => 0\n"))
    expect(add.verdict).toBe('error')
    // Refused at import, or caught by the integrity check after the tests: zero either way.
    expect(add.message).toMatch(/may not import "vitest"|tampered/)
  })

  it('patching the assertions through the global matchers object', async () => {
    const add = expectZeroOnAddOnly(
      await gradeWith("const g = globalThis as any\nconst m = g[Symbol.for('$$jest-matchers-object')]\nif (m) m.matchers.toBe = () => ({ pass: true, message: () => '' })\nObject.is = () => true\nexport const add = () => 0\n"),
    )
    expect(add.verdict).toBe('error')
    // Locked before the submission loads (the assignment throws), or caught afterwards.
    expect(add.message).toMatch(/tampered|Cannot assign to read only property/)
  })

  it('writing a fake results.json and JUnit file', async () => {
    const fake = JSON.stringify({ version: 3, status: 'pass', score: 15, max_score: 15 })
    const add = expectZeroOnAddOnly(
      await gradeWith(`import { writeFileSync } from 'node:fs'\nfor (const d of ['.', 'roadmap-results', process.env.HOME ?? '/tmp']) { try { writeFileSync(d + '/results.json', '${fake}'); writeFileSync(d + '/junit.xml', '<testsuites/>') } catch {} }\nexport const add = () => 0\n`),
    )
    expect(add.verdict).toBe('fail')
  })

  it('editing the hidden suite under harness/', async () => {
    const suite = join(root, 'harness/00-demo/01-add/kata.test.ts')
    const before = readFileSync(suite, 'utf8')
    const g = await gradeWith(`import { writeFileSync } from 'node:fs'\ntry { writeFileSync(${JSON.stringify(suite)}, "import { it } from 'vitest'\\nit('ok', () => {})\\n") } catch {}\nexport const add = () => 0\n`)
    const add = g.json.katas.find((k) => k.id === 'demo/add')!
    expect(add.score).toBe(0)
    // Unprivileged workers cannot write there; as root, the change is caught, undone, and the grade void.
    if (g.code === 3) expect((g.json as unknown as { message: string }).message).toMatch(/changed harness files during grading \(00-demo\/01-add\/kata\.test\.ts\)/)
    else expectZeroOnAddOnly(g)
    expect(readFileSync(suite, 'utf8')).toBe(before)
  })

  it('reading a secret from the environment', async () => {
    const g = await gradeWith("console.log('token:', process.env.GITHUB_TOKEN, process.env.ROADMAP_SECRET)\nexport const add = () => 0\n")
    expectZeroOnAddOnly(g)
    expect(JSON.stringify(g.json)).not.toContain(SECRET)
    expect(JSON.stringify(g.json)).toContain('token: undefined undefined')
  })

  it('a test-order-dependent hack: answers by call count', async () => {
    const add = expectZeroOnAddOnly(await gradeWith('let n = 0\nconst answers = [5, 0]\nexport const add = () => answers[n++ % 2]\n'))
    expect(add.verdict).toBe('fail')
  })

  it('printing a fake pass line', async () => {
    const add = expectZeroOnAddOnly(await gradeWith("console.log('✓ demo/add  passed  2/2 tests\\n2 passed, 0 failed\\nTests  2 passed (2)')\nprocess.stdout.write('PASS\\n')\nexport const add = () => 0\n"))
    expect(add.verdict).toBe('fail')
  })

  it('hanging forever', { timeout: 180_000 }, async () => {
    const add = expectZeroOnAddOnly(await gradeWith('export function add(a: number, b: number): number { while (true) {} }\n'))
    expect(add.verdict).toBe('timeout')
  })

  it('spawning a process that outlives the run', async () => {
    const marker = 'sleep 313.5'
    // "slee[p]": the pattern must not match the pgrep command line itself.
    const count = () => Number(execFileSync('sh', ['-c', `pgrep -fc 'slee[p] 313.5' || true`], { encoding: 'utf8' }).trim())
    expect(count()).toBe(0)
    expectZeroOnAddOnly(
      await gradeWith(`import { spawn } from 'node:child_process'\nspawn('sh', ['-c', '${marker}'], { detached: true, stdio: 'ignore' }).unref()\nspawn('sh', ['-c', '${marker}'], { stdio: 'ignore' })\nexport const add = () => 0\n`),
    )
    expect(count(), 'processes left running after grading').toBe(0)
  })
})

describe('an honest submission', { timeout: 180_000 }, () => {
  it('still scores full marks under the same protections', async () => {
    const g = await gradeWith('export const add = (a: number, b: number) => a + b\n')
    expect(g.json).toMatchObject({ status: 'pass', score: 20, max_score: 20 })
    expect(g.code).toBe(0)
    expect(existsSync(root)).toBe(true)
  })
})

describe('the framework lock', () => {
  // The preload locks it; should the preload fail after that, the setup's own copy of the guards
  // runs the lock again: it must find it done, not throw on its own locked matchers.
  it.runIf(!!process.features.typescript)('is taken once per worker, whichever copy of the guards asks', () => {
    const integrity = join(ROOT, 'src', 'runner', 'worker-integrity.ts')
    const twice = `const [a, b] = [await import(${JSON.stringify(`${integrity}?a`)}), await import(${JSON.stringify(`${integrity}?b`)})]; a.freezeFramework(); b.freezeGrading()`
    expect(() => execFileSync(process.execPath, ['--input-type=module', '-e', twice], { cwd: ROOT, stdio: 'pipe' })).not.toThrow()
  })
})
