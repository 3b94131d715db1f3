// `tsx bench/trace-grade.ts`: where the time of `grade` of a complete submission (every
// reference solution as the learner's) goes, from ROADMAP_TRACE=1. Per kata: the worker's
// phases (prepare, setup, import of the suite and the kata's code), the kata's own time
// (tests and hooks: its timers, loads and services) and the rest of the runner's path
// (the run's credentials or database, a worker, collecting, reporting). Prints the sums and the slowest ten.
import { spawnSync } from 'node:child_process'
import { cpSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '..')
const sub = mkdtempSync(join(tmpdir(), 'roadmap-trace-grade-'))
cpSync(join(root, 'solutions'), join(sub, 'exercises'), { recursive: true })
const t0 = performance.now()
const r = spawnSync(process.execPath, [join(root, 'bin/roadmap.js'), 'grade', sub, '--root', root, '--out', join(sub, 'out'), '--min-score', '0', ...process.argv.slice(2)], {
  env: { ...process.env, ROADMAP_TRACE: '1' },
  encoding: 'utf8',
  maxBuffer: 1 << 26,
})
const wallMs = performance.now() - t0

interface KataTime {
  id: string
  total: number
  worker: number
  kata: number
  runner: number
}
const PHASES = /^\[trace\] (\S+): start \+0 .*run end \+(\d+) \| worker: prepare (\d+) · setup (\d+) · import (\d+) · tests (\d+) · hooks (-?\d+)/
const katas: KataTime[] = []
for (const line of r.stderr.split('\n')) {
  const m = PHASES.exec(line)
  if (!m) continue
  const [total, prepare, setup, imported, tests, hooks] = m.slice(2).map(Number) as [number, number, number, number, number, number]
  const worker = prepare + setup + imported
  const kata = tests + Math.max(0, hooks)
  katas.push({ id: m[1]!, total, worker, kata, runner: Math.max(0, total - worker - kata) })
}
const sum = (f: (k: KataTime) => number) => Math.round(katas.reduce((s, k) => s + f(k), 0))
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`
console.log(`grade of a complete submission: ${s(wallMs)} wall, ${katas.length} katas traced`)
console.log(`summed over katas: ${s(sum((k) => k.total))} = the katas' own tests and hooks ${s(sum((k) => k.kata))} + worker prepare/setup/import ${s(sum((k) => k.worker))} + the runner's path ${s(sum((k) => k.runner))}`)
console.log('slowest ten (total = kata + worker + runner, ms):')
for (const k of [...katas].sort((a, b) => b.total - a.total).slice(0, 10)) console.log(`  ${k.id.padEnd(28)} ${k.total} = ${k.kata} + ${k.worker} + ${k.runner}`)
console.log('most harness time (worker + runner, ms):')
for (const k of [...katas].sort((a, b) => b.worker + b.runner - (a.worker + a.runner)).slice(0, 10)) console.log(`  ${k.id.padEnd(28)} ${k.worker + k.runner} (worker ${k.worker}, runner ${k.runner})`)
