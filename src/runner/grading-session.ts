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
import { RunnerPool } from './pool.ts'
import { canContainSameUser, takePrincipal, type Principal } from './privileges.ts'
import { sandboxSubmission } from './sandbox.ts'
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
  /** ts: the hidden Vitest suites; go: the hidden `_test.go` files, with `go test -race`. */
  track?: Track
}

/**
 * What the submissions of one `grade` share: the services (resolved and prepared once),
 * the grading user, the runners and the folder each submission is copied into. The folder
 * is the same for every submission, so each Vitest instance (one per target folder) serves
 * them all; before the next submission the runners forget every module of the last one,
 * and their RabbitMQ vhost is replaced. Submissions are graded one after the other.
 */
export class GradingSession {
  private constructor(
    readonly services: Services,
    /** Warnings for the grader's log, from preparing the services. */
    readonly warnings: string[],
    private readonly principal: (Principal & { release(): void }) | undefined,
    private readonly pool: RunnerPool,
    private readonly folder: string,
    private readonly options: GradingSessionOptions,
    private readonly gate?: ServiceGate,
  ) {}

  static async open(options: GradingSessionOptions): Promise<GradingSession> {
    const principal: (Principal & { release(): void }) | undefined = options.isolated
      ? takePrincipal(options.hide)
      : canContainSameUser()
        ? // Still a PID namespace of its own where the system allows one: what it starts dies with it.
          { name: 'self', uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0, hide: [], sameUser: true, release: () => undefined }
        : undefined
    let gate: ServiceGate | undefined
    try {
      const needs = new Set<ServiceName>(options.katas.flatMap((k) => k.services))
      const services = await Services.resolve(needs, { root: options.root, config: options.config })
      const warnings = await prepareServicesForGrading(services.access().urls, !!principal && !principal.sameUser)
      // A grading user of its own also gets a network of its own: only the gate's ports answer there.
      if (principal && !principal.sameUser) {
        gate = await ServiceGate.open(services.access().urls)
        principal.gate = { dir: gate.dir, services: gate.services }
      }
      // Graded code gets credentials of its own per run; the admin URLs stay in this process.
      const pool = new RunnerPool({ catalog: options.catalog, services: services.access(), dropPrivileges: principal ?? false, leastPrivilege: true }, options.concurrency)
      return new GradingSession(services, warnings, principal, pool, mkdtempSync(join(tmpdir(), 'roadmap-grade-')), options, gate)
    } catch (err) {
      await gate?.close()
      principal?.release()
      throw err
    }
  }

  private target: Target | undefined

  /**
   * Copies a submission into the session's folder (SubmissionError when it cannot be
   * graded at all) and makes the runners ready for it. The previous submission's runs
   * must have ended.
   */
  prepare(submission: string) {
    // The Go track takes the kata's declared Go files; go.mod stays the curriculum's (no dependency of the learner's choosing).
    const katas = this.options.track === 'go' ? this.options.katas.map((k) => ({ ...k, files: (k.go?.files ?? []).map((f) => `${GO_DIR}/${f}`) })) : this.options.katas
    const sandbox = sandboxSubmission(submission, katas, join(this.options.root, 'exercises'), this.options.isolated ? this.principal?.gid : undefined, this.folder)
    const target = submissionTarget(sandbox.dir)
    if (this.target) this.pool.nextSubmission(target)
    this.target = target
    return { ...sandbox, target }
  }

  run(kata: Kata, target: Target): Promise<KataResult> {
    if (this.options.track !== 'go') return this.pool.run(kata, target)
    // One Go kata at a time: each `go test -race` already uses every core.
    const next = this.goQueue.then(() => this.runGo(kata, target))
    this.goQueue = next.catch(() => undefined)
    return next
  }

  private goQueue: Promise<unknown> = Promise.resolve()
  private goCredentials: RunCredentials | undefined

  /**
   * A Go kata: built by the grader, its test binary run as the session's grading user, in a
   * network of loopback only, or, for a kata with services, the gate's network and credentials
   * of the run's own (as the TypeScript runs get).
   */
  private async runGo(kata: Kata, target: Target): Promise<KataResult> {
    const own = this.principal && !this.principal.sameUser ? this.principal : undefined
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
        // A wire kata's suite runs in this session's pool, as the grading user, against the built program.
        wire: (k, t, program) => this.pool.run(k, t, [], undefined, program),
        ...(this.principal ? { principal: own ? { ...own, offline: !kata.services.length, ...(kata.services.length ? {} : { gate: undefined }) } : this.principal } : {}),
      })
    } finally {
      grant?.release()
    }
  }

  async close() {
    try {
      await this.pool.close()
      await this.goCredentials?.close()
      await this.services.close()
    } finally {
      await this.gate?.close()
      rmSync(this.folder, { recursive: true, force: true })
      this.principal?.release()
    }
  }
}
