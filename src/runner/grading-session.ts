import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { GO_DIR } from '../catalog/go-track.ts'
import type { ServiceName } from '../catalog/schema.ts'
import type { Track } from '../catalog/track.ts'
import type { Catalog, Kata } from '../catalog/types.ts'
import type { KataResult } from '../results/model.ts'
import type { RoadmapConfig } from '../services/config-file.ts'
import { ServiceGate } from '../services/gate/service-gate.ts'
import { prepareServicesForGrading } from '../services/grading-services.ts'
import { RunCredentials } from '../services/run-credentials.ts'
import { Services } from '../services/services.ts'
import { runGoTrack, unavailable } from './go/track-run.ts'
import { gradedCompileCache, type CompileCache } from './graded-compile-cache.ts'
import { preloadModules } from './preload-modules.ts'
import { RunnerPool } from './pool.ts'
import { canContainSameUser, takePrincipal, type Principal } from './privileges.ts'
import { sandboxSubmission } from './sandbox.ts'
import { Slots } from './slots.ts'
import { submissionTarget, type Target } from './target.ts'

export interface GradingSessionOptions {
  catalog: Catalog
  root: string
  config: RoadmapConfig
  /** The katas every submission is graded on: the services they use are resolved once. */
  katas: Kata[]
  /** Graded code runs as a grading user of its own, with `hide` covered; else as the grader. */
  isolated: boolean
  /** Paths graded code must not see (solutions, the submissions, the reports). */
  hide: string[]
  concurrency: number
  /**
   * Submissions graded at once (grade --many), each in a lane of its own: its own folder
   * and grading user, which cannot see the other lanes' folders. More than one only when
   * graded code runs as users of its own; all lanes share `concurrency` runs at a time.
   */
  lanes?: number
  /** ts: the hidden Vitest suites; go: the hidden `_test.go` files, with `go test -race`. */
  track?: Track
}

type HeldPrincipal = Principal & { release(): void }

/** One submission at a time: its folder, the user its code runs as, the runners for that folder. */
interface Lane {
  folder: string
  principal: HeldPrincipal | undefined
  pool: RunnerPool
  target?: Target
}

/**
 * What the submissions of one `grade` share: the services (resolved and prepared once),
 * the gate, the limit on runs at once, and its lanes. A lane's folder is the same for every
 * submission graded in it, so each Vitest instance (one per target folder) serves them all;
 * before the lane's next submission its runners forget every module of the last one, and
 * their RabbitMQ vhost is replaced. Within a lane, submissions are graded one after the other.
 */
export class GradingSession {
  readonly services: Services
  /** Warnings for the grader's log, from preparing the services. */
  readonly warnings: string[]
  private readonly lanes: Lane[]
  private readonly options: GradingSessionOptions
  private readonly gate?: ServiceGate
  private readonly compileCache?: CompileCache
  private constructor(
    services: Services,
    warnings: string[],
    lanes: Lane[],
    options: GradingSessionOptions,
    gate?: ServiceGate,
    compileCache?: CompileCache,
  ) {
    this.services = services
    this.warnings = warnings
    this.lanes = lanes
    this.options = options
    this.gate = gate
    this.compileCache = compileCache
  }

  static async open(options: GradingSessionOptions): Promise<GradingSession> {
    const folders: string[] = []
    const principals: HeldPrincipal[] = []
    let gate: ServiceGate | undefined
    let caching: Promise<CompileCache | undefined> | undefined
    try {
      const own = options.isolated
      const wanted = own ? Math.max(1, options.lanes ?? 1) : 1
      for (let i = 0; i < wanted; i++) folders.push(mkdtempSync(join(tmpdir(), 'roadmap-grade-')))
      if (own) {
        for (const folder of folders) {
          try {
            // A lane's run sees none of the other lanes' folders (nor can its user read them).
            principals.push(takePrincipal([...options.hide, ...folders.filter((f) => f !== folder)]))
          } catch (err) {
            // Every grading user of this machine busy: fewer lanes, but at least one.
            if (!principals.length) throw err
            break
          }
        }
        for (const f of folders.splice(principals.length)) rmSync(f, { recursive: true, force: true })
      } else if (canContainSameUser()) {
        // Still a PID namespace of its own where the system allows one: what it starts dies with it.
        principals.push({ name: 'self', uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0, hide: [], sameUser: true, release: () => undefined })
      }
      const needs = new Set<ServiceName>(options.katas.flatMap((k) => k.services))
      // Made while the services are resolved; graded users only (a run as the grader could write it).
      caching = own && options.track !== 'go' ? gradedCompileCache(principals.map((p) => p.uid), preloadModules(options.catalog, needs)) : undefined
      const services = await Services.resolve(needs, { root: options.root, config: options.config })
      const warnings = await prepareServicesForGrading(services.access().urls, own)
      const compileCache = await caching
      for (const p of principals) if (compileCache) p.compileCache = compileCache.dir
      // A grading user of its own also gets a network of its own: only the gate's ports answer there.
      if (own) {
        gate = await ServiceGate.open(services.access().urls)
        for (const p of principals) p.gate = { dir: gate.dir, services: gate.services }
      }
      // Graded code gets credentials of its own per run; the admin URLs stay in this process.
      const slots = new Slots(options.concurrency)
      const lanes = folders.map((folder, i): Lane => {
        const principal = principals[i]
        return { folder, principal, pool: new RunnerPool({ catalog: options.catalog, services: services.access(), dropPrivileges: principal ?? false, leastPrivilege: true }, slots) }
      })
      return new GradingSession(services, warnings, lanes, options, gate, compileCache)
    } catch (err) {
      await gate?.close()
      void caching?.then((c) => c?.remove())
      for (const p of principals) p.release()
      for (const f of folders) rmSync(f, { recursive: true, force: true })
      throw err
    }
  }

  /** How many submissions can be graded at once. */
  get laneCount(): number {
    return this.lanes.length
  }

  /**
   * Copies a submission into lane `lane`'s folder (SubmissionError when it cannot be graded
   * at all) and makes the lane's runners ready for it. The lane's previous submission's runs
   * must have ended.
   */
  prepare(submission: string, lane = 0) {
    const l = this.lanes[lane]
    if (!l) throw new RangeError(`no lane ${lane} (this session has ${this.lanes.length})`)
    // The Go track takes the kata's declared Go files; go.mod stays the curriculum's (no dependency of the learner's choosing).
    const katas = this.options.track === 'go' ? this.options.katas.map((k) => ({ ...k, files: (k.go?.files ?? []).map((f) => `${GO_DIR}/${f}`) })) : this.options.katas
    const own = l.principal && !l.principal.sameUser ? l.principal : undefined
    const sandbox = sandboxSubmission(submission, katas, join(this.options.root, 'exercises'), own?.gid, l.folder)
    const target = submissionTarget(sandbox.dir)
    if (l.target) l.pool.nextSubmission(target)
    l.target = target
    return { ...sandbox, target }
  }

  run(kata: Kata, target: Target): Promise<KataResult> {
    const lane = this.lanes.find((l) => l.target?.root === target.root)
    if (!lane) throw new Error(`${target.root} is no lane's submission: prepare it first`)
    if (this.options.track !== 'go') return lane.pool.run(kata, target)
    // One Go kata at a time: each `go test -race` already uses every core.
    const next = this.goQueue.then(() => this.runGo(kata, target, lane))
    this.goQueue = next.catch(() => undefined)
    return next
  }

  private goQueue: Promise<unknown> = Promise.resolve()
  private goCredentials: RunCredentials | undefined

  /**
   * A Go kata: built by the grader, its test binary run as the lane's grading user, in a
   * network of loopback only, or, for a kata with services, the gate's network and credentials
   * of the run's own (as the TypeScript runs get).
   */
  private async runGo(kata: Kata, target: Target, lane: Lane): Promise<KataResult> {
    const principal = lane.principal
    const own = principal && !principal.sameUser ? principal : undefined
    let grant: Awaited<ReturnType<RunCredentials['forRun']>> | undefined
    if (own && kata.services.length) {
      this.goCredentials ??= new RunCredentials({ ...this.services.access().urls })
      try {
        grant = await this.goCredentials.forRun(kata.services, kata.suiteFile)
      } catch (err) {
        return unavailable(kata, target, (err as Error).message)
      }
    }
    const access = this.services.access()
    try {
      return await runGoTrack(this.options.root, kata, target, {
        services: grant ? { ...access, urls: grant.urls } : access,
        // A wire kata's suite runs in this lane's pool, as the grading user, against the built program.
        wire: (k, t, program) => lane.pool.run(k, t, [], undefined, program),
        ...(principal ? { principal: own ? { ...own, offline: !kata.services.length, ...(kata.services.length ? {} : { gate: undefined }) } : principal } : {}),
      })
    } finally {
      grant?.release()
    }
  }

  async close() {
    try {
      await Promise.allSettled(this.lanes.map((l) => l.pool.close()))
      await this.goCredentials?.close()
      await this.services.close()
    } finally {
      await this.gate?.close()
      for (const l of this.lanes) {
        rmSync(l.folder, { recursive: true, force: true })
        l.principal?.release()
      }
      this.compileCache?.remove()
    }
  }
}
