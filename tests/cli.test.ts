import { execFile } from 'node:child_process'
import { cpSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { catalog, demoRoot, ROOT, tmp } from './helpers.ts'

const exec = promisify(execFile)
const BIN = join(ROOT, 'bin', 'roadmap.js')

/** Runs the real CLI; never throws, returns the exit code and both streams. */
async function roadmap(args: string[], env: NodeJS.ProcessEnv = {}) {
  try {
    const { stdout, stderr } = await exec(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', ...env }, maxBuffer: 20 << 20 })
    return { code: 0, stdout, stderr }
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

const cat = catalog()
const pgKata = cat.katas.find((k) => k.services.includes('postgres'))
const redisKata = cat.katas.find((k) => k.services.length === 1 && k.services[0] === 'redis')
const STACK = /\n\s+at .+:\d+:\d+/

describe('roadmap run', () => {
  it.runIf(pgKata)('fails a PostgreSQL kata on the starter with a helpful message, passes with the solution', { timeout: 60_000 }, async () => {
    const starter = await roadmap(['run', pgKata!.id])
    expect(starter.code).toBe(1)
    expect(starter.stdout).toMatch(/✗ .*failed/)
    expect(starter.stdout).toMatch(/Edit: exercises\//)
    const sub = tmp()
    cpSync(join(ROOT, 'exercises', pgKata!.dir), join(sub, 'exercises', pgKata!.dir), { recursive: true })
    for (const f of pgKata!.files) cpSync(join(ROOT, 'solutions', pgKata!.dir, f), join(sub, 'exercises', pgKata!.dir, f))
    const solved = await roadmap(['run', pgKata!.id, '--target', sub])
    expect(solved.stdout).toMatch(/✓ .*passed/)
    expect(solved.code).toBe(0)
  })

  it.runIf(redisKata)('says Redis is unreachable and how to start it, exits non-zero, prints no stack trace', { timeout: 30_000 }, async () => {
    const r = await roadmap(['run', redisKata!.id], { REDIS_URL: 'redis://127.0.0.1:1' })
    expect(r.code).not.toBe(0)
    expect(r.stdout + r.stderr).toMatch(/Redis is not reachable/)
    expect(r.stdout + r.stderr).toMatch(/REDIS_URL/)
    expect(r.stdout + r.stderr).not.toMatch(STACK)
    // Katas without services still run in the same conditions.
    const other = await roadmap(['run', 'start/first-verdict', '--solution'], { REDIS_URL: 'redis://127.0.0.1:1' })
    expect(other.code).toBe(0)
  })

  it('suggests ids for an unknown kata, exit 2, no stack', async () => {
    const r = await roadmap(['run', 'first-verdic'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/No kata "first-verdic"\. Did you mean: start\/first-verdict/)
    expect(r.stderr).not.toMatch(STACK)
  })
})

describe('roadmap grade', () => {
  it('grades a submission, writes results.json and JUnit, and exits by score', { timeout: 60_000 }, async () => {
    const root = demoRoot()
    const sub = tmp()
    cpSync(join(root, 'solutions'), join(sub, 'exercises'), { recursive: true })
    const out = tmp()
    const summary = join(out, 'summary.md')
    const r = await roadmap(['grade', sub, '--root', root, '--out', out], { GITHUB_STEP_SUMMARY: summary })
    expect(r.code, r.stderr).toBe(0)
    const json = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'))
    expect(json).toMatchObject({ version: 3, status: 'pass', score: 20, max_score: 20 })
    expect(readFileSync(join(out, 'junit.xml'), 'utf8')).toContain('<testsuite name="demo/add"')
    expect(readFileSync(summary, 'utf8')).toContain('roadmap: 20/20 points (100%)')

    // Only demo/greet solved: 5 of 15 points.
    const half = tmp()
    cpSync(join(root, 'exercises'), join(half, 'exercises'), { recursive: true })
    cpSync(join(root, 'solutions/00-demo/02-greet'), join(half, 'exercises/00-demo/02-greet'), { recursive: true })
    const low = await roadmap(['grade', half, '--root', root, '--out', out])
    expect(low.code).toBe(1)
    expect(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'))).toMatchObject({ status: 'fail', score: 5, max_score: 20 })
    expect((await roadmap(['grade', half, '--root', root, '--out', out, '--min-score', '25'])).code).toBe(0)
    expect((await roadmap(['grade', half, '--root', root, '--out', out, '--min-score', '30'])).code).toBe(1)
  })

  it('grades a missing declared file as an error naming the file', { timeout: 60_000 }, async () => {
    const root = demoRoot()
    const sub = tmp()
    cpSync(join(root, 'solutions/00-demo/02-greet'), join(sub, 'exercises/00-demo/02-greet'), { recursive: true })
    const out = tmp()
    await roadmap(['grade', sub, '--root', root, '--out', out])
    const add = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')).katas.find((k: { id: string }) => k.id === 'demo/add')
    expect(add).toMatchObject({ verdict: 'error', score: 0 })
    expect(add.message).toBe('exercises/00-demo/01-add/add.ts is missing')
  })
})

describe('roadmap doctor and env', () => {
  it('shows where each service was found and how long the probe took', async () => {
    const r = await roadmap(['doctor'])
    expect(r.stdout).toMatch(/✓ PostgreSQL +postgres:\/\/postgres@127\.0\.0\.1:5432\/postgres +\(local, \d+ ms\)/)
    expect(r.stdout).toMatch(/Docker engine:/)
  })

  it('prints shell exports for the service URLs', async () => {
    const r = await roadmap(['env'])
    expect(r.stdout).toContain("export DATABASE_URL='postgres://postgres@127.0.0.1:5432/postgres'")
    expect(r.stdout).toContain("export REDIS_URL='redis://127.0.0.1:6379'")
  })
})
