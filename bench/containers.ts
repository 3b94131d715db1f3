import { execFileSync } from 'node:child_process'
import { performance } from 'node:perf_hooks'

/**
 * `roadmap run <kata> --solution` from a cold process to its verdict, once with the
 * machine's own servers and once with resolution going straight to Testcontainers
 * (a fresh container per run): what a learner with only Docker waits for.
 * Undefined when no Docker engine answers, or it cannot start the service's image.
 */
export function coldStartWithContainers(dir: string, bin: string, kata: string, runs = 3) {
  try {
    execFileSync('docker', ['info'], { stdio: 'ignore', timeout: 10_000 })
  } catch {
    return undefined
  }
  const once = (env: NodeJS.ProcessEnv) => {
    const t0 = performance.now()
    execFileSync(process.execPath, [bin, 'run', kata, '--solution', '--root', dir], { cwd: dir, env: { ...process.env, CI: '1', ...env }, stdio: 'ignore', timeout: 300_000 })
    return performance.now() - t0
  }
  const local: number[] = []
  const containers: number[] = []
  try {
    for (let i = 0; i < runs; i++) {
      local.push(once({}))
      containers.push(once({ ROADMAP_CONTAINERS: 'only' }))
    }
  } catch {
    // The engine answers but cannot start the image (no registry to pull it from).
    return undefined
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
  return { kata, runs, localMs: Math.round(median(local)), containersMs: Math.round(median(containers)) }
}
