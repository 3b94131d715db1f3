import { fork, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { ForksPoolWorker, type PoolOptions, type PoolRunnerInitializer } from 'vitest/node'
import { isDeepStrictEqual } from 'node:util'
import { recordFirstWorker, takeFirstWorker, type Launch } from './first-worker.mjs'
import { killLeftovers } from './leftovers.ts'
import { fileURLToPath } from 'node:url'
import { isolationCommand, NOBODY, type Principal } from './privileges.ts'
import { scrubEnv, WORKER_MARK } from './worker-env.ts'

/** Vitest internals this pool leans on (pinned Vitest version, covered by a test). */
interface ForkInternals {
  _fork?: ChildProcess
  entrypoint: string
  env: NodeJS.ProcessEnv
  execArgv: string[]
}

export const WORKER_PRELOAD = fileURLToPath(new URL('./worker-preload.mjs', import.meta.url))
/**
 * V8's compiled code of what a worker loads (Vitest, chai, the service clients), kept by
 * bin/roadmap.js's compile cache: a worker boots and loads from it instead of compiling.
 * Not for graded workers: a folder they could write would let one run plant code for the next;
 * theirs is one the grader made for them, read-only (Principal.compileCache).
 */
const COMPILE_CACHE = fileURLToPath(new URL('../../node_modules/.cache/node-compile', import.meta.url))

export interface WarmUp {
  modules: string[]
  connect: Record<string, string>
}

export interface WorkerPoolOptions {
  /** Heap cap of a worker, in MB: unbounded growth ends as "out of memory", not a frozen machine. */
  heapMb: number
  /**
   * `true`: run workers as `nobody` (the caller checked that it is root and that
   * `nobody` can use Node and the files). A Principal (grading): each worker runs as
   * that user in its own PID and mount namespaces, with the principal's hidden paths
   * covered; everything it starts dies with it.
   */
  dropPrivileges?: boolean | Principal
  /**
   * What the next worker does while it waits: the modules it loads (the client libraries of
   * the services in use) and the services it connects to once (service name → URL), so the
   * client's connect and first command run cold there, not on the save's clock. Connections
   * never for graded workers, which get no URL but their run's own.
   */
  warmUp?: () => WarmUp
  /**
   * Start the next worker when a run starts, not when it ends: for runs back to back (verify,
   * grade), where a worker started at the end is still booting when the next run wants it.
   * Off for watch, where the learner's run keeps both cores and the next save is seconds away.
   */
  ahead?: boolean
  /**
   * Watch: adopt the worker bin/roadmap.js forked as the process started (first-worker.mjs)
   * when this pool's first worker would be forked exactly so, and record this pool's first
   * launch for the next start. Never for graded workers.
   */
  firstWorker?: boolean
}


/** Graded workers get their services through per-run credentials, never the grader's URLs from the environment. */
function withoutServiceUrls(env: NodeJS.ProcessEnv, grading: boolean): NodeJS.ProcessEnv {
  if (!grading) return env
  const { DATABASE_URL: _pg, REDIS_URL: _redis, AMQP_URL: _amqp, ...rest } = env
  return rest
}

export interface WorkerPool {
  pool: PoolRunnerInitializer
  /** Kills the spare worker and whatever a worker left (call when the Vitest instance closes). */
  dispose(): void
  /** How many runs started on a pre-started worker. */
  readonly warmStarts: number
  /** The process group of the worker running now (its pid: each worker leads its own group). */
  running(): number | undefined
  /**
   * The run's verdict is out: the spare worker may be forked now. Forking holds this thread
   * ~10–15 ms; done when the last worker stops, it landed before the verdict on most saves.
   */
  verdictOut(): void
}

/**
 * Vitest's 'forks' pool, hardened and kept warm:
 * - every worker is started by us: its own process group, a scrubbed environment
 *   carrying a mark, a capped heap;
 * - when a run ends, its leftovers (children, servers, detached processes) are killed;
 * - the next run's worker is started as soon as a run ends and its verdict is out, while
 *   the learner types, which saves the ~80-100 ms of starting Node and Vitest's worker on
 *   every save (with `ahead`, as soon as a run starts: runs back to back find it booted).
 */
export function hardenedWarmForks(opts: WorkerPoolOptions): WorkerPool {
  const tag = randomBytes(4).toString('hex')
  let counter = 0
  let spare: { child: ChildProcess; mark: string } | undefined
  let disposed = false
  let warmStarts = 0
  let current: ChildProcess | undefined
  // The spare is forked once the last worker has stopped and its run's verdict is out.
  let stopped: ForkInternals | undefined
  let verdictOut = false
  const spareWhenFree = () => {
    if (!stopped || !verdictOut) return
    const self = stopped
    stopped = undefined
    startSpare(self)
  }
  const alive = (p?: ChildProcess) => !!p && p.exitCode === null && p.signalCode === null && p.connected

  const drop = !!opts.dropPrivileges
  const principal = typeof opts.dropPrivileges === 'object' ? opts.dropPrivileges : undefined

  /** How a worker of this pool is forked now: Vitest's entry and flags, our environment. */
  const launchOf = (self: ForkInternals): Launch => {
    const { modules: preload, connect: urls } = opts.warmUp?.() ?? { modules: [], connect: {} }
    const execArgv = [...self.execArgv, `--max-old-space-size=${opts.heapMb}`, ...(preload.length ? [`--import=${WORKER_PRELOAD}`] : [])]
    const connect = principal || !preload.length ? {} : urls
    const env = {
      ...withoutServiceUrls(scrubEnv(self.env), !!principal),
      ...(drop ? { HOME: '/tmp' } : {}),
      ...(preload.length ? { ROADMAP_PRELOAD: preload.join(',') } : {}),
      ...(Object.keys(connect).length ? { ROADMAP_WARM_CONNECT: JSON.stringify(connect) } : {}),
      ...(principal ? (principal.compileCache ? { NODE_COMPILE_CACHE: principal.compileCache } : {}) : { NODE_COMPILE_CACHE: COMPILE_CACHE }),
    }
    return { entrypoint: self.entrypoint, execArgv, env: env as Record<string, string> }
  }

  const start = (self: ForkInternals) => {
    const mark = `${tag}-${++counter}`
    const launch = launchOf(self)
    const isolated = principal ? isolationCommand(principal) : undefined
    const child = fork(launch.entrypoint, [], {
      env: { ...launch.env, [WORKER_MARK]: mark },
      ...(isolated ? { execPath: isolated.execPath } : drop ? { uid: NOBODY, gid: NOBODY } : {}),
      execArgv: isolated ? [...isolated.args, ...launch.execArgv] : launch.execArgv,
      stdio: 'pipe',
      serialization: 'advanced',
      detached: true,
    })
    child.on('error', () => undefined)
    return { child, mark }
  }

  // The worker forked at launch: adopted by the first worker of this pool if forked as it would be.
  let firstPending = !!opts.firstWorker && !drop
  let first = firstPending ? takeFirstWorker() : undefined
  const adoptFirst = (self: ForkInternals) => {
    if (!firstPending) return undefined
    firstPending = false
    const held = first
    first = undefined
    const launch = launchOf(self)
    recordFirstWorker(launch)
    if (!held) return undefined
    const same = held.launch.entrypoint === launch.entrypoint && isDeepStrictEqual(held.launch.execArgv, launch.execArgv) && isDeepStrictEqual(held.launch.env, launch.env)
    const adopt = same && alive(held.child)
    if (process.env.ROADMAP_TRACE === '1') process.stderr.write(`[trace] first worker ${adopt ? 'adopted' : `not adopted (${same ? 'it is gone' : 'forked otherwise'})`}\n`)
    if (adopt) {
      held.adopted()
      return { child: held.child, mark: held.mark }
    }
    held.child.kill('SIGKILL')
    return undefined
  }

  class HardenedWorker extends ForksPoolWorker {
    override readonly name = 'roadmap-forks'
    private mark = ''
    constructor(options: PoolOptions) {
      super(options)
      const self = this as unknown as ForkInternals
      const ready = (spare && alive(spare.child) ? spare : undefined) ?? adoptFirst(self)
      if (ready) {
        warmStarts++
        // Adopted: from now on the run waits on it, so it keeps the process alive again.
        ready.child.ref()
        ready.child.channel?.ref()
      }
      const started = ready ?? start(self)
      spare = undefined
      stopped = undefined
      verdictOut = false
      self._fork = started.child
      current = started.child
      this.mark = started.mark
      if (opts.ahead) startSpare(self)
    }
    override async stop() {
      const self = this as unknown as ForkInternals
      const pid = self._fork?.pid
      if (current === self._fork) current = undefined
      await super.stop()
      killLeftovers(pid, this.mark)
      stopped = self
      spareWhenFree()
    }
  }

  const startSpare = (self: ForkInternals) => {
    if (disposed || spare) return
    spare = start(self)
    // A spare nobody adopts must not keep the harness alive.
    spare.child.unref()
    spare.child.channel?.unref()
  }

  return {
    pool: { name: 'roadmap-forks', createPoolWorker: (o) => new HardenedWorker(o) },
    dispose() {
      disposed = true
      first?.child.kill('SIGKILL')
      first = undefined
      if (spare) {
        spare.child.kill('SIGKILL')
        killLeftovers(spare.child.pid, spare.mark)
      }
      spare = undefined
    },
    get warmStarts() {
      return warmStarts
    },
    running: () => current?.pid,
    verdictOut() {
      verdictOut = true
      spareWhenFree()
    },
  }
}
