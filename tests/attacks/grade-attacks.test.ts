import { execFileSync } from 'node:child_process'
import { existsSync, linkSync, mkdirSync, readFileSync, symlinkSync, writeFileSync, chmodSync, chownSync, readdirSync, cpSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { stepSummary } from '../../src/report/step-summary.ts'
import { ROOT, tmp } from '../helpers.ts'
import { attacks, buildCorpus, exec, SECRET, type Built } from './corpus.ts'

// Every attack of tests/attacks/corpus.ts graded in one run, as root (each run its own
// user and namespaces) and as an ordinary user (refused, then with the explicit
// --unsafe-same-user for local use); and --many with three students.
const isRoot = process.getuid?.() === 0
// As an ordinary user grade refuses to run at all without --unsafe-same-user: pass it, so the check under test is reached.
const sameUserUnlessRoot = isRoot ? [] : ['--unsafe-same-user']
const ORDINARY = 'roadmap-tester'

interface Graded {
  code: number
  stdout: string
  stderr: string
  json: { status: string; katas: { id: string; verdict: string; score: number; max_score: number; message: string | null; output: string | null; tests: { status: string; message: string | null; output: string | null }[] }[] }
  summary: string
}

const SCRIPT = join(ROOT, 'bin/roadmap.js')
const env = (extra: Record<string, string> = {}) => ({ ...process.env, GITHUB_TOKEN: SECRET, ROADMAP_SECRET: SECRET, NO_COLOR: '1', ...extra })

async function run(args: string[], opts: { as?: string; env?: Record<string, string> } = {}) {
  const cmd = opts.as ? 'runuser' : process.execPath
  const argv = opts.as ? ['-u', opts.as, '--', 'env', ...Object.entries(env(opts.env)).filter(([k]) => /^(PATH|GITHUB_TOKEN|ROADMAP_|NO_COLOR|GITHUB_STEP_SUMMARY)/.test(k)).map(([k, v]) => `${k}=${v}`), `HOME=/tmp`, process.execPath, SCRIPT, ...args] : [SCRIPT, ...args]
  try {
    const r = await exec(cmd, argv, { env: env(opts.env), maxBuffer: 64 << 20, timeout: 600_000 })
    return { code: 0, stdout: r.stdout, stderr: r.stderr }
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

/** Links the corpus cannot write as text: a kata folder linked to solutions/, a hard link to a solution. */
function plantLinks(b: Built) {
  const links = existsSync(join(b.sub, '.links')) ? readFileSync(join(b.sub, '.links'), 'utf8').trim().split('\n') : []
  for (const dir of links) symlinkSync(join(b.root, 'solutions', dir.split('/exercises/')[1]!), dir)
  const hard = readdirSync(join(b.sub, 'exercises/00-demo')).find((d) => d.endsWith('-hard-link-outside'))!
  linkSync(join(b.root, 'solutions/00-demo', hard, 'add.ts'), join(b.sub, 'exercises/00-demo', hard, 'add.ts'))
}

async function gradeCorpus(b: Built, opts: { as?: string; env?: Record<string, string>; extra?: string[] } = {}): Promise<Graded> {
  const out = join(tmp('roadmap-attack-out-'), 'out')
  const summary = join(tmp('roadmap-attack-sum-'), 'summary.md')
  writeFileSync(summary, '')
  if (opts.as) {
    chmodSync(join(out, '..'), 0o777)
    chmodSync(join(summary, '..'), 0o777)
    chmodSync(summary, 0o666)
  }
  const r = await run(['grade', b.sub, '--root', b.root, '--out', out, '--min-score', '0', ...(opts.extra ?? [])], { as: opts.as, env: { ...opts.env, GITHUB_STEP_SUMMARY: summary } })
  const json = existsSync(join(out, 'results.json')) ? JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) : { status: 'missing', katas: [] }
  return { ...r, json, summary: readFileSync(summary, 'utf8') }
}

const leftovers = () => Number(execFileSync('sh', ['-c', `pgrep -fc 'slee[p] 313.7' || true`], { encoding: 'utf8' }).trim())

/** Every attack scores 0 and is not "unavailable"; the honest kata beside them scores full marks. */
function expectDefeated(g: Graded, ids: string[]) {
  const byId = new Map(g.json.katas.map((k) => [k.id, k]))
  const honest = byId.get('demo/honest')
  expect(honest, `the honest kata was graded: ${g.stderr}`).toMatchObject({ verdict: 'pass', score: 10 })
  // One honest pass of three, the rest skipped: a third of the points, not nine tenths.
  const partial = byId.get('demo/skip-the-rest')
  if (partial) expect(partial, 'skipped tests count as failed').toMatchObject({ verdict: 'fail', score: 3 })
  const won = ids
    .filter((id) => id !== 'demo/honest' && id !== 'demo/skip-the-rest')
    .map((id) => byId.get(id)!)
    .filter((k) => !k || k.score > 0 || k.verdict === 'pass' || k.verdict === 'unavailable')
    .map((k) => `${k?.id}: ${k?.verdict} ${k?.score} ${k?.message ?? ''} ${k?.tests.map((t) => t.message).join(' | ')}`)
  expect(won, 'attacks that earned a point or voided the grade').toEqual([])
  expect(g.json.status).toBe('fail')
  expect(JSON.stringify(g.json)).not.toContain(SECRET)
  expect(g.summary).not.toMatch(/<h1>|<img|<\/table>/)
}

function expectRunAttacksMessages(g: Graded) {
  const k = (name: string) => g.json.katas.find((x) => x.id === `demo/${name}`)!
  expect(k('import-vitest-by-name').message).toMatch(/may not import "vitest"/)
  expect(k('import-vitest-by-path').message).toMatch(/may not import/)
  expect(k('node-inspector').message).toMatch(/may not import "node:inspector"/)
  expect(k('matcher-shaped-value').tests.map((t) => t.message).join()).toMatch(/shaped like a test matcher/)
  expect(k('fake-service-unavailable').verdict).toBe('error')
  expect(k('fake-service-unavailable').message).toMatch(/uses no service/)
  expect(k('kata-folder-symlink').message).toMatch(/symbolic link/)
  expect(k('hard-link-outside').message).toMatch(/hard link/)
  expect(k('skip-at-run-time').tests.every((t) => t.status !== 'pass')).toBe(true)
}

describe.runIf(isRoot)('grade as root: each run its own user; every attack defeated', () => {
  let b: Built
  let g: Graded
  beforeAll(async () => {
    b = buildCorpus((root) => attacks(root))
    plantLinks(b)
    expect(leftovers()).toBe(0)
    g = await gradeCorpus(b)
  }, 600_000)

  it('grades, exits 1 below the minimum, and no attack earns a point', () => {
    expectDefeated(g, b.ids)
    expectRunAttacksMessages(g)
  })
  it('reads no solution, no suite, no secret (it runs as another user, in its own namespaces)', () => {
    const read = g.json.katas.find((k) => k.id === 'demo/read-solution-and-suite')!
    expect(JSON.stringify(read)).toMatch(/denied: (EACCES|ENOENT)/)
    const envAttack = g.json.katas.find((k) => k.id === 'demo/read-grader-environment')!
    expect(JSON.stringify(envAttack)).toContain('env: nothing')
  })
  it('plants nothing in the compile cache the grader made for its workers (theirs to read, not to write)', () => {
    const plant = g.json.katas.find((k) => k.id === 'demo/plant-compile-cache')!
    expect(JSON.stringify(plant)).toContain('cache: denied')
  })
  it('leaves nothing running, even a setsid child with an empty environment', () => {
    // Gone, so nothing can rewrite a report or touch the next run later.
    expect(leftovers()).toBe(0)
  })
  it('exits with the computed code (below the minimum: 1)', { timeout: 600_000 }, async () => {
    const out = join(tmp('roadmap-attack-out-'), 'o')
    const r = await run(['grade', b.sub, '--root', b.root, '--out', out, '--kata', 'demo/object-is-patched', '--kata', 'demo/honest'])
    expect(r.code, r.stderr).toBe(1)
  })
})

describe.runIf(isRoot)('grade as an ordinary user', () => {
  let b: Built
  beforeAll(() => {
    try {
      execFileSync('id', ['-u', ORDINARY], { stdio: 'ignore' })
    } catch {
      execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', ORDINARY])
    }
    b = buildCorpus((root) => attacks(root))
    plantLinks(b)
  })
  it('refuses to run graded code as its own user, and says what to do', { timeout: 600_000 }, async () => {
    const g = await gradeCorpus(b, { as: ORDINARY })
    expect(g.code).toBe(2)
    expect(g.stderr).toMatch(/refuses to run graded code as its own user.*sudo.*--unsafe-same-user/s)
    expect(g.json.status).toBe('missing')
  })
  it('with --unsafe-same-user (local use): warns, and the in-process attacks are still defeated', { timeout: 600_000 }, async () => {
    const g = await gradeCorpus(b, { as: ORDINARY, env: { ROADMAP_UNSAFE_SAME_USER: '1' } })
    expect(g.stderr).toMatch(/warning: --unsafe-same-user/)
    // As the grader's own user, reading the grader's files and environment is what the flag allows.
    const allowed = new Set(['demo/read-solution-and-suite', 'demo/read-grader-environment', 'demo/import-solution'])
    const secretFree = { ...g, json: { ...g.json, katas: g.json.katas.filter((k) => !allowed.has(k.id)) } }
    expectDefeated(secretFree, b.ids.filter((id) => !allowed.has(id)))
    expectRunAttacksMessages(g)
  })
})

describe.runIf(isRoot)('grade --many: three students, none can touch another', () => {
  it('an attacker kills, copies and plants; the others are graded as if alone', { timeout: 600_000 }, async () => {
    const cls = tmp('roadmap-attack-class-')
    chmodSync(cls, 0o755)
    const b = buildCorpus(() => ({}))
    const kata = '00-demo/10-honest'
    const peer = join(cls, 'ada', 'exercises', kata, 'add.ts')
    const attacker = [
      "import { spawn } from 'node:child_process'",
      "import { readFileSync, writeFileSync } from 'node:fs'",
      // Kill every process it can, now and for a while (the next students' workers).
      "try { process.kill(-1, 'SIGKILL') } catch {}",
      "spawn('setsid', ['sh', '-c', 'for i in $(seq 200); do kill -9 -1; sleep 0.05; done; sleep 313.7'], { env: {}, detached: true, stdio: 'ignore' }).unref()",
      // Copy a classmate's answer; plant a gradebook.
      `let copied = ''\ntry { copied = readFileSync(${JSON.stringify(peer)}, 'utf8') } catch (e) { console.log('denied:', (e as any).code) }`,
      `try { writeFileSync(${JSON.stringify(join(cls, 'gradebook.json'))}, '{}') } catch {}`,
      "export const add = (a: number, b: number) => (copied.includes('a + b') ? a + b : 0)",
      "export const pair = (a: number, b: number) => (copied.includes('a + b') ? { sum: a + b, items: [a, b] } : { sum: 0, items: [] })",
    ].join('\n')
    const files: Record<string, string> = {
      aaa: attacker,
      ada: 'export const add = (a: number, b: number) => a + b\nexport const pair = (a: number, b: number) => ({ sum: a + b, items: [a, b] })\n',
      bob: readFileSync(join(b.root, 'exercises', kata, 'add.ts'), 'utf8'),
    }
    for (const [student, code] of Object.entries(files)) {
      mkdirSync(join(cls, student, 'exercises', kata), { recursive: true })
      writeFileSync(join(cls, student, 'exercises', kata, 'add.ts'), code)
    }
    const out = join(tmp('roadmap-attack-book-'), 'book')
    const r = await run(['grade', cls, '--many', '--root', b.root, '--out', out, '--kata', 'demo/honest'])
    expect(r.code, r.stderr).toBe(0)
    const book = JSON.parse(readFileSync(join(out, 'gradebook.json'), 'utf8'))
    const scores = Object.fromEntries(book.students.map((s: { student: string; score: number }) => [s.student, s.score]))
    expect(scores).toEqual({ aaa: 0, ada: 10, bob: 0 })
    expect(JSON.stringify(JSON.parse(readFileSync(join(out, 'students/aaa/results.json'), 'utf8')))).toMatch(/denied: (EACCES|ENOENT)/)
    expect(existsSync(join(cls, 'gradebook.json'))).toBe(false)
    expect(leftovers()).toBe(0)
  })
})

describe('reports the graded code cannot touch', () => {
  it('a pre-planted --out link is refused before anything runs', { timeout: 120_000 }, async () => {
    const d = tmp('roadmap-attack-plant-')
    const target = tmp('roadmap-attack-target-')
    symlinkSync(target, join(d, 'out'))
    const r = await run(['grade', ROOT, '--out', join(d, 'out'), '--kata', 'start/first-verdict', ...sameUserUnlessRoot])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/is a symbolic link/)
    expect(readdirSync(target)).toEqual([])
  })
  it.runIf(isRoot)('an --out folder owned by someone else is refused', { timeout: 120_000 }, async () => {
    const d = join(tmp('roadmap-attack-own-'), 'out')
    mkdirSync(d)
    chownSync(d, 65534, 65534)
    const r = await run(['grade', ROOT, '--out', d, '--kata', 'start/first-verdict'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/belongs to another user/)
  })
  it('an --out folder inside the submission (grade . --out reports) is hidden with it, and the grade runs', { timeout: 300_000 }, async () => {
    const sub = tmp('roadmap-attack-inside-')
    cpSync(join(ROOT, 'solutions', '00-start'), join(sub, 'exercises', '00-start'), { recursive: true })
    const r = await run(['grade', sub, '--out', join(sub, 'reports'), '--kata', 'start/first-verdict', ...sameUserUnlessRoot])
    expect(r.code, r.stdout + r.stderr).toBe(0)
    expect(JSON.parse(readFileSync(join(sub, 'reports', 'results.json'), 'utf8'))).toMatchObject({ status: 'pass' })
  })
  it('a submission whose exercises/ is a link is refused', { timeout: 120_000 }, async () => {
    const d = tmp('roadmap-attack-exlink-')
    symlinkSync(join(ROOT, 'solutions'), join(d, 'exercises'))
    const r = await run(['grade', d, '--out', join(tmp(), 'o'), '--kata', 'start/first-verdict', ...sameUserUnlessRoot])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/exercises is a symbolic link/)
  })
  it('the step summary escapes HTML and Markdown from failure messages', () => {
    const md = stepSummary({
      status: 'fail',
      score: 0,
      maxScore: 10,
      titles: { 'demo/x': 'X' },
      startedAt: '',
      durationMs: 0,
      results: [{ id: 'demo/x', target: 'submission', verdict: 'fail', points: 10, score: 0, durationMs: 0, finishedAt: '', tests: [{ name: 't', status: 'fail', durationMs: 0, message: '</td></table><h1>roadmap: 10/10 points (100%)</h1> ![x](https://e.vil/x.png) | 10/10 |' }] }],
    })
    expect(md).not.toMatch(/<h1>|<\/table>|!\[x\]\(/)
    expect(md.split('\n').filter((l) => l.startsWith('## '))).toEqual(['## roadmap: 0/10 points (0%)'])
    expect(md.trim().split('\n').at(-1)!.split(/(?<!\\)\|/).length).toBe(7)
  })
})
