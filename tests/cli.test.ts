import { spawn } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { isWatcherError } from '../src/commands/watch.ts'
import { messages } from '../src/i18n/messages.ts'
import { BIN, catalog, demoRoot, pristineCheckout, ROOT, runCli, tmp } from './helpers.ts'

const roadmap = runCli

const cat = catalog()
const pgKata = cat.katas.find((k) => k.services.includes('postgres'))
const redisKata = cat.katas.find((k) => k.services.length === 1 && k.services[0] === 'redis')
const STACK = /\n\s+at .+:\d+:\d+/

describe('roadmap run', () => {
  it.runIf(pgKata)('fails a PostgreSQL kata on the starter with a helpful message, passes with the solution', { timeout: 60_000 }, async () => {
    // A checkout of its own: the learner's exercises/ and progress are neither read nor written.
    const checkout = pristineCheckout()
    const starter = await roadmap(['run', pgKata!.id, '--root', checkout])
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

  it.runIf(redisKata)('says Redis is unreachable and how to start it, exits non-zero, prints no stack trace', { timeout: 120_000 }, async () => {
    const r = await roadmap(['run', redisKata!.id, '--root', pristineCheckout()], { REDIS_URL: 'redis://127.0.0.1:1' })
    expect(r.code).not.toBe(0)
    expect(r.stdout + r.stderr).toMatch(/Redis is not reachable/)
    expect(r.stdout + r.stderr).toMatch(/REDIS_URL/)
    expect(r.stdout + r.stderr).not.toMatch(STACK)
    // Katas without services still run in the same conditions.
    const other = await roadmap(['run', 'start/first-verdict', '--solution'], { REDIS_URL: 'redis://127.0.0.1:1' })
    expect(other.code).toBe(0)
  })

  it('suggests ids for an unknown kata, exit 2, no stack', { timeout: 60_000 }, async () => {
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
    expect(add.message).toMatch(/exercises\/00-demo\/01-add\/add\.ts is missing/)
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

describe('the CLI tells the truth', () => {
  it('--version prints the version of package.json, exit 0', async () => {
    const r = await roadmap(['--version'])
    expect(r.code).toBe(0)
    expect(r.stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version)
  })

  it('--help lists the exit codes', async () => {
    const r = await roadmap(['--help'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/Exit codes:[\s\S]*2 +usage/)
  })

  it('an unknown command is not taken for watch: "did you mean", exit 2', async () => {
    const typo = await roadmap(['lsit'])
    expect(typo.code).toBe(2)
    expect(typo.stderr).toMatch(/Unknown command "lsit"\. Did you mean: roadmap list\?/)
    const none = await roadmap(['frobnicate'])
    expect(none.code).toBe(2)
    expect(none.stderr).toMatch(/Unknown command "frobnicate"/)
    expect(none.stderr).not.toMatch(/too many arguments/)
    expect((await roadmap(['--lang', 'ru', 'frobnicate'])).stderr).toMatch(/Команды «frobnicate» нет/)
  })

  it.each([
    [['verify', '-j', 'abc'], /--jobs takes a whole number/],
    [['verify', '--repeat', '0'], /--repeat takes a whole number from 1 to 100/],
    [['grade', '.', '--min-score', '120'], /--min-score takes a percentage from 0 to 100/],
    [['grade', '.', '-j', '2.5'], /--jobs takes a whole number/],
    [['grade', '.', '--shard', '3/2'], /--shard takes i\/n/],
    [['run', 'start/first-verdict', '--nope'], /unknown option '--nope'/],
  ])('a bad option value is a usage error, exit 2, at once: %j', { timeout: 60_000 }, async (args, message) => {
    const r = await roadmap(args as string[])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(message)
    expect(r.stderr).not.toMatch(STACK)
  })

  it('unknown kata or chapter ids are usage errors everywhere: nothing is graded, no report is written', { timeout: 120_000 }, async () => {
    const out = join(tmp(), 'out')
    const chapter = await roadmap(['grade', '.', '--chapter', 'redsi', '--out', out])
    expect(chapter.code).toBe(2)
    expect(chapter.stderr).toMatch(/No chapter "redsi"\. Did you mean: redis\?/)
    expect(existsSync(out)).toBe(false)
    const kata = await roadmap(['grade', '.', '--kata', 'nope/nothing', '--out', out])
    expect(kata.code).toBe(2)
    expect(kata.stderr).toMatch(/No kata "nope\/nothing"/)
    expect((await roadmap(['hint', 'nope/nothing'])).code).toBe(2)
    expect((await roadmap(['reset', 'nope/nothing'])).code).toBe(2)
  })

  it('ends quietly when the reader of its output goes away (roadmap list | head)', { timeout: 30_000 }, async () => {
    const child = spawn(process.execPath, [BIN, 'list', '--json', '--root', demoRoot()], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d))
    child.stdout.destroy() // the reader is gone before the first line
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)))
    expect(stderr).not.toMatch(/EPIPE|Error/)
    expect(code).toBe(0)
  })

  it('a file watcher error ends watch with the advice to use --poll', () => {
    const inotify = Object.assign(new Error('ENOSPC: System limit for number of file watchers reached, watch \'/x\''), { code: 'ENOSPC', syscall: 'watch' })
    expect(isWatcherError(inotify)).toBe(true)
    expect(isWatcherError(new TypeError('x is not a function'))).toBe(false)
    expect(messages('en').watcherFailed('ENOSPC')).toMatch(/roadmap watch --poll/)
    expect(messages('ru').watcherFailed('ENOSPC')).toMatch(/roadmap watch --poll/)
  })
})

describe('roadmap reset', () => {
  it('restores the starter without git history (a downloaded ZIP) and clears the check-off, keeping the hints opened', { timeout: 60_000 }, async () => {
    const root = demoRoot() // a plain folder: no git history
    const file = join(root, 'exercises/00-demo/01-add/add.ts')
    const starter = readFileSync(file, 'utf8')
    expect((await roadmap(['list', '--root', root])).code).toBe(0) // the first run keeps the starters
    writeFileSync(file, 'export const add = (a: number, b: number) => a + b\n')
    const progress = join(root, '.roadmap/progress.json')
    const passed = { passedAt: '2026-01-01T00:00:00.000Z', lastVerdict: 'pass', lastRunAt: '2026-01-01T00:00:00.000Z', hintsSeen: 2 }
    writeFileSync(progress, JSON.stringify({ version: 1, katas: { 'demo/add': passed } }))
    const r = await roadmap(['reset', 'demo/add', '--root', root])
    expect(r.code, r.stderr).toBe(0)
    expect(readFileSync(file, 'utf8')).toBe(starter)
    expect(JSON.parse(readFileSync(progress, 'utf8')).katas['demo/add']).toEqual({ hintsSeen: 2 })
    const list = await roadmap(['list', '--root', root])
    expect(list.stdout).toMatch(/· demo\/add/)
  })

  it('without git and without a kept copy, says where the original can come from, exit 2', { timeout: 30_000 }, async () => {
    const root = demoRoot()
    mkdirSync(join(root, '.roadmap'), { recursive: true })
    const r = await roadmap(['reset', 'demo/add', '--root', root])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/cannot find the original of exercises\/00-demo\/01-add\/add\.ts.*download the roadmap again/)
    expect(r.stderr).not.toMatch(STACK)
  })
})
