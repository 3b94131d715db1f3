import { readdirSync, readFileSync } from 'node:fs'
import { WORKER_MARK } from './worker-env.ts'

/**
 * Ends what a worker left running: its process group (a child, a server started with
 * spawn) and, on Linux, any process still carrying the worker's mark in its
 * environment (one that left the group with `detached: true`).
 */
export function killLeftovers(pgid: number | undefined, mark: string) {
  if (pgid) {
    try {
      process.kill(-pgid, 'SIGKILL')
    } catch {
      // no process left in the group
    }
  }
  if (process.platform !== 'linux') return
  const needle = `${WORKER_MARK}=${mark}\0`
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry)
    if (!pid || pid === process.pid) continue
    try {
      if (`${readFileSync(`/proc/${pid}/environ`, 'latin1')}\0`.includes(needle)) process.kill(pid, 'SIGKILL')
    } catch {
      // gone already, or not ours to read
    }
  }
}
