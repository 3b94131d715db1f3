import { readdirSync, readFileSync } from 'node:fs'
import type { Vitest } from 'vitest/node'

/** How much wall time a starved run may take, as a multiple of its budget. */
export const STARVED_CAP = 4

/**
 * Ends a run that outlives its budget. A synchronous infinite loop never yields, so
 * one cancel waits forever; a second cancel makes Vitest kill the worker. The
 * instance stays usable for the next run.
 */
export class Watchdog {
  private timers: NodeJS.Timeout[] = []
  fired = false
  /** The memory the worker's process group held when the budget ran out, in MB (Linux). */
  memoryMbAtFire: number | undefined

  private readonly vitest: Vitest
  constructor(vitest: Vitest) {
    this.vitest = vitest
  }

  /**
   * `group`: the worker's process group (its leader is the worker), measured when the budget
   * runs out. The budget counts the time the worker had a CPU or waited on something else,
   * not the time it stood in the run queue of a busy machine: a verdict must not change
   * because other programs ran (issue 16). A starved run gets that time back, up to
   * STARVED_CAP × the budget of wall time; a hang (no CPU wanted) ends at the budget.
   */
  arm(budgetMs: number, group?: () => number | undefined) {
    this.fired = false
    this.memoryMbAtFire = undefined
    const started = Date.now()
    const atArm = group?.()
    const delayAtArm = atArm ? runQueueDelayMs(atArm) : undefined
    const fire = () => {
      this.fired = true
      const pgid = group?.()
      this.memoryMbAtFire = pgid ? groupRssMb(pgid) : undefined
      void this.vitest.cancelCurrentRun('keyboard-input')
      this.timers.push(setTimeout(() => void this.vitest.cancelCurrentRun('keyboard-input'), 150))
    }
    const check = () => {
      const pid = group?.()
      const delay = pid ? runQueueDelayMs(pid) : undefined
      const starved = delay === undefined ? 0 : delay - (pid === atArm ? (delayAtArm ?? 0) : 0)
      const wall = Date.now() - started
      const left = budgetMs - (wall - starved)
      if (left > 20 && wall + left < budgetMs * STARVED_CAP) this.timers.push(setTimeout(check, left))
      else fire()
    }
    this.timers.push(setTimeout(check, budgetMs))
  }

  disarm() {
    for (const t of this.timers) clearTimeout(t)
    this.timers = []
  }
}

/**
 * Resident memory of every process in a process group, in MB; undefined where /proc is
 * not there. A worker that grows without bound on a busy machine may reach its budget
 * before its heap cap: what it holds then tells an endless loop from a memory leak.
 */
export function groupRssMb(pgid: number): number | undefined {
  let pages = 0
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
        // Fields after the command name (which may hold spaces): state, ppid, pgrp, …
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
        if (Number(fields[2]) !== pgid) continue
        pages += Number(readFileSync(`/proc/${entry}/statm`, 'utf8').split(' ')[1])
      } catch {
        // the process ended meanwhile
      }
    }
  } catch {
    return undefined
  }
  return (pages * 4096) / (1 << 20)
}

/**
 * How long a process's main thread stood in the run queue (runnable, no CPU free), in ms,
 * from /proc/<pid>/schedstat; undefined where the kernel does not keep it.
 */
export function runQueueDelayMs(pid: number): number | undefined {
  try {
    const delayNs = Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[1])
    return Number.isFinite(delayNs) ? delayNs / 1e6 : undefined
  } catch {
    return undefined
  }
}
