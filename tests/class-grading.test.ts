import { execFile } from 'node:child_process'
import { cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { beforeAll, describe, expect, it } from 'vitest'
import { parseShard, shardKatas } from '../src/grading/shard.ts'
import { catalog, roomyDemoRoot, ROOT, tmp } from './helpers.ts'

const exec = promisify(execFile)
async function roadmap(args: string[], env: NodeJS.ProcessEnv = {}) {
  try {
    return { code: 0, ...(await exec(process.execPath, [join(ROOT, 'bin/roadmap.js'), ...args], { env: { ...process.env, NO_COLOR: '1', ...env } })) }
  } catch (err) {
    return err as { code: number; stdout: string; stderr: string }
  }
}

let root = ''
beforeAll(() => {
  root = roomyDemoRoot()
})

/** A submission with the given katas solved (reference solution) and the rest as shipped. */
function student(dir: string, solved: string[], extra: Record<string, string> = {}) {
  cpSync(join(root, 'exercises'), join(dir, 'exercises'), { recursive: true })
  for (const slug of solved) cpSync(join(root, 'solutions/00-demo', slug), join(dir, 'exercises/00-demo', slug), { recursive: true })
  for (const [file, content] of Object.entries(extra)) writeFileSync(join(dir, 'exercises/00-demo', file), content)
}

describe('grade --many: a gradebook for a class', () => {
  it('grades five submissions of different quality and gets every figure right', { timeout: 600_000 }, async () => {
    const cls = tmp('roadmap-class-')
    const plan: Record<string, [string[], Record<string, string>?]> = {
      ada: [['01-add', '02-greet', '03-double']],
      bob: [[]],
      cyd: [['02-greet']],
      dee: [['01-add', '03-double']],
      eve: [['02-greet'], { '01-add/add.ts': 'export const add = (a: number, b: number) => a +* b\n' }],
    }
    for (const [name, [solved, extra]] of Object.entries(plan)) {
      mkdirSync(join(cls, name))
      student(join(cls, name), solved, extra)
    }
    // One submission that cannot be graded at all (its exercises/ a link to the solutions): it scores nothing, the class goes on.
    mkdirSync(join(cls, 'fay'))
    symlinkSync(join(root, 'solutions'), join(cls, 'fay', 'exercises'))
    const out = tmp('roadmap-book-')
    const r = await roadmap(['grade', cls, '--many', '--root', root, '--out', out], { ROADMAP_TRACE: '1' })
    expect(r.code, r.stderr).toBe(0)
    // Services resolved and runners built once for the class, not again per student.
    expect(r.stderr.match(/^\[trace\] services resolved/gm), 'services resolved per grade --many').toHaveLength(1)
    // Two submissions at once (a lane each), each lane's runners kept for its next student.
    expect(r.stderr.match(/^\[trace\] runner started/gm)?.length ?? 0, 'Vitest instances built for five students').toBeLessThanOrEqual(2 * availableParallelism())
    const book = JSON.parse(readFileSync(join(out, 'gradebook.json'), 'utf8'))
    const scores = Object.fromEntries(book.students.map((s: { student: string; score: number }) => [s.student, s.score]))
    expect(scores).toEqual({ ada: 20, bob: 0, cyd: 5, dee: 15, eve: 5, fay: 0 })
    expect(JSON.parse(readFileSync(join(out, 'students/fay/results.json'), 'utf8')).katas[0].message).toMatch(/^<submission>\/exercises is a symbolic link/)
    expect(book.students.find((s: { student: string }) => s.student === 'eve').katas['demo/add']).toEqual({ verdict: 'error', score: 0, max: 10 })
    expect(readFileSync(join(out, 'gradebook.csv'), 'utf8')).toBe('student,demo,total,max,percent\nada,20,20,20,100\nbob,0,0,20,0\ncyd,5,5,20,25\ndee,15,15,20,75\neve,5,5,20,25\nfay,0,0,20,0\n')
    const html = readFileSync(join(out, 'gradebook.html'), 'utf8')
    expect(html).toContain('<table class="sortable">')
    expect(html).not.toMatch(/<script src|<link /)
    expect(JSON.parse(readFileSync(join(out, 'students/dee/results.json'), 'utf8')).score).toBe(15)
  })
})

describe('grade --shard and report merge', () => {
  it('splits the katas so that every kata is in exactly one shard', () => {
    const katas = catalog().katas
    for (const n of [1, 2, 3, 7]) {
      const parts = Array.from({ length: n }, (_, i) => shardKatas(katas, { index: i + 1, count: n }).map((k) => k.id))
      expect(parts.flat().sort()).toEqual(katas.map((k) => k.id).sort())
    }
    expect(() => parseShard('4/3')).toThrow(/1 ≤ i ≤ n/)
  })

  it('three shards merged equal the unsharded grade', { timeout: 600_000 }, async () => {
    const sub = tmp('roadmap-shard-')
    student(sub, ['01-add', '03-double'])
    const whole = tmp('roadmap-whole-')
    await roadmap(['grade', sub, '--root', root, '--out', whole, '--min-score', '0'])
    const shardDirs = [1, 2, 3].map(() => tmp('roadmap-part-'))
    for (const [i, d] of shardDirs.entries()) await roadmap(['grade', sub, '--root', root, '--out', d, '--shard', `${i + 1}/3`, '--min-score', '0'])
    const merged = tmp('roadmap-merged-')
    const m = await roadmap(['report', 'merge', ...shardDirs, '--root', root, '--out', merged, '--min-score', '0'])
    expect(m.code, m.stderr).toBe(0)
    const strip = (file: string) => {
      const j = JSON.parse(readFileSync(file, 'utf8'))
      return {
        status: j.status,
        score: j.score,
        max_score: j.max_score,
        katas: j.katas.map((k: { id: string; verdict: string; score: number; tests: { name: string; status: string }[] }) => ({ id: k.id, verdict: k.verdict, score: k.score, tests: k.tests.map((t) => [t.name, t.status]) })),
      }
    }
    expect(strip(join(merged, 'results.json'))).toEqual(strip(join(whole, 'results.json')))
    expect(strip(join(whole, 'results.json'))).toMatchObject({ score: 15, max_score: 20, status: 'fail' })
  })
})
