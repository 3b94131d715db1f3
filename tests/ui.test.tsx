import { render } from 'ink-testing-library'
import { describe, expect, it } from 'vitest'
import type { Lang } from '../src/i18n/lang.ts'
import { ProgressStore } from '../src/progress/store.ts'
import type { KataResult } from '../src/results/model.ts'
import { App, type EngineApi } from '../src/ui/App.tsx'
import { Overview, overviewColumns } from '../src/ui/components/Overview.tsx'
import type { EngineEvent, EngineListener } from '../src/watch/events.ts'
import { catalog, tmp } from './helpers.ts'

/** A stand-in for the watch engine: the screen only sees its events and sends it commands. */
function fakeEngine() {
  const listeners: EngineListener[] = []
  const calls: string[] = []
  const cat = catalog()
  const store = new ProgressStore(tmp())
  const engine: EngineApi & { store: ProgressStore } = {
    catalog: cat,
    store,
    seeHint: (id, upTo) => {
      calls.push(`hint ${id} ${upTo}`)
      store.seeHint(id, upTo)
    },
    on: (l) => {
      listeners.push(l)
      return () => undefined
    },
    focus: (id) => void calls.push(`focus ${id}`),
    next: () => void calls.push('next'),
    rerun: () => void calls.push('rerun'),
    checkAll: async () => void calls.push('check'),
  }
  const emit = (e: EngineEvent) => listeners.forEach((l) => l(e))
  return { engine, emit, calls }
}

const tick = () => new Promise((r) => setTimeout(r, 80))
/** The last frame once it shows `want`, or after 5 s (a busy machine renders late). */
const shown = (ui: { lastFrame: () => string | undefined }, want: string | RegExp) => until(ui, (f) => (typeof want === 'string' ? f.includes(want) : want.test(f)))
/** Waits until the last frame satisfies `ok` (a busy machine renders late), or gives up after 5 s. */
async function until(ui: { lastFrame: () => string | undefined }, ok: (frame: string) => boolean) {
  const end = Date.now() + 5000
  while (!ok(ui.lastFrame() ?? '') && Date.now() < end) await tick()
  return ui.lastFrame() ?? ''
}
const result = (verdict: KataResult['verdict'], extra: Partial<KataResult> = {}): KataResult => ({
  id: 'start/first-verdict',
  target: 'exercises',
  verdict,
  tests: [],
  durationMs: 42,
  points: 1,
  score: verdict === 'pass' ? 1 : 0,
  finishedAt: new Date().toISOString(),
  ...extra,
})

async function screen(lang: Lang = 'en') {
  const f = fakeEngine()
  const ui = render(<App engine={f.engine} lang={lang} />)
  await tick()
  f.emit({ type: 'focus', id: 'start/first-verdict' })
  await tick()
  return { ...f, ui }
}

describe('watch screen', () => {
  it('says what is starting while the runner and services warm up', async () => {
    const f = fakeEngine()
    const ui = render(<App engine={f.engine} lang="en" />)
    await tick()
    f.emit({ type: 'starting', what: 'runner' })
    f.emit({ type: 'starting', what: 'services' })
    await tick()
    expect(await shown(ui, 'Starting the test runner…')).toContain('Starting the test runner…')
    expect(await shown(ui, 'Looking for PostgreSQL, Redis, RabbitMQ, NATS…')).toContain('Looking for PostgreSQL, Redis, RabbitMQ, NATS…')
  })

  it('shows a failing kata: file to edit, verdict, first failing test and its diff', async () => {
    const s = await screen()
    s.emit({ type: 'result', state: 'failed', result: result('fail', { tests: [{ name: 'greet > greets Ada', status: 'fail', message: 'greet("Ada"): expected \'Hello\' to be \'Hello, Ada!\'', diff: 'Expected: "Hello, Ada!"\nReceived: "Hello"', durationMs: 1 }, { name: 'other', status: 'fail', durationMs: 1 }] }) })
    const frame = await until(s.ui, (f) => f.includes('Failing test'))
    expect(frame).toContain('exercises/00-start/01-first-verdict/greet.ts')
    expect(frame).toContain('✗ failed · 0/2 tests · last run 42 ms')
    expect(frame).toContain('Failing test 1 of 2: greet > greets Ada')
    expect(frame).toContain('Received: "Hello"')
    expect(frame).toContain('←/→ other failing tests')
  })

  it("shows a starter's TODO quoted in a diff in the learner's language only", async () => {
    const s = await screen('ru')
    const diff = '- Expected:\n[Function RangeError]\n+ Received:\nError {\n  "message": "TODO: return the greeting\nTODO(ru): верните приветствие",\n}'
    s.emit({ type: 'result', state: 'failed', result: result('fail', { tests: [{ name: 'greet > greets Ada', status: 'fail', message: 'expected error', diff, durationMs: 1 }] }) })
    const frame = await shown(s.ui, 'верните приветствие')
    expect(frame).toContain('TODO: верните приветствие')
    expect(frame).not.toContain('return the greeting')
  })

  it('shows a pass and offers n for the next kata', async () => {
    const s = await screen()
    s.engine.store.record({ ...result('pass'), target: 'exercises' })
    s.emit({ type: 'result', state: 'passed', result: result('pass') })
    await tick()
    expect(await shown(s.ui, 'Passed! Press n for the next kata.')).toContain('Passed! Press n for the next kata.')
    expect(await shown(s.ui, /n next/)).toMatch(/n next/)
    s.ui.stdin.write('n')
    await tick()
    expect(s.calls).toContain('next')
  })

  it('does not move on with n while the kata fails', async () => {
    const s = await screen()
    s.emit({ type: 'result', state: 'failed', result: result('fail') })
    await tick()
    s.ui.stdin.write('n')
    await tick()
    expect(s.calls).not.toContain('next')
  })

  it('shows a timeout and a syntax error in the learner’s terms', async () => {
    const s = await screen()
    s.emit({ type: 'result', state: 'failed', result: result('timeout', { message: 'the run took longer than its budget of 5.0 s' }) })
    await tick()
    expect(await shown(s.ui, '⏱ timed out')).toContain('⏱ timed out')
    expect(await shown(s.ui, 'budget of 5.0 s')).toContain('budget of 5.0 s')
    s.emit({ type: 'result', state: 'failed', result: result('error', { message: 'syntax error in /x/greet.ts:1:54: Unexpected token' }) })
    await tick()
    expect(await shown(s.ui, 'could not run')).toContain('could not run')
    expect(await shown(s.ui, 'greet.ts:1:54: Unexpected token')).toContain('greet.ts:1:54: Unexpected token')
  })

  it('names a missing service, the command that starts it and how many katas it blocks', async () => {
    const s = await screen()
    s.emit({ type: 'services', services: [{ name: 'redis', state: 'missing', tried: ['nothing on 6379'], fix: 'docker compose up -d redis', probeMs: 1 }] })
    await tick()
    expect(await shown(s.ui, /⚠ Redis not found: docker compose up -d redis \(blocks \d+ katas?\)/)).toMatch(/⚠ Redis not found: docker compose up -d redis \(blocks \d+ katas?\)/)
  })

  it('reveals hints one by one with h and records them', async () => {
    const s = await screen()
    s.ui.stdin.write('h')
    await tick()
    expect(await shown(s.ui, 'Hint 1/2')).toContain('Hint 1/2')
    expect(s.ui.lastFrame()).not.toContain('Hint 2/2')
    s.ui.stdin.write('h')
    await tick()
    expect(await shown(s.ui, 'Hint 2/2')).toContain('Hint 2/2')
    expect(s.engine.store.kata('start/first-verdict').hintsSeen).toBe(2)
    expect(s.calls, 'the screen asks the engine to record a hint; it never writes progress itself').toContain('hint start/first-verdict 2')
  })

  it('sends r and c to the engine, opens the list with l and jumps with enter', async () => {
    const s = await screen()
    s.ui.stdin.write('r')
    s.ui.stdin.write('c')
    await tick()
    expect(s.calls).toEqual(['rerun', 'check'])
    s.ui.stdin.write('l')
    await tick()
    expect(await shown(s.ui, 'start/first-verdict')).toContain('start/first-verdict')
    s.ui.stdin.write('\u001B[B') // down
    await tick()
    s.ui.stdin.write('\r')
    await tick()
    expect(s.calls[2]).toBe(`focus ${s.engine.catalog.katas[1]?.id}`)
  })

  it('speaks Russian', async () => {
    const s = await screen('ru')
    s.emit({ type: 'result', state: 'failed', result: result('fail', { tests: [{ name: 't', status: 'fail', durationMs: 1 }] }) })
    const frame = await until(s.ui, (f) => f.includes('Упавший тест'))
    expect(frame).toContain('Первый вердикт')
    expect(frame).toContain('✗ не пройдена · тестов пройдено: 0/1')
    expect(frame).toContain('Упавший тест: t')
    expect(frame).toContain('Файл: exercises/')
    expect(frame).toMatch(/h подсказка +d diff +r перезапуск +l список/)
  })

  it('replaces the old verdict while a run is in progress', async () => {
    const s = await screen()
    s.emit({ type: 'result', state: 'failed', result: result('fail', { tests: [{ name: 'greet > greets Ada', status: 'fail', message: 'old failure', durationMs: 1 }] }) })
    await tick()
    expect(await shown(s.ui, 'old failure')).toContain('old failure')
    s.emit({ type: 'run-start', id: 'start/first-verdict', reason: 'save' })
    expect(await shown(s.ui, 'Running…')).toContain('Running…')
    expect(s.ui.lastFrame()).not.toContain('old failure')
    expect(s.ui.lastFrame()).not.toContain('✗ failed')
  })

  it('moves between failing tests with → and ←, and opens a long diff in full with d', async () => {
    const s = await screen()
    const long = Array.from({ length: 40 }, (_, i) => `- line ${i + 1}`).join('\n')
    s.emit({ type: 'result', state: 'failed', result: result('fail', { tests: [
      { name: 'a > first', status: 'fail', message: 'first message', durationMs: 1 },
      { name: 'a > passes', status: 'pass', durationMs: 1 },
      { name: 'a > second', status: 'fail', message: 'second message', diff: long, durationMs: 1 },
    ] }) })
    await tick()
    expect(await shown(s.ui, 'Failing test 1 of 2: a > first')).toContain('Failing test 1 of 2: a > first')
    s.ui.stdin.write('\u001B[C') // right
    await tick()
    expect(await shown(s.ui, 'Failing test 2 of 2: a > second')).toContain('Failing test 2 of 2: a > second')
    expect(await shown(s.ui, 'second message')).toContain('second message')
    expect(await shown(s.ui, /more lines: press d/)).toMatch(/more lines: press d/)
    expect(s.ui.lastFrame()).not.toContain('line 30')
    s.ui.stdin.write('d')
    await tick()
    expect(await shown(s.ui, /\(1–\d+ \/ 40\)/)).toMatch(/\(1–\d+ \/ 40\)/)
    for (let i = 0; i < 30; i++) s.ui.stdin.write('\u001B[B') // down: scroll
    await tick()
    expect(await shown(s.ui, 'line 40')).toContain('line 40')
    s.ui.stdin.write('d')
    await tick()
    s.ui.stdin.write('\u001B[D') // left, back to the first
    await tick()
    expect(await shown(s.ui, 'Failing test 1 of 2: a > first')).toContain('Failing test 1 of 2: a > first')
  })

  it('offers first the hint tied to the failing test, and clears hints on a pass', async () => {
    const f = fakeEngine()
    const kata = f.engine.catalog.byId.get('start/first-verdict')!
    kata.hints = [
      { en: 'general hint', ru: 'общая подсказка' },
      { en: 'about the name', ru: 'про имя', tests: ['greets Ada'] },
    ]
    const ui = render(<App engine={f.engine} lang="en" />)
    await tick()
    f.emit({ type: 'focus', id: kata.id })
    f.emit({ type: 'result', state: 'failed', result: result('fail', { tests: [{ name: 'greet > greets Ada', status: 'fail', durationMs: 1 }] }) })
    await tick()
    ui.stdin.write('h')
    await tick()
    expect(await shown(ui, 'Hint 1/2: about the name')).toContain('Hint 1/2: about the name')
    expect(ui.lastFrame()).not.toContain('general hint')
    f.emit({ type: 'result', state: 'passed', result: result('pass') })
    expect(await until(ui, (fr) => fr.includes('Passed!'))).not.toContain('about the name')
  })

  it('shows step k of n, points per step and the step’s failing test for a multi-step kata', async () => {
    const f = fakeEngine()
    const kata = f.engine.catalog.katas.find((k) => k.steps?.length)!
    const ui = render(<App engine={f.engine} lang="en" />)
    await tick()
    f.emit({ type: 'focus', id: kata.id })
    const [one, two] = kata.steps!
    f.emit({ type: 'result', state: 'failed', result: result('fail', { id: kata.id, tests: [
      { name: `${one!.tests}: x > works`, status: 'pass', durationMs: 1 },
      { name: `${two!.tests}: y > breaks`, status: 'fail', message: 'step two is not done', durationMs: 1 },
    ] }) })
    const frame = await until(ui, (f) => f.includes('Step 2 of'))
    expect(frame).toContain(`Step 2 of ${kata.steps!.length}: ${kata.steps![1]!.title.en}`)
    expect(frame).toMatch(new RegExp(`1/${kata.steps!.length} steps done`))
    expect(frame).toMatch(/✓ 1 \(\d+ pts?\)/)
    expect(frame).toContain('y > breaks')
  })

  it('ends check-all with a summary by chapter, in both languages', async () => {
    for (const lang of ['en', 'ru'] as const) {
      const s = await screen(lang)
      const chapters = s.engine.catalog.chapters.map((c) => ({ id: c.id, passed: c.id === 'start' ? 1 : 0, total: c.katas.length }))
      s.emit({ type: 'check-progress', done: 3, total: 10, failed: 1 })
      expect(await until(s.ui, (f) => f.includes('3/10'))).toContain(lang === 'en' ? 'Checking every kata: 3/10' : 'Проверяем все каты: 3/10')
      s.emit({ type: 'check-done', passed: 1, total: 10, chapters })
      const frame = await until(s.ui, (f) => f.includes(lang === 'en' ? 'By chapter' : 'По главам'))
      expect(frame).toContain(lang === 'en' ? 'By chapter' : 'По главам')
      expect(frame).toMatch(lang === 'en' ? /Start\s+█+ 1\/1/ : /Старт\s+█+ 1\/1/)
    }
  })

  it('fits long chapter names: bars line up by display width, in Russian too', async () => {
    const f = fakeEngine()
    for (const lang of ['en', 'ru'] as const) {
      const ui = render(<Overview catalog={f.engine.catalog} store={f.engine.store} lang={lang} />)
      await tick()
      const frame = ui.lastFrame()!
      const cols = frame.split('\n').filter((l) => /[█░]{12}/.test(l)).map((l) => l.search(/[█░]{12}/))
      expect(cols.length).toBe(f.engine.catalog.chapters.length)
      expect(new Set(cols).size, 'every bar starts in the same column').toBe(1)
      for (const ch of f.engine.catalog.chapters) expect(frame).toContain(ch.title[lang])
      expect(overviewColumns(f.engine.catalog, lang), 'the overview column is as wide as its longest line').toBeGreaterThanOrEqual(Math.max(...frame.split('\n').map((l) => l.length)))
    }
  })
})
