// The first worker of `roadmap watch`, forked by bin/roadmap.js as the process starts: its
// ~300 ms of booting (Node, Vitest's worker, Vitest preloaded) then overlaps the harness's
// own loading instead of following it. How to fork it (Vitest's worker entry, its flags and
// environment) is what the last launch's first worker used, kept in this installation's
// cache; the pool adopts it only if this launch's first worker would be forked exactly so
// (worker-pool.ts), else kills it. Plain JavaScript: it runs before tsx is registered.
import { fork } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

const FILE = fileURLToPath(new URL('../../node_modules/.cache/roadmap/first-worker.json', import.meta.url))
const HELD = Symbol.for('roadmap.first-worker')
/**
 * This process's environment as it started (this module is loaded first thing by bin/roadmap.js):
 * the harness changes its own later (Vitest sets NODE_ENV), and a recorded launch is read by
 * the next process at its start.
 */
const ENV_AT_START = { ...process.env }
/** The environment variable that marks a worker and what it starts (worker-env.ts's WORKER_MARK). */
const MARK = 'ROADMAP_WORKER'

/**
 * @typedef {{ entrypoint: string, execArgv: string[], env: Record<string, string> }} Launch
 * @typedef {{ child: import('node:child_process').ChildProcess, mark: string, launch: Launch, adopted: () => void }} FirstWorker
 */

/** The recorded launch, if the file is this user's own and nobody else may write it. */
function recorded() {
  try {
    const st = statSync(FILE)
    if ((process.getuid && st.uid !== process.getuid()) || (st.mode & 0o022) !== 0) return undefined
    const r = JSON.parse(readFileSync(FILE, 'utf8'))
    if (typeof r.entrypoint !== 'string' || !Array.isArray(r.execArgv) || typeof r.set !== 'object' || !Array.isArray(r.keep)) return undefined
    return r
  } catch {
    return undefined
  }
}

/** Forks the first worker as the last launch did (nothing when no launch was recorded). */
export function forkFirstWorker() {
  const r = recorded()
  if (!r) return
  /** @type {Record<string, string>} */
  const env = {}
  for (const k of r.keep) if (ENV_AT_START[k] !== undefined) env[k] = ENV_AT_START[k]
  Object.assign(env, r.set)
  const mark = `first-${randomBytes(4).toString('hex')}`
  const child = fork(r.entrypoint, [], { env: { ...env, [MARK]: mark }, execArgv: r.execArgv, stdio: 'pipe', serialization: 'advanced', detached: true })
  child.on('error', () => undefined)
  // Until adopted it must neither keep this process alive (its channel and pipes) nor outlive it.
  const handles = [child, child.channel, child.stdout, child.stderr]
  for (const h of handles) h?.unref()
  const kill = () => child.kill('SIGKILL')
  process.once('exit', kill)
  const adopted = () => {
    process.off('exit', kill)
    for (const h of handles) h?.ref()
  }
  /** @type {FirstWorker} */
  const held = { child, mark, launch: { entrypoint: r.entrypoint, execArgv: r.execArgv, env }, adopted }
  Reflect.set(globalThis, HELD, held)
}

/** The worker forked at launch, once (undefined when none was forked). @returns {FirstWorker | undefined} */
export function takeFirstWorker() {
  const held = Reflect.get(globalThis, HELD)
  Reflect.set(globalThis, HELD, undefined)
  return held
}

/** Ends the worker forked at launch, unused (the Go track's watch runs no Vitest worker). */
export function discardFirstWorker() {
  takeFirstWorker()?.child.kill('SIGKILL')
}

/**
 * Records how this launch's first worker was forked, for the next launch: the variables it
 * took from this process's starting environment by name (the next launch takes its own
 * values), and the ones set for it.
 * @param {Launch} launch
 */
export function recordFirstWorker(launch) {
  /** @type {Record<string, string>} */
  const set = {}
  /** @type {string[]} */
  const keep = []
  for (const [k, v] of Object.entries(launch.env)) {
    if (ENV_AT_START[k] === v) keep.push(k)
    else set[k] = v
  }
  const text = JSON.stringify({ entrypoint: launch.entrypoint, execArgv: launch.execArgv, keep, set })
  try {
    if (readFileSync(FILE, 'utf8') === text) return
  } catch {
    // not recorded yet
  }
  try {
    mkdirSync(dirname(FILE), { recursive: true })
    const tmp = `${FILE}.${process.pid}.tmp`
    writeFileSync(tmp, text, { mode: 0o644 })
    renameSync(tmp, FILE)
  } catch {
    // read-only installation: no head start
  }
}
