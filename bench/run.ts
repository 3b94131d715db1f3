// `npm run bench`: figures measured in one run on this machine, each beside its
// baseline as a ratio. Writes bench-results/bench.json and bench-results/bench.md.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { engineSaves } from './save-to-verdict.ts'
import { spawnSaves } from './spawn-baseline.ts'
import { summary } from './stats.ts'
import { benchWorkspace } from './workspace.ts'

const root = resolve(import.meta.dirname, '..')
const saves = Number(process.env.BENCH_SAVES ?? 30)
const dir = benchWorkspace(root)
const kata = 'start/first-verdict'

const engine = summary(await engineSaves(dir, kata, saves))
const spawn = summary(spawnSaves(dir, kata, Math.min(saves, 10)))
const results = { machine: { cores: (await import('node:os')).availableParallelism(), node: process.version }, saveToVerdict: { kata, engine, spawnVitestRun: spawn } }
const ratio = (a: number, b: number) => `${(b / a).toFixed(1)} ×`
const md = [
  '| figure | roadmap | spawn `vitest run` per save | ratio |',
  '|---|---|---|---|',
  `| save → verdict p50, ${kata} (ms) | ${engine.p50} | ${spawn.p50} | ${ratio(engine.p50, spawn.p50)} faster |`,
  `| save → verdict p95 (ms) | ${engine.p95} | ${spawn.p95} | ${ratio(engine.p95, spawn.p95)} faster |`,
  '',
].join('\n')
const out = join(root, 'bench-results')
mkdirSync(out, { recursive: true })
writeFileSync(join(out, 'bench.json'), `${JSON.stringify(results, null, 2)}\n`)
writeFileSync(join(out, 'bench.md'), md)
process.stdout.write(md)
