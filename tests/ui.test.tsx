import { render } from 'ink-testing-library'
import { describe, expect, it } from 'vitest'
import type { Lang } from '../src/i18n/lang.ts'
import { ProgressStore } from '../src/progress/store.ts'
import type { KataResult } from '../src/results/model.ts'
import { App, type EngineApi } from '../src/ui/App.tsx'
import type { EngineEvent, EngineListener } from '../src/watch/events.ts'
import { catalog, tmp } from './helpers.ts'

/** A stand-in for the watch engine: the screen only sees its events and sends it commands. */
function fakeEngine() {
  const listeners: EngineListener[] = []
  const calls: string[] = []
  const cat = catalog()
  const engine: EngineApi = {
    catalog: cat,
    store: new ProgressStore(tmp()),
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

const tick = () => new Promise((r) => setTimeout(r, 30))
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
    expect(ui.lastFrame()).toContain('Starting the test runner…')
    expect(ui.lastFrame()).toContain('Looking for PostgreSQL, Redis, RabbitMQ, NATS…')
  })

  it('shows a failing kata: file to edit, verdict, first failing test and its diff', async () => {
    const s = await screen()
    s.emit({ type: 'result', state: 'failed', result: result('fail', { tests: [{ name: 'greet > greets Ada', status: 'fail', message: 'greet("Ada"): expected \'Hello\' to be \'Hello, Ada!\'', diff: 'Expected: "Hello, Ada!"\nReceived: "Hello"', durationMs: 1 }, { name: 'other', status: 'fail', durationMs: 1 }] }) })
    await tick()
    const frame = s.ui.lastFrame()!
    expect(frame).toContain('exercises/00-start/01-first-verdict/greet.ts')
    expect(frame).toContain('✗ failed · 0/2 tests · last run 42 ms')
    expect(frame).toContain('First failing test: greet > greets Ada')
    expect(frame).toContain('Received: "Hello"')
    expect(frame).toContain('… and 1 more failing')
  })

  it('shows a pass and offers n for the next kata', async () => {
    const s = await screen()
    s.engine.store.update((p) => (p.katas['start/first-verdict'] = { hintsSeen: 0, lastVerdict: 'pass', passedAt: 'now' }))
    s.emit({ type: 'result', state: 'passed', result: result('pass') })
    await tick()
    expect(s.ui.lastFrame()).toContain('Passed! Press n for the next kata.')
    expect(s.ui.lastFrame()).toMatch(/n next/)
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
    expect(s.ui.lastFrame()).toContain('⏱ timed out')
    expect(s.ui.lastFrame()).toContain('budget of 5.0 s')
    s.emit({ type: 'result', state: 'failed', result: result('error', { message: 'syntax error in /x/greet.ts:1:54: Unexpected token' }) })
    await tick()
    expect(s.ui.lastFrame()).toContain('could not run')
    expect(s.ui.lastFrame()).toContain('greet.ts:1:54: Unexpected token')
  })

  it('names a missing service, the command that starts it and how many katas it blocks', async () => {
    const s = await screen()
    s.emit({ type: 'services', services: [{ name: 'redis', state: 'missing', tried: ['nothing on 6379'], fix: 'docker compose up -d redis', probeMs: 1 }] })
    await tick()
    expect(s.ui.lastFrame()).toMatch(/⚠ Redis not found: docker compose up -d redis \(blocks \d+ katas?\)/)
  })

  it('reveals hints one by one with h and records them', async () => {
    const s = await screen()
    s.ui.stdin.write('h')
    await tick()
    expect(s.ui.lastFrame()).toContain('Hint 1/2')
    expect(s.ui.lastFrame()).not.toContain('Hint 2/2')
    s.ui.stdin.write('h')
    await tick()
    expect(s.ui.lastFrame()).toContain('Hint 2/2')
    expect(s.engine.store.kata('start/first-verdict').hintsSeen).toBe(2)
  })

  it('sends r and c to the engine, opens the list with l and jumps with enter', async () => {
    const s = await screen()
    s.ui.stdin.write('r')
    s.ui.stdin.write('c')
    await tick()
    expect(s.calls).toEqual(['rerun', 'check'])
    s.ui.stdin.write('l')
    await tick()
    expect(s.ui.lastFrame()).toContain('start/first-verdict')
    s.ui.stdin.write('\u001B[B') // down
    await tick()
    s.ui.stdin.write('\r')
    await tick()
    expect(s.calls[2]).toBe(`focus ${s.engine.catalog.katas[1]?.id}`)
  })

  it('speaks Russian', async () => {
    const s = await screen('ru')
    s.emit({ type: 'result', state: 'failed', result: result('fail', { tests: [{ name: 't', status: 'fail', durationMs: 1 }] }) })
    await tick()
    const frame = s.ui.lastFrame()!
    expect(frame).toContain('Первый вердикт')
    expect(frame).toContain('✗ не пройдена · тестов пройдено: 0/1')
    expect(frame).toContain('Первый упавший тест: t')
    expect(frame).toMatch(/h подсказка +r перезапуск +l список/)
  })
})
