import { readdirSync, readFileSync } from 'node:fs'
import type { Vitest } from 'vitest/node'

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

  constructor(private readonly vitest: Vitest) {}

  /** `group`: the worker's process group, measured when the budget runs out. */
  arm(budgetMs: number, group?: () => number | undefined) {
    this.fired = false
    this.memoryMbAtFire = undefined
    this.timers.push(
      setTimeout(() => {
        this.fired = true
        const pgid = group?.()
        this.memoryMbAtFire = pgid ? groupRssMb(pgid) : undefined
        void this.vitest.cancelCurrentRun('keyboard-input')
        this.timers.push(setTimeout(() => void this.vitest.cancelCurrentRun('keyboard-input'), 150))
      }, budgetMs),
    )
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
