import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { loadCatalog } from '../src/catalog/load.ts'
import { trackCatalog } from '../src/catalog/track.ts'
import { PROGRESS_FILE, ProgressStore } from '../src/progress/store.ts'
import type { KataResult } from '../src/results/model.ts'
import { findGo } from '../src/runner/go/toolchain.ts'
import { canIsolate } from '../src/runner/privileges.ts'
import { kataOfFile } from '../src/watch/file-map.ts'
import { pristineCheckout, ROOT, runCli, tmp as tmpDir } from './helpers.ts'

// The Go track through the CLI. Go runs are `go test -race`: the first build of a cold
// cache takes minutes on a busy machine, each later run seconds.
const SLOW = 600_000

const scratch: string[] = []
const tmp = (prefix: string) => {
  const dir = tmpDir(prefix)
  scratch.push(dir)
  return dir
}
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true })
})

/** A checkout holding one chapter (by default the start chapter: a Go kata and nothing else), with roadmap's code linked. */
function startCheckout(chapter = '00-start'): string {
  const dir = tmp('roadmap-go-track-')
  for (const side of ['harness', 'exercises', 'solutions']) cpSync(join(ROOT, side, chapter), join(dir, side, chapter), { recursive: true })
  cpSync(join(ROOT, 'harness', 'topics.yaml'), join(dir, 'harness', 'topics.yaml'))
  cpSync(join(ROOT, 'harness', 'support'), join(dir, 'harness', 'support'), { recursive: true })
  for (const l of ['node_modules', 'src', 'package.json', 'tsconfig.json']) symlinkSync(join(ROOT, l), join(dir, l))
  return dir
}

const START = '00-start/01-first-verdict'
const result = (id: string, verdict: KataResult['verdict']): KataResult => ({ id, target: 'exercises', verdict, tests: [], durationMs: 1, points: 1, score: verdict === 'pass' ? 1 : 0, finishedAt: new Date().toISOString() })

describe('the Go track in the catalog', () => {
  const catalog = loadCatalog(ROOT)
  const go = trackCatalog(catalog, 'go')

  it('holds only the katas with a go: block, their files in go/', () => {
    expect(go.katas.length).toBeGreaterThanOrEqual(2)
    for (const k of go.katas) {
      expect(catalog.byId.get(k.id)?.go).toBeDefined()
      // Go sources, and what else the kata gives the learner there (postgres/migrations' SQL).
      for (const f of k.files) expect(f).toMatch(/^go\/[\w./-]+\.(go|sql)$/)
    }
    expect(go.katas.map((k) => k.index)).toEqual(go.katas.map((_, i) => i))
    expect(go.chapters.every((c) => c.katas.length > 0)).toBe(true)
  })

  it('sends a save to the track it belongs to', () => {
    const exercises = join(ROOT, 'exercises')
    const ts = trackCatalog(catalog, 'ts')
    const goFile = join(exercises, START, 'go', 'greet.go')
    expect(kataOfFile(go, exercises, goFile)?.id).toBe('start/first-verdict')
    expect(kataOfFile(ts, exercises, goFile)).toBeUndefined()
    expect(kataOfFile(go, exercises, join(exercises, START, 'greet.ts'))).toBeUndefined()
    expect(kataOfFile(ts, exercises, join(exercises, START, 'greet.ts'))?.id).toBe('start/first-verdict')
    // The Go statement is not code: saving it runs nothing.
    expect(kataOfFile(go, exercises, join(exercises, START, 'go', 'README.md'))).toBeUndefined()
    // A file the kata gives the learner to edit besides Go code (a SQL migration) runs it too.
    expect(kataOfFile(go, exercises, join(exercises, '03-postgres/06-migrations/go/00003_user_profile.sql'))?.id).toBe('postgres/migrations')
  })
})

describe('progress per track', () => {
  it('reads a progress.json written before tracks as the TypeScript track', () => {
    const root = tmp('roadmap-go-progress-')
    mkdirSync(join(root, '.roadmap'))
    writeFileSync(join(root, PROGRESS_FILE), JSON.stringify({ version: 1, current: 'a/b', katas: { 'a/b': { passedAt: '2026-01-01T00:00:00.000Z', lastVerdict: 'pass', hintsSeen: 1 } } }))
    const ts = new ProgressStore(root)
    expect(ts.note.kind).toBe('ok')
    expect(ts.snapshot.katas['a/b']?.lastVerdict).toBe('pass')
    expect(new ProgressStore(root, 'go').snapshot.katas).toEqual({})
  })

  it('keeps each track apart, and the other track as it was', () => {
    const root = tmp('roadmap-go-progress-')
    new ProgressStore(root, 'go').record(result('a/b', 'pass'))
    new ProgressStore(root, 'ts').record(result('a/b', 'fail'))
    new ProgressStore(root, 'go').setCurrent('c/d')
    expect(new ProgressStore(root, 'go').kata('a/b').lastVerdict).toBe('pass')
    expect(new ProgressStore(root, 'ts').kata('a/b').lastVerdict).toBe('fail')
    expect(new ProgressStore(root, 'go').snapshot.current).toBe('c/d')
    expect(new ProgressStore(root, 'ts').snapshot.current).toBeUndefined()
    expect(new ProgressStore(root, 'go').clearCheckOff('a/b')).toBe(true)
    expect(new ProgressStore(root, 'ts').kata('a/b').lastVerdict).toBe('fail')
  })
})

const go = findGo()
const title = go || process.env.CI ? 'the Go track through the CLI' : 'the Go track through the CLI (skipped: the go command is not installed; CI requires it)'

describe.skipIf(!go && !process.env.CI)(title, () => {
  it('lists the Go katas, remembers the track and says which katas have no Go version', { timeout: 300_000 }, async () => {
    const root = startCheckout()
    const listed = await runCli(['--root', root, 'list', '--track', 'go', '--json'])
    expect(listed.code, listed.stderr).toBe(0)
    expect((JSON.parse(listed.stdout) as { id: string }[]).map((k) => k.id)).toEqual(['start/first-verdict'])
    expect(readFileSync(join(root, 'roadmap.config.yaml'), 'utf8')).toMatch(/^track: go$/m)
    // Remembered: the next command without --track is in the Go track.
    const progress = await runCli(['--root', root, 'progress', '--json'])
    expect(JSON.parse(progress.stdout)).toMatchObject({ total: 1 })
    // Not for an author's verify: without --track it is the TypeScript track (5 tests; the Go version has 6).
    const verified = await runCli(['--root', root, 'verify', '--kata', 'start/first-verdict'])
    expect(verified.stdout).toMatch(/start\/first-verdict .*solution pass 5\/5/)
    const whole = loadCatalog(ROOT)
    const tsOnly = whole.katas.find((k) => !k.go)!
    const named = await runCli(['--root', ROOT, 'verify', '--track', 'go', '--kata', tsOnly.id])
    expect(named.code).toBe(2)
    expect(named.stderr).toContain(`Kata "${tsOnly.id}" has no Go version`)
    const ru = await runCli(['--root', ROOT, '--lang', 'ru', 'verify', '--track', 'go', '--kata', tsOnly.id])
    expect(ru.stderr).toContain(`У каты «${tsOnly.id}» нет версии на Go`)
  })

  it('runs the Go kata: the starter fails, the solution passes, progress and reset in the Go track', { timeout: SLOW }, async () => {
    const root = startCheckout()
    // This checkout has no git history: list keeps the starters that reset restores.
    expect((await runCli(['--root', root, 'list', '--track', 'go'])).code).toBe(0)
    const failing = await runCli(['--root', root, 'run', 'start/first-verdict'])
    expect(failing.code, failing.stderr).toBe(1)
    expect(failing.stdout).toMatch(/greet_test\.go:\d+: Greet\("Ada"\) = "", want "Hello, Ada!"/)
    expect(failing.stdout).toContain(`exercises/${START}/go/greet.go`)
    const mine = join(root, 'exercises', START, 'go', 'greet.go')
    const starter = readFileSync(mine, 'utf8')
    cpSync(join(ROOT, 'solutions', START, 'go', 'greet.go'), mine)
    const passing = await runCli(['--root', root, 'run', 'start/first-verdict'])
    expect(passing.code, passing.stdout).toBe(0)
    const progress = JSON.parse(readFileSync(join(root, PROGRESS_FILE), 'utf8')) as { katas: object; tracks: { go: { katas: Record<string, { passedAt?: string }> } } }
    expect(progress.tracks.go.katas['start/first-verdict']?.passedAt).toBeDefined()
    expect(progress.katas).toEqual({})
    const reset = await runCli(['--root', root, 'reset', 'start/first-verdict'])
    expect(reset.code, reset.stderr).toBe(0)
    expect(readFileSync(mine, 'utf8')).toBe(starter)
  })

  it('grades a submission in the Go track as a user of its own (as root), else only with --unsafe-same-user, with the same reports', { timeout: SLOW }, async () => {
    const root = startCheckout()
    chmodSync(root, 0o755)
    const sub = tmp('roadmap-go-sub-')
    cpSync(join(ROOT, 'solutions', START, 'go'), join(sub, 'exercises', START, 'go'), { recursive: true })
    const out = join(tmp('roadmap-go-out-'), 'reports')
    if (canIsolate()) {
      const graded = await runCli(['--root', root, 'grade', sub, '--track', 'go', '--out', out], { ROADMAP_UNSAFE_SAME_USER: '' })
      expect(graded.code, graded.stdout + graded.stderr).toBe(0)
      expect(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'))).toMatchObject({ status: 'pass' })
      // The same kata by an attacker: it reports its uid and what it read of the checkout's solution.
      const solution = join(root, 'solutions', START, 'go', 'greet.go')
      writeFileSync(
        join(sub, 'exercises', START, 'go', 'greet.go'),
        `package firstverdict\n\nimport (\n\t"fmt"\n\t"os"\n)\n\nfunc Greet(name string) string {\n\tb, err := os.ReadFile(${JSON.stringify(solution)})\n\treturn fmt.Sprintf("uid=%d %d %v", os.Getuid(), len(b), err)\n}\n`,
      )
      const attacked = await runCli(['--root', root, 'grade', sub, '--track', 'go', '--out', `${out}-2`, '--min-score', '0'])
      const report = readFileSync(join(`${out}-2`, 'results.json'), 'utf8')
      expect(JSON.parse(report)).toMatchObject({ status: 'fail' })
      expect(report, attacked.stdout).toMatch(/uid=[1-9]\d* 0 open .*permission denied/)
    } else {
      const refused = await runCli(['--root', root, 'grade', sub, '--track', 'go', '--out', out], { ROADMAP_UNSAFE_SAME_USER: '' })
      expect(refused.code).toBe(2)
      expect(refused.stderr).toContain('--unsafe-same-user')
      const graded = await runCli(['--root', root, 'grade', sub, '--track', 'go', '--out', out, '--unsafe-same-user'])
      expect(graded.code, graded.stdout + graded.stderr).toBe(0)
      expect(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'))).toMatchObject({ status: 'pass' })
    }
    // grade is CI's: its --track is not the learner's choice.
    expect(existsSync(join(root, 'roadmap.config.yaml'))).toBe(false)
  })

  it('grades a wire kata (http/notes-api): the grader builds the program, the suite starts it as the grading user', { timeout: SLOW }, async () => {
    const root = startCheckout('02-http')
    chmodSync(root, 0o755)
    const kata = join('02-http', '10-notes-api', 'go')
    const sub = tmp('roadmap-go-wire-')
    cpSync(join(ROOT, 'solutions', kata), join(sub, 'exercises', kata), { recursive: true })
    const out = join(tmp('roadmap-go-out-'), 'reports')
    const isolate = canIsolate() ? [] : ['--unsafe-same-user']
    const grade = (dir: string) => runCli(['--root', root, 'grade', sub, '--track', 'go', '--kata', 'http/notes-api', '--out', dir, '--min-score', '0', ...isolate], { ROADMAP_UNSAFE_SAME_USER: '' })
    const graded = await grade(out)
    expect(graded.code, graded.stdout + graded.stderr).toBe(0)
    expect(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'))).toMatchObject({ status: 'pass' })
    // The program answers with who it runs as and what it read of the checkout's solution.
    const solution = join(root, 'solutions', kata, 'app.go')
    // (Short: a failure message cuts long values. uid/bytes read/permission denied.)
    writeFileSync(
      join(sub, 'exercises', kata, 'app.go'),
      `package main\n\nimport (\n\t"errors"\n\t"fmt"\n\t"io/fs"\n\t"net/http"\n\t"os"\n\t"time"\n)\n\nfunc NewApp(now func() time.Time) http.Handler {\n\treturn http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {\n\t\tb, err := os.ReadFile(${JSON.stringify(solution)})\n\t\tw.Header().Set("Content-Type", "application/json")\n\t\tfmt.Fprintf(w, \`{"items":["%d/%d/%v"]}\`, os.Getuid(), len(b), errors.Is(err, fs.ErrPermission))\n\t})\n}\n`,
    )
    await grade(`${out}-2`)
    const report = readFileSync(join(`${out}-2`, 'results.json'), 'utf8')
    expect(JSON.parse(report)).toMatchObject({ status: 'fail' })
    if (canIsolate()) expect(report).toMatch(/expected \{ items: \[ '[1-9]\d*\/0\/true' \] \}/)
    // A program that does not build: the compiler's words, with the learner's file and line.
    writeFileSync(join(sub, 'exercises', kata, 'app.go'), 'package main\n\nfunc NewApp() {\n\tundefinedThing()\n}\n')
    await grade(`${out}-3`)
    expect(readFileSync(join(`${out}-3`, 'results.json'), 'utf8')).toMatch(/app\.go:4:2: undefined: undefinedThing/)
  })

  // .ci/run runs npm test: this is the Go track's proof there.
  it('verify --track go: every Go kata is sound', { timeout: 3_600_000 }, async () => {
    const checkout = pristineCheckout()
    scratch.push(checkout)
    // One run each here (the authors' own checks use --repeat 2 and more): CI's 90 minutes hold the
    // whole suite, and the Go catalog's wire katas start a program per test.
    const r = await runCli(['--root', checkout, 'verify', '--track', 'go'])
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0)
    expect(r.stdout).toMatch(/start\/first-verdict .*mutants 4\/4 rejected/)
    // A different correct design passes too (go-alternatives/): the tests grade the contract, not the reference's shape.
    expect(r.stdout).toMatch(/start\/first-verdict .*alternatives 1\/1 pass/)
    expect(r.stdout).toMatch(/core\/sync .*mutants 4\/4 rejected/)
    expect(existsSync(join(checkout, 'roadmap.config.yaml'))).toBe(false)
  })
})
