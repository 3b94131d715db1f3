import { execFile } from 'node:child_process'
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { demoRoot, ROOT } from './helpers.ts'

// `roadmap verify` says the truth about katas that are not finished.
const run = promisify(execFile)
const verify = (root: string, ...args: string[]) =>
  run(process.execPath, [join(ROOT, 'bin/roadmap.js'), 'verify', '--root', root, ...args], { env: { ...process.env, CI: '1', NO_COLOR: '1' }, timeout: 240_000 }).then(
    (r) => ({ code: 0, out: r.stdout + r.stderr }),
    (e: { code?: number; stdout?: string; stderr?: string }) => ({ code: e.code ?? -1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` }),
  )

describe('verify on unfinished katas', () => {
  it('fails a scaffold that still says TODO, naming each leftover', { timeout: 300_000 }, async () => {
    const root = demoRoot()
    await run(process.execPath, [join(ROOT, 'bin/roadmap.js'), 'new', '--root', root, 'demo/shouty'], { env: { ...process.env, CI: '1' } })
    const r = await verify(root, '--kata', 'demo/shouty')
    expect(r.code, r.out).toBe(1)
    expect(r.out).toMatch(/template left in place: title\.en still says "TODO title"/)
    expect(r.out).toMatch(/template left in place: hints\.0\.en/)
    expect(r.out).toMatch(/mutants 3\/3 rejected/)
  })

  it('fails a kata with a catalog problem of its own (an unknown topic) instead of calling it sound', { timeout: 300_000 }, async () => {
    const root = demoRoot()
    const meta = join(root, 'harness', '00-demo', '02-greet', 'kata.yaml')
    writeFileSync(meta, readFileSync(meta, 'utf8').replace(/topics: \[.*\]/, 'topics: ["start.nope"]'))
    appendFileSync(meta, '\n')
    const r = await verify(root, '--kata', 'demo/greet')
    expect(r.code, r.out).toBe(1)
    expect(r.out).toMatch(/catalog: topics\.0: unknown topic id "start\.nope"/)
  })

  it('refuses an unknown kata or chapter with exit 2', { timeout: 120_000 }, async () => {
    const root = demoRoot()
    expect((await verify(root, '--kata', 'demo/nope')).code).toBe(2)
    expect((await verify(root, '--chapter', 'nope')).code).toBe(2)
  })
})
