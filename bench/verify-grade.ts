import { execFileSync } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

interface VerifyJson {
  seconds: number
  katas: { id: string; durationMs: number; problems: string[]; skipped: boolean }[]
}

/** `roadmap verify --json` over the given scope, with its wall time and the slowest katas. */
export function verifyRun(dir: string, bin: string, args: string[] = []) {
  const t0 = performance.now()
  const cpu0 = childCpu()
  let stdout: string
  try {
    stdout = execFileSync(process.execPath, [bin, 'verify', '--json', '--root', dir, ...args], { encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'ignore'] })
  } catch (err) {
    stdout = (err as { stdout: string }).stdout
  }
  const wallMs = performance.now() - t0
  const j = JSON.parse(stdout) as VerifyJson
  return {
    wallMs: Math.round(wallMs),
    /** Average number of cores busy: CPU time of verify and everything it started, over wall time. */
    cores: Math.round(((childCpu() - cpu0) / wallMs) * 100) / 100,
    katas: j.katas.length,
    broken: j.katas.filter((k) => k.problems.length).map((k) => k.id),
    slowest: [...j.katas].sort((a, b) => b.durationMs - a.durationMs).slice(0, 10).map((k) => ({ id: k.id, ms: k.durationMs })),
  }
}

/** `roadmap grade` of a complete submission (every reference solution as the learner's). */
export function gradeRun(dir: string, bin: string) {
  const sub = mkdtempSync(join(tmpdir(), 'roadmap-bench-sub-'))
  cpSync(join(dir, 'solutions'), join(sub, 'exercises'), { recursive: true })
  const out = mkdtempSync(join(tmpdir(), 'roadmap-bench-out-'))
  const t0 = performance.now()
  try {
    execFileSync(process.execPath, [bin, 'grade', sub, '--root', dir, '--out', out, '--min-score', '0'], { stdio: 'ignore' })
  } catch {
    // the score is read below
  }
  const wallMs = Math.round(performance.now() - t0)
  const { score, max_score } = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { score: number; max_score: number }
  return { wallMs, score, maxScore: max_score, ...whereTimeGoes(join(out, 'grade-report.json')) }
}

interface GradeReport {
  report: { results: { id: string; durationMs: number; tests: { durationMs?: number }[] }[] }
}

/**
 * Where a grade's time goes, per kata: the time inside its tests (the kata's own: its
 * timers, loads and services) and the rest (the harness's: worker, module loading, the
 * suite's hooks, cleanup), the slowest ten, and the sums over all katas.
 */
function whereTimeGoes(file: string) {
  const { results } = (JSON.parse(readFileSync(file, 'utf8')) as GradeReport).report
  const katas = results.map((k) => {
    const testsMs = Math.round(k.tests.reduce((s, t) => s + (t.durationMs ?? 0), 0))
    return { id: k.id, ms: k.durationMs, testsMs, otherMs: Math.max(0, k.durationMs - testsMs) }
  })
  const sum = (f: (k: (typeof katas)[number]) => number) => katas.reduce((s, k) => s + f(k), 0)
  return { kataMs: sum((k) => k.ms), testsMs: sum((k) => k.testsMs), otherMs: sum((k) => k.otherMs), slowest: [...katas].sort((a, b) => b.ms - a.ms).slice(0, 10) }
}

/**
 * The katas `grade --many` is measured on (BENCH_CLASS_KATAS, comma-separated, to change):
 * small ones, without and with services. No RabbitMQ kata by default: where the broker has
 * no management API, each student's vhosts are made with rabbitmqctl, seconds of CPU apiece.
 */
export const CLASS_KATAS = (process.env.BENCH_CLASS_KATAS ?? 'start/first-verdict,postgres/crud,redis/cache-aside').split(',')

/**
 * `grade` of one complete submission and `grade --many` of a class of `students` such
 * submissions, both on `katas`: wall time and the cores they kept busy.
 */
export function gradeManyRun(dir: string, bin: string, students: number, katas: string[] = CLASS_KATAS) {
  const cls = mkdtempSync(join(tmpdir(), 'roadmap-bench-class-'))
  for (let i = 0; i < students; i++) cpSync(join(dir, 'solutions'), join(cls, `s${String(i).padStart(2, '0')}`, 'exercises'), { recursive: true })
  const only = katas.flatMap((k) => ['--kata', k])
  const timed = (args: string[]) => {
    const out = mkdtempSync(join(tmpdir(), 'roadmap-bench-out-'))
    const cpu0 = childCpu()
    const t0 = performance.now()
    try {
      execFileSync(process.execPath, [bin, 'grade', ...args, '--root', dir, '--out', out, '--min-score', '0', ...only], { stdio: 'ignore' })
    } catch {
      // a score below the minimum is not the bench's business; the wall time is
    }
    const wallMs = performance.now() - t0
    return { wallMs: Math.round(wallMs), cores: Math.round(((childCpu() - cpu0) / wallMs) * 100) / 100 }
  }
  const one = timed([join(cls, 's00')])
  const many = timed([cls, '--many'])
  return { katas, students, one, many }
}

/** CPU time (ms) of this process's finished children and theirs (cutime + cstime, 100 ticks a second). */
function childCpu(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ')
  return (Number(fields[13]) + Number(fields[14])) * 10
}
