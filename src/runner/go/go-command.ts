import { spawn } from 'node:child_process'
import { goEnv } from './go-env.ts'

// More than any kata prints; past it the stream is cut (and the run likely stopped).
const MAX_STDOUT = 16 << 20
const MAX_STDERR = 64 << 10

/** What one go command printed, and how it ended. */
export interface GoCommandRun {
  stdout: string
  stderr: string
  code: number | null
  timedOut: boolean
}

/**
 * Runs the go command in a learner's package within a budget. Only what go needs of the
 * grader's environment reaches it (see goEnv), then `env` (the kata's service URLs).
 */
export function goCommand(go: string, args: string[], opts: { cwd: string; budgetMs: number; env?: Record<string, string> }): Promise<GoCommandRun> {
  return new Promise((done, fail) => {
    const child = spawn(go, args, {
      cwd: opts.cwd,
      // Its own process group: on timeout the go command, the compiler and the test binary all go.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      // GOTOOLCHAIN=local: a learner's go.mod must not make the grader download a toolchain.
      // GOWORK=off: a go.work above the folder must not pull other modules in.
      env: { ...goEnv(process.env), ...opts.env, PWD: opts.cwd, GOTOOLCHAIN: 'local', GOWORK: 'off' },
    })
    let stdout = ''
    let stderr = ''
    let timedOut = false
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      if (stdout.length < MAX_STDOUT) stdout += s
    })
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      if (stderr.length < MAX_STDERR) stderr += s
    })
    const timer = setTimeout(() => {
      timedOut = true
      try {
        process.kill(-child.pid!, 'SIGKILL')
      } catch {
        // already gone
      }
    }, opts.budgetMs)
    child.on('error', (err) => {
      clearTimeout(timer)
      fail(err)
    })
    child.on('close', (code) => {
      clearTimeout(timer)
      done({ stdout, stderr, code, timedOut })
    })
  })
}

/** Absolute paths in go's messages, shown as the file names the learner knows. */
export function relativize(text: string, packageDir: string, shownAs: Map<string, string>): string {
  let out = text
  for (const [source, name] of shownAs) out = out.split(source).join(name)
  return out.split(`${packageDir}/`).join('').replace(/(^|\s)\.\/(?=\S+\.go:)/gm, '$1')
}
