import type { ServiceName } from '../catalog/schema.ts'
import type { Catalog, Kata } from '../catalog/types.ts'
import { kataState, nextKata, stateAfter } from '../progress/record.ts'
import type { ProgressStore } from '../progress/store.ts'
import type { KataResult } from '../results/model.ts'
import { discardFirstWorker } from '../runner/first-worker.mjs'
import { runGoTrack } from '../runner/go/track-run.ts'
import { WireSuites } from '../runner/go/wire-suites.ts'
import { SuiteRunner } from '../runner/suite-runner.ts'
import { exercisesTarget } from '../runner/target.ts'
import type { RoadmapConfig } from '../services/config-file.ts'
import { Services } from '../services/services.ts'
import type { EngineEvent, EngineListener } from './events.ts'
import { kataOfFile, learnerFilesChangedSince } from './file-map.ts'
import { FileWatcher } from './file-watcher.ts'

export interface EngineOptions {
  catalog: Catalog
  store: ProgressStore
  config: RoadmapConfig
  poll?: boolean
  /** Move to the next kata by itself when the focused one passes (plain mode). */
  autoAdvance?: boolean
}

/**
 * The watch session: one runner, the services, the file watcher and the progress
 * store. Surfaces send it commands (rerun, next, focus, checkAll) and render the
 * events it emits; they never run anything themselves.
 */
export class WatchEngine {
  private listeners: EngineListener[] = []
  private runner: SuiteRunner | undefined
  /** The Go track's wire katas: their suites run against the learner's program (started on the first). */
  private wire: WireSuites | undefined
  private services: Services | undefined
  private watcher: FileWatcher | undefined
  private queue: Promise<unknown> = Promise.resolve()
  private servicesReady: Promise<void> = Promise.resolve()
  private dirty = new Set<string>()
  focusId: string | undefined
  readonly last = new Map<string, KataResult>()
  private closed = false

  private readonly opts: EngineOptions
  constructor(opts: EngineOptions) {
    this.opts = opts
  }

  /** Subscribes a surface; returns the unsubscribe function. */
  on(listener: EngineListener): () => void {
    this.listeners.push(listener)
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener)
    }
  }

  private emit(event: EngineEvent) {
    for (const l of this.listeners) l(event)
  }

  get catalog() {
    return this.opts.catalog
  }

  get store() {
    return this.opts.store
  }

  /** The track this session grades: Go runs `go test` per save, TypeScript the warm Vitest runner. */
  get track() {
    return this.opts.catalog.track ?? 'ts'
  }

  /** Starts Vitest and the services side by side, then runs the first unpassed kata. */
  async start() {
    try {
      await this.startNow()
    } catch (err) {
      this.emit({ type: 'error', message: `could not start: ${(err as Error).message}` })
      throw err
    }
  }

  private async startNow() {
    const { catalog } = this.opts
    const needed = new Set<ServiceName>(catalog.katas.flatMap((k) => k.services))
    this.emit({ type: 'starting', what: 'services' })
    if (this.track === 'ts') this.emit({ type: 'starting', what: 'runner' })
    this.services = new Services({ root: catalog.root, config: this.opts.config })
    const focus = nextKata(catalog, this.opts.store)
    // Katas without services need not wait for the probes: the first verdict comes sooner.
    // When the first kata needs none, the probes (and their client libraries, ~100 ms of
    // loading on this thread) wait for its verdict.
    let probesMayStart: () => void = () => undefined
    const gate = focus?.services.length === 0 ? new Promise<void>((resolve) => (probesMayStart = resolve)) : Promise.resolve()
    this.servicesReady = gate
      .then(() => Promise.all([...needed].map((n) => this.services!.refresh(n))))
      .then(() => {
        this.emit({ type: 'services', services: this.services!.all })
      })
    // The runner asks the live statuses, so a service that comes back is seen without a restart.
    const problem = (name: ServiceName) => this.services!.problem(name)
    const recheck = (names: ServiceName[]) => this.services!.access().recheck!(names)
    // The Go track needs no Vitest: each run is a `go test`, whose build cache stays warm by itself.
    if (this.track !== 'ts') discardFirstWorker()
    if (this.track === 'ts') this.runner = await SuiteRunner.create({ catalog, services: { urls: {}, problem, recheck }, firstWorker: true }, exercisesTarget(catalog))
    void this.servicesReady.then(() => this.runner?.updateServices(this.services!.access().urls))
    this.setFocus(focus?.id)
    const first = focus ? this.run(focus, 'start') : Promise.resolve()
    void first.then(probesMayStart, probesMayStart)
    // The watcher's first crawl of exercises/ (~150 ms on this thread, which also serves the
    // first run's worker its modules) waits for the first verdict; what the learner saved
    // since the launch is caught up from the files' modification times.
    const watching = first.then(
      () => this.watch(),
      () => this.watch(),
    )
    await Promise.all([watching, first, this.servicesReady])
    // From the launch of the process (performance's origin), not from this method: what the learner waited.
    this.emit({ type: 'ready', startupMs: Math.round(performance.now()) })
  }

  private async watch() {
    if (this.closed) return
    const exercises = exercisesTarget(this.opts.catalog).root
    this.watcher = new FileWatcher(exercises, (files) => this.onFiles(exercises, files), {
      poll: this.opts.poll,
      onError: (err) => this.emit({ type: 'watcher-error', reason: `${(err as NodeJS.ErrnoException).code ?? ''} ${err.message}`.trim() }),
    })
    await this.watcher.ready()
    const missed = learnerFilesChangedSince(this.opts.catalog, exercises, performance.timeOrigin)
    if (missed.length) this.onFiles(exercises, missed)
  }

  private setFocus(id: string | undefined) {
    this.focusId = id
    this.emit({ type: 'focus', id })
    // Off the save → verdict path: the run this focus change starts goes first.
    setImmediate(() => this.opts.store.setCurrent(id))
  }

  private onFiles(exercisesRoot: string, files: string[]) {
    const katas = new Set<Kata>()
    for (const f of files) {
      this.runner?.invalidate(f)
      const k = kataOfFile(this.opts.catalog, exercisesRoot, f)
      if (k) katas.add(k)
    }
    for (const k of katas) {
      // Editing a kata makes it the one in focus: the learner is working on it.
      if (k.id !== this.focusId) this.setFocus(k.id)
      void this.run(k, 'save')
    }
  }

  /** Queues a run; saves during a run of the same kata fold into one rerun after it. */
  run(kata: Kata, reason: 'start' | 'save' | 'rerun' | 'focus' | 'check'): Promise<KataResult | undefined> {
    if (this.dirty.has(kata.id)) return Promise.resolve(undefined)
    this.dirty.add(kata.id)
    const job = this.queue.then(async () => {
      this.dirty.delete(kata.id)
      if (this.closed || (!this.runner && this.track === 'ts')) return undefined
      if (kata.services.length) await this.servicesReady
      await this.reprobe(kata)
      this.emit({ type: 'run-start', id: kata.id, reason })
      const result = this.runner ? await this.runner.run(kata) : await this.runGo(kata)
      this.last.set(kata.id, result)
      // The verdict reaches the screen first; the check-off (an fsync) follows at once.
      // Check-all runs katas the learner never opened: their starters fail, as they should,
      // and that is no reason to mark them failed. They stay "not started" until they pass.
      const untouched = reason === 'check' && !this.opts.store.snapshot.katas[kata.id] && result.verdict !== 'pass'
      this.emit({ type: 'result', result, state: untouched ? 'not-tried' : stateAfter(kataState(this.opts.store, kata.id), result) })
      if (!untouched) this.opts.store.record(result)
      if (result.verdict === 'pass' && kata.id === this.focusId && this.opts.autoAdvance && reason !== 'check') this.next()
      return result
    })
    this.queue = job.catch((err) => this.emit({ type: 'error', message: (err as Error).message }))
    return job
  }

  private runGo(kata: Kata): Promise<KataResult> {
    const { catalog } = this.opts
    const services = this.services?.access()
    if (kata.go?.grade === 'wire' && services) this.wire ??= new WireSuites(catalog, services)
    return runGoTrack(catalog.root, kata, exercisesTarget(catalog), { services, ...(this.wire ? { wire: this.wire.run } : {}) })
  }

  /** A service that was missing, or failed the last run, is probed again first. */
  private async reprobe(kata: Kata) {
    if (!this.services) return
    const stale = kata.services.filter((s) => this.services!.status(s)?.state !== 'ready' || this.last.get(kata.id)?.verdict === 'unavailable')
    if (!stale.length) return
    await Promise.all(stale.map((s) => this.services!.refresh(s)))
    this.runner?.updateServices(this.services.access().urls)
    this.emit({ type: 'services', services: this.services.all })
  }

  /** Resolves when no run is queued or running. */
  async idle() {
    let seen: Promise<unknown>
    do {
      seen = this.queue
      await seen
    } while (seen !== this.queue)
  }

  /** The learner opened hints 1..upTo of a kata. */
  seeHint(id: string, upTo: number) {
    this.opts.store.seeHint(id, upTo)
  }

  rerun() {
    const kata = this.focusId ? this.opts.catalog.byId.get(this.focusId) : undefined
    if (kata) void this.run(kata, 'rerun')
  }

  /** Moves on to the next kata in roadmap order that has not passed. */
  next() {
    const after = this.opts.catalog.katas.slice((this.focused()?.index ?? -1) + 1)
    const target = after.find((k) => kataState(this.opts.store, k.id) !== 'passed') ?? nextKata(this.opts.catalog, this.opts.store)
    this.setFocus(target?.id)
    if (target) void this.run(target, 'focus')
  }

  focus(id: string) {
    const kata = this.opts.catalog.byId.get(id)
    if (!kata) return
    this.setFocus(id)
    void this.run(kata, 'focus')
  }

  focused(): Kata | undefined {
    return this.focusId ? this.opts.catalog.byId.get(this.focusId) : undefined
  }

  /** Runs every kata once, in roadmap order, reporting progress as it goes. */
  async checkAll() {
    const katas = this.opts.catalog.katas
    let done = 0
    let failed = 0
    this.emit({ type: 'check-progress', done, total: katas.length, failed })
    for (const k of katas) {
      const r = await this.run(k, 'check')
      done++
      if (r && r.verdict !== 'pass') failed++
      this.emit({ type: 'check-progress', done, total: katas.length, failed })
    }
    const chapters = this.opts.catalog.chapters.map((c) => ({
      id: c.id,
      passed: c.katas.filter((k) => this.last.get(k.id)?.verdict === 'pass').length,
      total: c.katas.length,
    }))
    this.emit({ type: 'check-done', passed: done - failed, total: katas.length, chapters })
  }

  serviceStatuses() {
    return this.services?.all ?? []
  }

  async close() {
    this.closed = true
    await this.watcher?.close()
    await this.queue.catch(() => undefined)
    await this.runner?.close()
    await this.wire?.close()
    await this.services?.close()
  }
}
