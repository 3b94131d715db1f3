import { stripVTControlCharacters } from 'node:util'
import type { UserConsoleLog } from 'vitest'
import type { Reporter, SerializedError, TestCase, TestModule, TestSpecification } from 'vitest/node'
import type { TestOutcome } from '../results/model.ts'
import { OutputBuffer } from './output-buffer.ts'
import { describeError, type LoadFailure } from './errors.ts'
import { learnerFrame } from './learner-frame.ts'

const TRACE = process.env.ROADMAP_TRACE === '1'

export const OUT_OF_MEMORY = 'your code used more memory than the worker may have: look for data that grows without bound'

/** What one Vitest run reported, before it becomes a KataResult. */
export interface RunReport {
  tests: TestOutcome[]
  /** The suite could not run at all: a load error, an error outside any test. */
  loadFailure?: LoadFailure
  output?: string
  reason: 'passed' | 'failed' | 'interrupted'
  /** RabbitMQ names the suite's fixtures left for the runner to delete (its meta). */
  queues: string[]
  exchanges: string[]
}

export interface OutputCaps {
  perTest: number
  perRun: number
}

/**
 * A Vitest reporter that turns one run into a RunReport. It prints nothing:
 * every surface renders from the result model instead.
 */
export class Collector implements Reporter {
  private logs = new Map<string, OutputBuffer>()
  private runOutput: OutputBuffer
  private waiting: ((r: RunReport) => void) | undefined

  /** `learnerRoot`: the graded folder, whose frames in a stack are the learner's own code. */
  private readonly caps: OutputCaps
  private readonly learnerRoot?: string
  constructor(
    caps: OutputCaps,
    learnerRoot?: string,
  ) {
    this.caps = caps
    this.learnerRoot = learnerRoot
    this.runOutput = new OutputBuffer(caps.perRun)
  }

  /** Resolves with the report of the next run that ends. */
  nextRun(): Promise<RunReport> {
    return new Promise((resolve) => (this.waiting = resolve))
  }

  private stderrTail = ''

  /** Phase times of the current run, for ROADMAP_TRACE=1 (where a save's milliseconds go). */
  private trace: [string, number][] = []
  /** The kata of the current run, named on its trace line (runs of several runners interleave). */
  private traceLabel = ''
  mark(phase: string, label?: string) {
    if (!TRACE) return
    // A labelled mark starts a run's trace (a run that ended early left its marks behind).
    if (label !== undefined) {
      this.traceLabel = label
      this.trace = []
    }
    this.trace.push([phase, performance.now()])
  }
  onTestModuleCollected() {
    this.mark('collected')
  }
  onTestModuleStart() {
    this.mark('module start')
  }

  onTestRunStart(_specs: ReadonlyArray<TestSpecification>) {
    this.mark('run start')
    this.logs.clear()
    this.runOutput = new OutputBuffer(this.caps.perRun)
    this.stderrTail = ''
  }

  /**
   * What the worker process wrote to its own stdout/stderr (process.stdout.write,
   * a child's inherited output, Node's fatal errors): kept as run output, never
   * written over the learner's screen.
   */
  workerStream(text: string, stream: 'stdout' | 'stderr') {
    this.runOutput.push(text)
    if (stream === 'stderr') this.stderrTail = (this.stderrTail + text).slice(-4000)
  }

  onUserConsoleLog(log: UserConsoleLog) {
    const key = log.taskId ?? ''
    let buf = this.logs.get(key)
    if (!buf) this.logs.set(key, (buf = new OutputBuffer(this.caps.perTest)))
    buf.push(log.content)
    this.runOutput.push(log.content)
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandled: ReadonlyArray<SerializedError>, reason: RunReport['reason']) {
    const tests: TestOutcome[] = []
    let loadFailure: LoadFailure | undefined
    for (const mod of modules) {
      for (const test of mod.children.allTests()) tests.push(this.outcome(test))
      // An error of the module is a load failure; one of a suite comes from its hooks.
      const moduleError = mod.errors()[0]
      const hookError = collectSuiteErrors(mod)[0]
      if (!loadFailure && (moduleError || hookError)) loadFailure = this.withFrame(describeError((moduleError ?? hookError)!, moduleError ? 'load' : 'hook'), (moduleError ?? hookError)!)
    }
    if (!loadFailure && unhandled[0]) loadFailure = this.withFrame(describeError(unhandled[0], 'unhandled'), unhandled[0])
    // Node prints this when the capped heap runs out; the worker dies with it.
    if (/JavaScript heap out of memory|Reached heap limit|ERR_WORKER_OUT_OF_MEMORY/.test(this.stderrTail)) {
      loadFailure = { kind: 'oom', message: OUT_OF_MEMORY }
    }
    this.mark('run end')
    if (TRACE && this.trace.length) {
      const t0 = this.trace[0]![1]
      process.stderr.write(`[trace] ${this.traceLabel ? `${this.traceLabel}: ` : ''}${this.trace.map(([p, t]) => `${p} +${Math.round(t - t0)}`).join(' · ')}${workerPhases(modules)}\n`)
      this.trace = []
    }
    const done = this.waiting
    this.waiting = undefined
    done?.({ tests, loadFailure, output: this.runOutput.toString(), reason, ...leftoverNames(modules) })
  }

  /** Adds where in the learner's code an error (not a failed assertion) was thrown. */
  private withFrame(failure: LoadFailure, err: SerializedError): LoadFailure {
    if (!this.learnerRoot || failure.kind === 'syntax' || err.name === 'AssertionError' || 'diff' in err) return failure
    const frame = learnerFrame(err, this.learnerRoot)
    return frame ? { ...failure, message: `${failure.message}\n${frame}` } : failure
  }

  private outcome(test: TestCase): TestOutcome {
    const result = test.result()
    const durationMs = Math.round(test.diagnostic()?.duration ?? 0)
    const output = this.logs.get(test.id)?.toString()
    // No suite marks a test "expected to fail": the flag can only come from code under
    // test reaching the running task, and it would turn a failure into a pass.
    if (test.options.fails) return { name: test.fullName, status: 'fail', message: 'this test was marked "expected to fail" while it ran: code under test may not change how a test is judged', output, durationMs }
    if (result.state === 'passed') return { name: test.fullName, status: 'pass', durationMs, output }
    if (result.state === 'failed') {
      const err = result.errors[0]
      const described = err ? this.withFrame(describeError(err, 'test'), err) : undefined
      return { name: test.fullName, status: 'fail', message: described?.message ?? 'failed', diff: err?.diff ? stripVTControlCharacters(err.diff) : undefined, output, durationMs }
    }
    // Skipped or todo: counted as failed (a suite never skips; code under test may try).
    return { name: test.fullName, status: 'skip', message: 'this test did not run (skipped): a test that does not run counts as failed', durationMs, output }
  }
}

/** The names the fixtures put in the module's and its suites' meta (strings only: graded code can write there too). */
function leftoverNames(modules: ReadonlyArray<TestModule>): Pick<RunReport, 'queues' | 'exchanges'> {
  const queues: string[] = []
  const exchanges: string[] = []
  const strings = (v: unknown) => (Array.isArray(v) ? v.filter((n): n is string => typeof n === 'string') : [])
  for (const mod of modules) {
    for (const task of [mod, ...mod.children.allSuites()]) {
      const meta = task.meta()
      queues.push(...strings(meta['roadmap:queues']))
      exchanges.push(...strings(meta['roadmap:exchanges']))
    }
  }
  return { queues, exchanges }
}

/**
 * The worker's own clock for a run (the reporter's events arrive batched): the setup
 * file, importing the suite, the tests, and the rest of the module's time, which is
 * its beforeAll/afterAll hooks (the service fixtures' work).
 */
function workerPhases(modules: ReadonlyArray<TestModule>): string {
  const parts = modules.map((m) => {
    const d = m.diagnostic()
    const tests = [...m.children.allTests()].reduce((n, t) => n + (t.diagnostic()?.duration ?? 0), 0)
    return ` | worker: prepare ${Math.round(d.prepareDuration)} · setup ${Math.round(d.setupDuration)} · import ${Math.round(d.collectDuration)} · tests ${Math.round(tests)} · hooks ${Math.round(d.duration - tests)}`
  })
  return parts.join('')
}

function collectSuiteErrors(mod: TestModule): SerializedError[] {
  const errors: SerializedError[] = []
  for (const suite of mod.children.allSuites()) errors.push(...suite.errors())
  return errors
}
