import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ServiceName } from '../catalog/schema.ts'
import type { Catalog, Kata } from '../catalog/types.ts'
import type { RoadmapConfig } from '../services/config-file.ts'
import { ServiceGate } from '../services/gate/service-gate.ts'
import { prepareServicesForGrading } from '../services/grading-services.ts'
import { Services } from '../services/services.ts'
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
    const sandbox = sandboxSubmission(submission, this.options.katas, join(this.options.root, 'exercises'), this.options.isolated ? this.principal?.gid : undefined, this.folder)
    const target = submissionTarget(sandbox.dir)
    if (this.target) this.pool.nextSubmission(target)
    this.target = target
    return { ...sandbox, target }
  }

  run(kata: Kata, target: Target) {
    return this.pool.run(kata, target)
  }

  async close() {
    try {
      await this.pool.close()
      await this.services.close()
    } finally {
      await this.gate?.close()
      rmSync(this.folder, { recursive: true, force: true })
      this.principal?.release()
    }
  }
}
