// The Go track's save → verdict: roadmap's Go grading (the hidden tests laid over the
// learner's package with -overlay, -race -json, results parsed) beside a plain
// `go test -race -json -count=1` of the same package with the hidden tests copied in,
// save by save in the same run, alternating a failing and a passing version.
import { spawnSync } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Kata } from '../src/catalog/types.ts'
import { requireGo } from '../src/runner/go/toolchain.ts'
import { goPackageDir, goTestsDir, runGoTrack } from '../src/runner/go/track-run.ts'
import type { Target } from '../src/runner/target.ts'

export interface GoSaveTimes {
  roadmap: number[]
  plain: number[]
}

export async function goSaves(root: string, kata: Kata, saves: number): Promise<GoSaveTimes> {
  const file = kata.go!.files[0]!
  const solutions: Target = { kind: 'solutions', root: join(root, 'solutions') }
  const exercises: Target = { kind: 'exercises', root: join(root, 'exercises') }
  const versions = [readFileSync(join(goPackageDir(exercises, kata), file)), readFileSync(join(goPackageDir(solutions, kata), file))]
  const scratch = mkdtempSync(join(tmpdir(), 'roadmap-bench-go-'))
  const target: Target = { kind: 'submission', root: join(scratch, 'exercises') }
  const graded = goPackageDir(target, kata)
  const plain = join(scratch, 'plain')
  cpSync(goPackageDir(solutions, kata), graded, { recursive: true })
  cpSync(goPackageDir(solutions, kata), plain, { recursive: true })
  for (const t of readdirSync(goTestsDir(root, kata))) cpSync(join(goTestsDir(root, kata), t), join(plain, t))
  const times: GoSaveTimes = { roadmap: [], plain: [] }
  try {
    // One of each first: the build cache warm for both, as on a learner's second save.
    for (let i = -1; i < saves; i++) {
      const passing = i % 2 !== 0
      const source = versions[passing ? 1 : 0]!
      writeFileSync(join(graded, file), source)
      let t0 = performance.now()
      const r = await runGoTrack(root, kata, target)
      const roadmapMs = performance.now() - t0
      if ((r.verdict === 'pass') !== passing) throw new Error(`Go save ${i}: expected ${passing ? 'pass' : 'fail'}, got ${r.verdict}`)
      writeFileSync(join(plain, file), source)
      t0 = performance.now()
      spawnSync(requireGo(), ['test', '-race', '-json', '-count=1', '.'], { cwd: plain, stdio: 'ignore' })
      const plainMs = performance.now() - t0
      if (i >= 0) {
        times.roadmap.push(roadmapMs)
        times.plain.push(plainMs)
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true })
  }
  return times
}
