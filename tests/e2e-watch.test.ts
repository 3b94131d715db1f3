import { execFileSync, spawn } from 'node:child_process'
import { chmodSync, copyFileSync, cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { benchWorkspace } from '../bench/workspace.ts'
import { loadCatalogLenient } from '../src/catalog/load.ts'
import { findGo } from '../src/runner/go/toolchain.ts'
import { pristineExercises, ROOT } from './helpers.ts'

// The real CLI in a real terminal: tmux runs `roadmap watch`, we type and read the screen.
const hasTmux = (() => {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
})()

const session = `roadmap-e2e-${process.pid}`
const tmux = (...args: string[]) => execFileSync('tmux', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
const screen = () => tmux('capture-pane', '-p', '-t', session)
async function waitFor(re: RegExp, ms = 20_000): Promise<string> {
  const until = Date.now() + ms
  for (;;) {
    const s = screen()
    if (re.test(s)) return s
    if (Date.now() > until) throw new Error(`screen never showed ${re}:\n${s}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

describe.runIf(hasTmux)('roadmap watch in a terminal', () => {
  let dir = ''
  afterEach(() => {
    try {
      tmux('kill-session', '-t', session)
    } catch {
      // already gone
    }
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  for (const lang of ['en', 'ru'] as const) {
    it(`solving the current kata passes it and moves the focus on (${lang})`, { timeout: 60_000 }, async () => {
      dir = benchWorkspace(ROOT)
      // The curriculum's starters, never the learner's work in progress.
      rmSync(join(dir, 'exercises'), { recursive: true, force: true })
      cpSync(pristineExercises(), join(dir, 'exercises'), { recursive: true })
      const { catalog } = loadCatalogLenient(dir)
      const [first, second] = catalog.katas
      // CI=true would ask for plain lines; this test is about the full-screen interface.
      const cmd = `cd ${dir} && env -u CI TERM=xterm-256color ${process.execPath} ${join(ROOT, 'bin/roadmap.js')} watch --lang ${lang}`
      tmux('new-session', '-d', '-s', session, '-x', '140', '-y', '40', cmd)
      const failing = await waitFor(lang === 'en' ? /✗ failed/ : /✗ не пройдена/)
      expect(failing).toContain(first!.id)
      copyFileSync(join(dir, 'solutions', first!.dir, first!.files[0]!), join(dir, 'exercises', first!.dir, first!.files[0]!))
      const passed = await waitFor(lang === 'en' ? /Passed! Press n for the next kata/ : /Пройдено! Нажмите n/)
      process.stdout.write(`\n--- screen (${lang}) after the pass ---\n${passed}\n`)
      tmux('send-keys', '-t', session, 'n')
      await waitFor(new RegExp(second!.id.replace('/', '\\/')))
      tmux('send-keys', '-t', session, 'q')
      const until = Date.now() + 10_000
      while (Date.now() < until) {
        try {
          tmux('has-session', '-t', session)
        } catch {
          return // quit cleanly: the session ended with the process
        }
        await new Promise((r) => setTimeout(r, 100))
      }
      throw new Error('roadmap did not quit on q')
    })
  }

  for (const lang of ['en', 'ru'] as const) {
    it(`walks the failing tests, opens a diff in full, shows a step kata and check-all's summary (${lang})`, { timeout: 180_000 }, async () => {
      dir = smallWorkspace(['00-start', '01-core'])
      const t = lang === 'en'
        ? { failing: /✗ failed/, second: /Failing test 2 of \d+/, diffLines: /d close the diff/, step: /Step 1 of \d+/, summary: /By chapter[\s\S]*Language core/ }
        : { failing: /✗ не пройдена/, second: /Упавший тест 2 из \d+/, diffLines: /d закрыть diff/, step: /Шаг 1 из \d+/, summary: /По главам[\s\S]*Ядро языка/ }
      const cmd = `cd ${dir} && env -u CI TERM=xterm-256color ${process.execPath} ${join(ROOT, 'bin/roadmap.js')} watch --lang ${lang}`
      tmux('new-session', '-d', '-s', session, '-x', '150', '-y', '45', cmd)
      const show = (what: string, s: string) => process.stdout.write(`\n--- ${what} (${lang}) ---\n${s}\n`)
      show('a failing run', await waitFor(t.failing, 60_000))
      tmux('send-keys', '-t', session, 'Right')
      show('the second failing test', await waitFor(t.second))
      tmux('send-keys', '-t', session, 'd')
      show('its diff in full', await waitFor(t.diffLines))
      tmux('send-keys', '-t', session, 'd')
      // core/channels is a multi-step kata: open it from the list.
      tmux('send-keys', '-t', session, 'l')
      await waitFor(/core\/channels/)
      const index = loadCatalogLenient(dir).catalog.katas.findIndex((k) => k.id === 'core/channels')
      for (let i = 0; i < index; i++) tmux('send-keys', '-t', session, 'Down')
      tmux('send-keys', '-t', session, 'Enter')
      show('a step kata', await waitFor(t.step, 60_000))
      tmux('send-keys', '-t', session, 'c')
      show("check-all's summary", await waitFor(t.summary, 150_000))
      tmux('send-keys', '-t', session, 'q')
    })
  }

  // The Go track: `go test -race` per save. The first -race build of a cold cache takes
  // minutes on a busy machine, so every wait is generous and waits for text, never for time.
  it.runIf(!!findGo())('solves start in Go: watch --track go, a failing save, a passing save', { timeout: 900_000 }, async () => {
    dir = smallWorkspace(['00-start'])
    const kata = join(dir, 'exercises', '00-start', '01-first-verdict', 'go', 'greet.go')
    const cmd = `cd ${dir} && env -u CI TERM=xterm-256color ${process.execPath} ${join(ROOT, 'bin/roadmap.js')} watch --track go --lang en`
    tmux('new-session', '-d', '-s', session, '-x', '140', '-y', '40', cmd)
    const show = (what: string, s: string) => process.stdout.write(`\n--- ${what} (Go) ---\n${s}\n`)
    // The header names the track; the panel points at the Go file.
    const starter = await waitFor(/Failing test 1 of 6: TestGreet > greets_a_person_by_name/, 600_000)
    expect(starter).toMatch(/roadmap · Go track/)
    expect(starter).toContain('exercises/00-start/01-first-verdict/go/greet.go')
    // A failing save: the name used as given, so the spaces around it stay.
    copyFileSync(join(ROOT, 'harness', '00-start', '01-first-verdict', 'go-mutants', 'no-trim', 'greet.go'), kata)
    const failing = await waitFor(/greet_test\.go:\d+: Greet\("  Linus "\) = "Hello,   Linus !", want "Hello, Linus!"/, 300_000)
    expect(failing).toMatch(/✗ failed · 3\/6 tests/)
    show('a failing save', failing)
    copyFileSync(join(ROOT, 'solutions', '00-start', '01-first-verdict', 'go', 'greet.go'), kata)
    const passed = await waitFor(/Passed! Press n for the next kata/, 300_000)
    expect(passed).toMatch(/✓ passed · 6\/6 tests/)
    expect(passed).toMatch(/1\/1 katas passed/)
    show('a passing save', passed)
    tmux('send-keys', '-t', session, 'q')
  })
})

/** A checkout holding only some chapters (check-all over them stays quick), code and dependencies linked. */
function smallWorkspace(chapters: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'roadmap-e2e-'))
  const sides = { harness: join(ROOT, 'harness'), exercises: pristineExercises(), solutions: join(ROOT, 'solutions') }
  for (const [side, from] of Object.entries(sides)) {
    for (const c of chapters) cpSync(join(from, c), join(dir, side, c), { recursive: true })
  }
  for (const f of ['support', 'topics.yaml', 'kata-modules.d.ts']) cpSync(join(ROOT, 'harness', f), join(dir, 'harness', f), { recursive: true })
  for (const l of ['node_modules', 'src', 'package.json', 'tsconfig.json']) symlinkSync(join(ROOT, l), join(dir, l))
  return dir
}

describe('roadmap watch --plain: start-up', () => {
  /** `watch --plain` until its first verdict; its stderr (with ROADMAP_TRACE=1). */
  async function firstVerdict(dir: string): Promise<string> {
    const child = spawn(process.execPath, [join(ROOT, 'bin/roadmap.js'), 'watch', '--plain', '--root', dir], { cwd: dir, env: { ...process.env, NO_COLOR: '1', ROADMAP_TRACE: '1' }, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stderr.on('data', (d: Buffer) => (err += String(d)))
    await new Promise<void>((resolve) =>
      child.stdout.on('data', (d: Buffer) => {
        out += String(d)
        if (/^[✓✗] \S+\/\S+ /m.test(out)) resolve()
      }),
    )
    child.kill('SIGINT')
    await new Promise((r) => child.once('exit', r))
    return err
  }

  it('adopts the worker forked as the process started; a record others may write is ignored', { timeout: 120_000 }, async () => {
    const dir = benchWorkspace(ROOT)
    const record = join(ROOT, 'node_modules/.cache/roadmap/first-worker.json')
    try {
      await firstVerdict(dir) // records how its first worker was forked
      expect(await firstVerdict(dir)).toMatch(/^\[trace\] first worker adopted$/m)
      chmodSync(record, 0o666)
      expect(await firstVerdict(dir)).not.toMatch(/\[trace\] first worker adopted/)
    } finally {
      chmodSync(record, 0o644)
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('a kata saved before the watcher is up is run once it is (the watcher starts after the first verdict)', { timeout: 60_000 }, async () => {
    const dir = benchWorkspace(ROOT)
    try {
      rmSync(join(dir, 'exercises'), { recursive: true, force: true })
      cpSync(pristineExercises(), join(dir, 'exercises'), { recursive: true })
      const { catalog } = loadCatalogLenient(dir)
      const second = catalog.katas[1]!
      const child = spawn(process.execPath, [join(ROOT, 'bin/roadmap.js'), 'watch', '--plain', '--root', dir], { cwd: dir, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] })
      let out = ''
      child.stdout.on('data', (d: Buffer) => (out += String(d)))
      // Saved while roadmap is still starting: no watcher exists yet to see it.
      await new Promise((r) => setTimeout(r, 150))
      for (const f of second.files) copyFileSync(join(dir, 'solutions', second.dir, f), join(dir, 'exercises', second.dir, f))
      const until = Date.now() + 45_000
      while (!new RegExp(`^✓ ${second.id} `, 'm').test(out) && Date.now() < until) await new Promise((r) => setTimeout(r, 100))
      child.kill('SIGINT')
      await new Promise((r) => child.once('exit', r))
      expect(out).toMatch(new RegExp(`^✓ ${second.id} `, 'm'))
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
