import type { Vitest } from 'vitest/node'

/**
 * Ends a run that outlives its budget. A synchronous infinite loop never yields, so
 * one cancel waits forever; a second cancel makes Vitest kill the worker. The
 * instance stays usable for the next run.
 */
export class Watchdog {
  private timers: NodeJS.Timeout[] = []
  fired = false

  constructor(private readonly vitest: Vitest) {}

  arm(budgetMs: number) {
    this.fired = false
    this.timers.push(
      setTimeout(() => {
        this.fired = true
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
