import { join } from 'node:path'
import type { ServiceName } from '../catalog/schema.ts'
import type { ServiceAccess } from './access.ts'
import { SERVICES } from './catalog.ts'
import type { RoadmapConfig } from './config-file.ts'
import { containerSettings, type ContainerSettings } from './container-settings.ts'
import { containerFailure, dockerEngine, reapOrphans, startContainer, type StartedService } from './containers.ts'
import { embeddedPostgresAvailable, startEmbeddedPostgres } from './embedded-postgres.ts'
import { Liveness } from './liveness.ts'
import { probe } from './probe.ts'
import { redact, type ServiceStatus } from './status.ts'

export interface ResolveOptions {
  root: string
  env?: NodeJS.ProcessEnv
  config?: RoadmapConfig
  /** Start Testcontainers / embedded PostgreSQL when nothing is listening (default: yes). */
  start?: boolean
  /** Where to look for local servers instead of the standard ports (tests). */
  localUrls?: Partial<Record<ServiceName, string>>
}

/**
 * The services of one session, resolved in DESIGN.md's order: explicit URL →
 * a server on the standard local port → Testcontainers → embedded PostgreSQL →
 * a clear message. Whatever it started, it stops on close().
 */
export class Services {
  private started: StartedService[] = []
  private statuses = new Map<ServiceName, ServiceStatus>()
  private engine: ReturnType<typeof dockerEngine> | undefined
  private readonly containers: ContainerSettings
  private readonly liveness = new Liveness()

  private readonly options: ResolveOptions
  constructor(options: ResolveOptions) {
    this.options = options
    this.containers = containerSettings(options.env ?? process.env, options.config)
  }

  /** Asks for the Docker engine once; the first answer also reaps containers of dead sessions. */
  private dockerEngine() {
    this.engine ??= dockerEngine().then(async (engine) => {
      if (engine.ok) await reapOrphans().catch(() => 0)
      return engine
    })
    return this.engine
  }

  static async resolve(names: Iterable<ServiceName>, options: ResolveOptions): Promise<Services> {
    const t0 = performance.now()
    const services = new Services(options)
    const wanted = [...new Set(names)]
    await Promise.all(wanted.map((n) => services.resolveOne(n)))
    // ROADMAP_TRACE=1: how often a command resolves its services (grade --many: once).
    if (process.env.ROADMAP_TRACE === '1') process.stderr.write(`[trace] services resolved: ${wanted.join(', ') || 'none'} in ${Math.round(performance.now() - t0)} ms\n`)
    return services
  }

  get all(): ServiceStatus[] {
    return [...this.statuses.values()]
  }

  status(name: ServiceName): ServiceStatus | undefined {
    return this.statuses.get(name)
  }

  access(): ServiceAccess {
    const urls: ServiceAccess['urls'] = {}
    for (const s of this.statuses.values()) if (s.state === 'ready') urls[s.name] = s.url
    return {
      urls,
      problem: (name) => this.problem(name),
      recheck: async (names) => {
        // A service whose held connection stayed open did not go away: no probe on the verdict's path.
        // Only look again where it was: a service that went away mid-run is reported, not replaced.
        const statuses = await Promise.all(names.filter((n) => !this.liveness.alive(n)).map((n) => this.resolveOne(n, false)))
        for (const s of statuses) if (s.state === 'ready') void this.liveness.hold(s.name, s.url)
        const down = statuses.filter((s) => s.state === 'missing').map((s) => this.problem(s.name))
        return down.length ? down.join('\n') : undefined
      },
    }
  }

  /** Why a service is not usable, with what to do about it; undefined when it is ready. */
  problem(name: ServiceName): string | undefined {
    const s = this.statuses.get(name)
    if (!s) return `${SERVICES[name].label} was not looked for in this session`
    if (s.state === 'ready') return undefined
    return `${SERVICES[name].label} is not reachable (${s.tried.join('; ')}). Start it: ${s.fix}`
  }

  /** Probes a service again (it may have come back, or gone away). */
  async refresh(name: ServiceName): Promise<ServiceStatus> {
    return this.resolveOne(name)
  }

  private async resolveOne(name: ServiceName, start = this.options.start !== false): Promise<ServiceStatus> {
    const status = await this.find(name, start)
    this.statuses.set(name, status)
    return status
  }

  private async find(name: ServiceName, start: boolean): Promise<ServiceStatus> {
    const spec = SERVICES[name]
    const env = this.options.env ?? process.env
    const t0 = performance.now()
    const ms = () => Math.round(performance.now() - t0)
    const tried: string[] = []
    // Where it was found before is where to look first (a container or embedded server
    // lives on its own port).
    const prev = this.statuses.get(name)
    if (prev?.state === 'ready') {
      try {
        await probe(name, prev.url)
        return { ...prev, probeMs: ms() }
      } catch (err) {
        tried.push(`${redact(prev.url)} stopped answering (${(err as Error).message.replace(/^.*?: /, '')})`)
      }
    }
    const explicit: [string | undefined, 'env' | 'config', string][] = [
      [env[spec.envVar], 'env', `$${spec.envVar}`],
      [this.options.config?.services?.[name], 'config', 'roadmap.config.yaml'],
    ]
    for (const [url, source, where] of explicit) {
      if (!url) continue
      try {
        await probe(name, url)
        return { name, state: 'ready', url, source, probeMs: ms() }
      } catch (err) {
        // An explicit URL that does not answer is a mistake to report, not a reason to guess.
        return { name, state: 'missing', tried: [`${where}=${redact(url)}: ${(err as Error).message}`], fix: `check ${where}, or unset it to use a local server`, probeMs: ms() }
      }
    }
    const localUrl = this.options.localUrls?.[name] ?? spec.localUrl
    if (this.containers.mode !== 'only') {
      try {
        await probe(name, localUrl)
        return { name, state: 'ready', url: localUrl, source: 'local', probeMs: ms() }
      } catch (err) {
        const { host } = new URL(localUrl)
        tried.push(`nothing answers on ${host} (${(err as Error).message.replace(/^.*?: /, '')})`)
      }
    }
    if (start && this.containers.mode !== 'off') {
      const engine = await this.dockerEngine()
      const image = this.containers.images[name]
      if (engine.ok) {
        try {
          const c = await startContainer(name, image)
          this.started.push(c)
          return { name, state: 'ready', url: c.url, source: 'container', probeMs: ms(), note: `started ${image} with Testcontainers` }
        } catch (err) {
          tried.push(containerFailure(image, err))
        }
      } else tried.push(`Testcontainers: ${engine.reason}`)
      if (name === 'postgres' && (await embeddedPostgresAvailable())) {
        try {
          const pg = await startEmbeddedPostgres(join(this.options.root, '.roadmap'))
          this.started.push(pg)
          return { name, state: 'ready', url: pg.url, source: 'embedded', probeMs: ms(), note: 'embedded-postgres' }
        } catch (err) {
          tried.push(`embedded-postgres did not start: ${(err as Error).message.split('\n')[0]}`)
        }
      }
    }
    const engine = this.engine ? await this.engine : { ok: false }
    // An engine that could not start the container (no registry, no image) is no fix on its own.
    const dockerWorks = engine.ok && !tried.some((t) => t.startsWith('Docker answers but cannot pull'))
    const fix = dockerWorks ? spec.fix.docker : `${spec.fix.docker} (${engine.ok ? 'needs the image' : 'needs Docker'}), or: ${spec.fix.native}`
    return { name, state: 'missing', tried, fix, probeMs: ms() }
  }

  async close() {
    this.liveness.close()
    const started = this.started
    this.started = []
    await Promise.allSettled(started.map((s) => s.stop()))
  }
}
