// The app under test of a kata graded on both tracks: the learner's TypeScript factory in
// this process, or their Go program started as a process of its own and reached over HTTP.
// Suites use what `launchApp` returns the way they used the listener: supertest takes both.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import type { RequestListener } from 'node:http'
import { connect, createServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, inject, onTestFinished } from 'vitest'
import type { ManualClock } from './http.ts'

/** A request listener (TypeScript track) or the base URL of the learner's program (Go track). */
export type App = RequestListener | string

/** How long a program may take from its start to accepting connections. */
const READY_MS = 10_000

const running = new Set<ChildProcess>()
/** Why the program did not come up in an earlier test: the next tests say so at once instead of waiting again. */
let down: string | undefined
afterAll(() => running.forEach((p) => p.kill('SIGKILL')))

/**
 * The kata's app, fresh for one test. On the TypeScript track `load` builds it from the
 * learner's module (import it inside `load`: the Go track has no TypeScript to load). On the
 * Go track the program is started with PORT and CLOCK_FILE (and `options.env`) in its environment: it listens on
 * 127.0.0.1:$PORT, and reads the time as milliseconds since the epoch from the file CLOCK_FILE
 * names, which follows `clock` (the Go starter's clock.go does this). It is stopped when the test ends.
 */
export async function launchApp(
  clock: ManualClock,
  load: () => RequestListener | Promise<RequestListener>,
  options: LaunchOptions = {},
): Promise<App> {
  const program = inject('roadmap:go-program')
  if (!program) return load()
  return startProgram(program, clock, options.env ?? {})
}

/** Whether this run grades the learner's Go program (a suite that inspects the app's data reads it from where the Go program keeps it). */
export const onGoTrack = (): boolean => Boolean(inject('roadmap:go-program'))

export interface LaunchOptions {
  /** More environment for the Go program: its configuration and the URLs of the services it uses (DATABASE_URL, …). */
  env?: Record<string, string>
}

async function startProgram(program: string, clock: ManualClock, env: Record<string, string>): Promise<string> {
  if (down) throw new Error(`${down}\n(as in an earlier test: fix that first)`)
  const dir = mkdtempSync(join(tmpdir(), 'roadmap-wire-'))
  const clockFile = join(dir, 'clock')
  // Written whole, then renamed: the program never reads a half-written time.
  const writeClock = (ms: number) => {
    writeFileSync(`${clockFile}.next`, String(ms))
    renameSync(`${clockFile}.next`, clockFile)
  }
  writeClock(clock.now())
  clock.onChange(writeClock)
  const port = await freePort()
  const child = spawn(program, [], { env: { ...env, PORT: String(port), CLOCK_FILE: clockFile, TZ: 'UTC' }, stdio: ['ignore', 'pipe', 'pipe'] })
  running.add(child)
  let printed = ''
  const keep = (chunk: Buffer) => {
    printed = (printed + chunk.toString('utf8')).slice(-4000)
  }
  // What the program prints is the learner's output, shown with the verdict.
  child.stdout!.on('data', (c: Buffer) => (keep(c), process.stdout.write(c)))
  child.stderr!.on('data', (c: Buffer) => (keep(c), process.stderr.write(c)))
  onTestFinished(() => {
    child.kill('SIGKILL')
    running.delete(child)
    rmSync(dir, { recursive: true, force: true })
  })
  await ready(child, port, () => printed).catch((err: Error) => {
    down = err.message
    throw err
  })
  return `http://127.0.0.1:${port}`
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo
      probe.close(() => resolve(port))
    })
  })
}

/** Resolves once the program accepts a connection on its port; rejects, saying why, if it exits or never does. */
function ready(child: ChildProcess, port: number, printed: () => string): Promise<void> {
  const tail = () => (printed().trim() ? `; it printed:\n${printed().trim()}` : '')
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + READY_MS
    let exited = false
    child.once('exit', (code, signal) => {
      exited = true
      reject(new Error(`your program exited (${signal ?? `code ${code}`}) before it listened on 127.0.0.1:${port}${tail()}`))
    })
    child.once('error', (err) => reject(new Error(`your program could not be started: ${err.message}`)))
    const attempt = () => {
      if (exited) return
      const socket = connect(port, '127.0.0.1')
      socket.once('connect', () => {
        socket.destroy()
        resolve()
      })
      socket.once('error', () => {
        socket.destroy()
        if (Date.now() > deadline) reject(new Error(`your program did not listen on 127.0.0.1:${port} within ${READY_MS / 1000} s: it must take the port from the PORT environment variable${tail()}`))
        else setTimeout(attempt, 5)
      })
    }
    attempt()
  })
}
