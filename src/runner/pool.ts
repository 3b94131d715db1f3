import type { Kata } from '../catalog/types.ts'
import type { KataResult } from '../results/model.ts'
import { Slots } from './slots.ts'
import { SuiteRunner, type RunnerOptions } from './suite-runner.ts'
import type { Target } from './target.ts'

/**
 * Runs many katas at once for `verify` and `grade`: up to `concurrency` Vitest
 * instances, each kept per target and reused for the next kata. Pools given the same
 * `Slots` share one limit.
 */
export class RunnerPool {
  private idle = new Map<string, SuiteRunner[]>()
  private all: SuiteRunner[] = []
  private readonly slots: Slots

  private readonly options: RunnerOptions
  constructor(
    options: RunnerOptions,
    concurrency: number | Slots,
  ) {
    this.options = options
    this.slots = typeof concurrency === 'number' ? new Slots(concurrency) : concurrency
  }

  get concurrency(): number {
    return this.slots.size
  }

  /**
   * Runs a kata on an idle runner of the target; `changed` files are invalidated first.
   * `only` names the tests to run (full names); the others are reported skipped.
   * `goProgram`: a wire kata's Go program, which the suite starts (see SuiteRunner.run).
   */
  async run(kata: Kata, target: Target, changed: string[] = [], only?: string[], goProgram?: string): Promise<KataResult> {
    await this.slots.take()
    try {
      const runner = this.idle.get(target.root)?.pop() ?? (await this.spawn(target))
      try {
        return await runner.run(kata, changed, only, goProgram)
      } finally {
        const list = this.idle.get(target.root) ?? []
        list.push(runner)
        this.idle.set(target.root, list)
      }
    } finally {
      this.slots.release()
    }
  }

  /** The next submission was copied into `target`'s folder: its runners forget the last one. */
  nextSubmission(target: Target) {
    for (const r of this.all) if (r.target.root === target.root) r.nextSubmission()
  }

  private async spawn(target: Target) {
    const r = await SuiteRunner.create({ backToBack: true, ...this.options }, target)
    this.all.push(r)
    return r
  }

  async close() {
    await Promise.allSettled(this.all.map((r) => r.close()))
  }
}
