import type { ChildProcess } from 'node:child_process'

/** How a worker is forked: Vitest's entry, Node's flags, the whole environment (without the worker's mark). */
export interface Launch {
  entrypoint: string
  execArgv: string[]
  env: Record<string, string>
}

export interface FirstWorker {
  child: ChildProcess
  mark: string
  launch: Launch
  /** Called once the pool owns it: it keeps this process alive again, and no longer dies with its exit by itself. */
  adopted(): void
}

export function forkFirstWorker(): void
export function takeFirstWorker(): FirstWorker | undefined
export function discardFirstWorker(): void
export function recordFirstWorker(launch: Launch): void
