import { fork, type ChildProcess } from 'node:child_process'
import { ForksPoolWorker, type PoolOptions, type PoolRunnerInitializer } from 'vitest/node'

/** Vitest internals this pool leans on; checked at run time, with the stock pool as fallback. */
interface ForkInternals {
  _fork?: ChildProcess
  entrypoint: string
  env: NodeJS.ProcessEnv
  execArgv: string[]
}

export interface WarmPool {
  pool: PoolRunnerInitializer | 'forks'
  /** Kills the spare worker (call when the Vitest instance closes). */
  dispose(): void
  /** Whether the last run started on a pre-started worker (for tests and the benchmark). */
  readonly warmStarts: number
}

/**
 * Like Vitest's 'forks' pool, but the next run's worker process is started as soon as
 * a run ends, while the learner types: a rerun skips the ~80-100 ms of starting Node
 * and Vitest's worker. It uses Vitest internals (`_fork`, `entrypoint`), pinned by the
 * exact Vitest version and a test; if they are not there it falls back to 'forks'.
 */
export function warmForks(): WarmPool {
  const probe = ForksPoolWorker.prototype as unknown as Record<string, unknown>
  if (typeof probe.start !== 'function' || typeof probe.stop !== 'function') return { pool: 'forks', dispose() {}, warmStarts: 0 }
  let spare: ChildProcess | undefined
  let disposed = false
  let warmStarts = 0
  const alive = (p?: ChildProcess) => !!p && p.exitCode === null && p.signalCode === null && p.connected

  class WarmForksWorker extends ForksPoolWorker {
    override readonly name = 'warm-forks'
    constructor(options: PoolOptions) {
      super(options)
      const self = this as unknown as ForkInternals
      if (alive(spare) && 'entrypoint' in self) {
        self._fork = spare
        warmStarts++
      }
      spare = undefined
    }
    override async stop() {
      await super.stop()
      const self = this as unknown as ForkInternals
      if (disposed || alive(spare) || typeof self.entrypoint !== 'string') return
      spare = fork(self.entrypoint, [], { env: self.env, execArgv: self.execArgv, stdio: 'pipe', serialization: 'advanced' })
      spare.on('error', () => undefined)
      // A spare nobody adopts must not keep the harness alive.
      spare.unref()
      spare.channel?.unref()
    }
  }

  return {
    pool: { name: 'warm-forks', createPoolWorker: (o) => new WarmForksWorker(o) },
    dispose() {
      disposed = true
      spare?.kill('SIGKILL')
      spare = undefined
    },
    get warmStarts() {
      return warmStarts
    },
  }
}
