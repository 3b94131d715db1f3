import { createHash, randomBytes } from 'node:crypto'
import { relative } from 'node:path'
import { Writable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { createVitest, type Vitest } from 'vitest/node'
import type { Catalog, Kata } from '../catalog/types.ts'
import type { ServiceName } from '../catalog/schema.ts'
import { scoreOf, type KataResult, type Verdict } from '../results/model.ts'
import { kataAliasPlugin, nativeFixtures } from './alias-plugin.ts'
import { learnerCachePlugin } from './learner-cache-plugin.ts'
import { Collector, OUT_OF_MEMORY, type OutputCaps, type RunReport } from './collector.ts'
import { preloadModules } from './preload-modules.ts'
import type { ProvidedToSuites } from './provided.ts'
import type { Target } from './target.ts'
import { hardenedWarmForks, type WorkerPool, type WorkerPoolOptions } from './worker-pool.ts'
import { Watchdog } from './watchdog.ts'
import type { ServiceAccess } from '../services/access.ts'
import { DatabaseStock } from '../services/database-stock.ts'
import { RunCredentials, type RunGrant } from '../services/run-credentials.ts'
import { RunLeftovers } from '../services/run-leftovers.ts'


export interface RunnerOptions {
  catalog: Catalog
  services: ServiceAccess
  caps?: OutputCaps
  /** Heap cap of a worker in MB (default 512). */
  heapMb?: number
  /** Grading: workers run as an unprivileged user (a Principal: its own user and namespaces). */
  dropPrivileges?: WorkerPoolOptions['dropPrivileges']
  /**
   * Grading: each run gets service credentials of its own (a PostgreSQL role owning its
   * database, a Redis user on its key prefix, a RabbitMQ vhost), never the admin URLs.
   * Default: on when ROADMAP_LEAST_PRIVILEGE=1 (to verify the katas under grading's rules).
   */
  leastPrivilege?: boolean
  /** Watch: adopt the worker forked as the process started (see WorkerPoolOptions.firstWorker). */
  firstWorker?: boolean
  /** Runs come back to back (verify, grade): each run's successor worker boots while it runs (see WorkerPoolOptions.ahead). */
  backToBack?: boolean
}

const WORKER_SETUP = fileURLToPath(new URL('./worker-setup.ts', import.meta.url))

/**
 * One long-lived Vitest instance that runs one kata's suite at a time against one
 * target. Create it once per session; each run costs a worker, not a Vitest.
 * (One instance per target: Vite caches how `@kata/<id>` resolved, per instance.)
 */
export class SuiteRunner {
  private queue: Promise<unknown> = Promise.resolve()
  /** The end of the last run: its worker stopping, its leftovers cleaned. */
  private settling: Promise<unknown> = Promise.resolve()

  private readonly vitest: Vitest
  private readonly collector: Collector
  private readonly options: RunnerOptions
  readonly target: Target
  private readonly warm: WorkerPool
  private readonly onRun: (kata: Kata) => void
  private constructor(
    vitest: Vitest,
    collector: Collector,
    options: RunnerOptions,
    target: Target,
    warm: WorkerPool,
    onRun: (kata: Kata) => void,
  ) {
    this.vitest = vitest
    this.collector = collector
    this.options = options
    this.target = target
    this.warm = warm
    this.onRun = onRun
  }

  static async create(options: RunnerOptions, target: Target): Promise<SuiteRunner> {
    let onRun: (kata: Kata) => void = () => undefined
    const { catalog } = options
    const collector = new Collector(options.caps ?? { perTest: 8_000, perRun: 64_000 }, target.root)
    // The spare worker loads the clients and fixtures of the services the last kata used:
    // most saves rerun the kata the learner is on.
    let lastServices: ServiceName[] = []
    const native = nativeFixtures(catalog)
    const warm = hardenedWarmForks({
      heapMb: options.heapMb ?? 512,
      dropPrivileges: options.dropPrivileges,
      warmUp: () => ({
        modules: preloadModules(catalog, lastServices, native),
        // The suites of this runner get these URLs anyway ('roadmap:services' below).
        connect: leastPrivilege(options) ? {} : Object.fromEntries(lastServices.flatMap((s) => (options.services.urls[s] ? [[s, options.services.urls[s]]] : []))),
      }),
      ahead: options.backToBack ?? false,
      firstWorker: options.firstWorker,
    })
    onRun = (k) => (lastServices = k.services)
    const provide: ProvidedToSuites = {
      'roadmap:services': leastPrivilege(options) ? {} : options.services.urls,
      'roadmap:budgets': Object.fromEntries(catalog.katas.map((k) => [k.suiteFile, k.budgetMs])),
      'roadmap:run-tag': randomBytes(3).toString('hex'),
      'roadmap:database': '',
      'roadmap:after-run': ['redis', 'rabbitmq'],
    }
    const vitest = await createVitest(
      {
        root: catalog.root,
        config: false,
        watch: false,
        include: ['harness/**/kata.test.ts'],
        exclude: ['**/node_modules/**', '**/.git/**', 'harness/**/mutants/**', 'harness/**/alternatives/**'],
        pool: warm.pool,
        maxWorkers: 1,
        isolate: true,
        fileParallelism: false,
        reporters: [collector],
        setupFiles: [WORKER_SETUP],
        server: { deps: { external: native ? [native] : [] } },
        provide,
        passWithNoTests: true,
        // Vitest's record of results and dependencies between runs (roadmap keeps its own):
        // read and written after every run, before the verdict.
        cache: false,
        silent: false,
        printConsoleTrace: false,
        onConsoleLog: () => false,
        // The transform cache bakes in where @kata/<id> resolved: one cache per target
        // and catalog layout, none for throwaway submission folders.
        fsModuleCache: target.kind !== 'submission' && target.kind !== 'overlay',
        fsModuleCachePath: `${catalog.root}/node_modules/.vitest-cache/${target.kind}-${layoutHash(catalog)}`,
      },
      {
        plugins: [kataAliasPlugin(catalog, target), learnerCachePlugin(target)],
        server: { watch: null },
        logLevel: 'silent',
        clearScreen: false,
        cacheDir: `${catalog.root}/node_modules/.roadmap-vite`,
      },
      // Vitest's own printing and the workers' raw output go to the collector, never
      // to the terminal the learner is looking at.
      { stdout: sink((t) => collector.workerStream(t, 'stdout')), stderr: sink((t) => collector.workerStream(t, 'stderr')) },
    )
    await vitest.standalone()
    if (process.env.ROADMAP_TRACE === '1') process.stderr.write(`[trace] runner started for ${target.kind}\n`)
    return new SuiteRunner(vitest, collector, options, target, warm, onRun)
  }

  /** Redis keys and RabbitMQ names of the last run, removed after its verdict. */
  private readonly leftovers = new RunLeftovers()

  private stock: DatabaseStock | undefined
  private stockUrl: string | undefined

  /** The stock of ready databases on the current PostgreSQL (made on first use). */
  private databases(): DatabaseStock | undefined {
    const url = this.options.services.urls.postgres
    if (url !== this.stockUrl) {
      void this.stock?.close()
      this.stock = url ? new DatabaseStock(url) : undefined
      this.stockUrl = url
    }
    return this.stock
  }

  private grants: RunCredentials | undefined

  /** Per-run credentials on the current services (made on first use, with least privilege only). */
  private credentials(): RunCredentials | undefined {
    if (!leastPrivilege(this.options)) return undefined
    this.grants ??= new RunCredentials({ ...this.options.services.urls })
    return this.grants
  }

  /** Hands suites new service URLs (a service came back, or moved). */
  updateServices(urls: ProvidedToSuites['roadmap:services']) {
    this.options.services.urls = urls
    if (leastPrivilege(this.options)) {
      void this.grants?.close()
      this.grants = undefined
    } else this.vitest.getRootProject().provide('roadmap:services', urls)
  }

  /**
   * The next submission was copied into this runner's folder (grade --many): every module
   * loaded from the folder is forgotten and the RabbitMQ vhost replaced, so nothing of the
   * last submission reaches the next one. Call between runs.
   */
  nextSubmission() {
    for (const project of this.vitest.projects) {
      for (const environment of Object.values(project.vite.environments)) {
        for (const file of [...environment.moduleGraph.fileToModulesMap.keys()]) if (!relative(this.target.root, file).startsWith('..')) this.vitest.invalidateFile(file)
      }
    }
    this.grants?.renewVhost()
  }

  /** Marks a changed file so the next run sees its new content. */
  invalidate(file: string) {
    this.vitest.invalidateFile(file)
  }

  /**
   * Runs one kata's suite. Runs are queued: one at a time. `changed` lists files whose
   * content changed since this instance last saw them (an overlay laid down anew).
   * `only` runs just the tests of these full names (verify's repeats); the rest are skipped.
   * `goProgram`: the learner's Go program the suite starts instead of importing TypeScript (wire katas).
   */
  run(kata: Kata, changed: string[] = [], only?: string[], goProgram?: string): Promise<KataResult> {
    const next = this.queue
      .then(() => this.settling)
      .then(() => {
        for (const f of changed) this.vitest.invalidateFile(f)
        return this.runNow(kata, this.target, only, goProgram)
      })
    this.queue = next.catch(() => undefined)
    return next
  }

  private async runNow(kata: Kata, target: Target, only?: string[], goProgram?: string): Promise<KataResult> {
    const started = performance.now()
    this.collector.mark('start', kata.id)
    const missing = kata.services.map((s) => this.options.services.problem(s)).filter((p): p is string => !!p)
    if (missing.length) return this.result(kata, target, 'unavailable', undefined, started, missing.join('\n'))

    this.onRun(kata)
    const credentials = this.credentials()
    let grant: (RunGrant & { release(): void }) | undefined
    try {
      grant = await credentials?.forRun(kata.services, kata.suiteFile)
    } catch (err) {
      return this.result(kata, target, 'unavailable', undefined, started, (err as Error).message)
    }
    const stock = kata.services.includes('postgres') && !credentials ? this.databases() : undefined
    await stock?.settled()
    await this.leftovers.settled()
    const database = grant ? grant.database : stock?.take()
    this.vitest.getRootProject().provide('roadmap:database', database ?? '')
    this.vitest.getRootProject().provide('roadmap:go-program', goProgram ?? '')
    if (grant) {
      this.vitest.getRootProject().provide('roadmap:services', grant.urls)
      this.vitest.getRootProject().provide('roadmap:run-tag', grant.tag)
    }
    // A new specification each run: a cached one may carry the test names of an earlier `only` run.
    const specifications = [this.vitest.getRootProject().createSpecification(kata.suiteFile, only ? { testNames: only } : undefined)]
    const watchdog = new Watchdog(this.vitest)
    this.collector.mark('submit')
    const report = this.collector.nextRun()
    watchdog.arm(kata.budgetMs, () => this.warm.running())
    const running = this.vitest.runTestSpecifications(specifications).finally(() => {
      watchdog.disarm()
      stock?.afterRun(database)
      grant?.release()
    })
    // The verdict is known once the reporter has it; stopping the worker and cleaning
    // up after it go on while the learner reads (the next run waits for them).
    this.settling = running.catch(() => undefined)
    const r = await Promise.race([report, running.then(() => report)]).finally(() => setImmediate(() => this.warm.verdictOut()))
    // What the fixtures left goes after the verdict (grading's per-run Redis user takes its keys along).
    const left = { redisTag: grant ? undefined : this.vitest.getRootProject().getProvidedContext()['roadmap:run-tag'], rabbitUrl: grant ? grant.urls.rabbitmq : this.options.services.urls.rabbitmq, queues: r.queues, exchanges: r.exchanges }
    const redisUrl = kata.services.includes('redis') && !grant ? this.options.services.urls.redis : undefined
    this.settling = running.catch(() => undefined).then(() => this.leftovers.afterRun(left, redisUrl))
    // Memory that ran out, or was nearly out when the budget did (a busy machine slows the
    // growth), is the verdict a leak deserves, not "timeout".
    const heapMb = this.options.heapMb ?? 512
    if (watchdog.fired && (r.loadFailure?.kind === 'oom' || (watchdog.memoryMbAtFire ?? 0) >= heapMb * 0.8)) {
      return this.result(kata, target, 'oom', r, started, OUT_OF_MEMORY)
    }
    if (watchdog.fired) {
      return this.result(kata, target, 'timeout', r, started, `the run took longer than its budget of ${(kata.budgetMs / 1000).toFixed(1)} s and was stopped: look for an endless loop or a promise that never settles`)
    }
    let verdict = verdictOf(r)
    // "A service is missing" voids a grade: believed only for a kata that uses services,
    // and (when the services can be probed again) only when one really is down; code
    // under test can throw an error with that name.
    if (verdict === 'unavailable' && (!kata.services.length || this.options.services.recheck)) {
      const gone = kata.services.length ? await this.options.services.recheck?.(kata.services) : undefined
      if (gone) return this.result(kata, target, 'unavailable', r, started, gone)
      verdict = r.tests.some((t) => t.status === 'pass') ? 'fail' : 'error'
      return this.result(kata, target, verdict, r, started, `the run reported a missing service, but ${kata.services.length ? 'every service this kata uses answers' : 'this kata uses no service'}: ${r.loadFailure?.message ?? ''}`)
    }
    // A failure while a service was down is the harness's condition, not the learner's.
    if (verdict !== 'pass' && verdict !== 'unavailable' && kata.services.length && this.options.services.recheck) {
      const gone = await this.options.services.recheck(kata.services)
      if (gone) return this.result(kata, target, 'unavailable', r, started, gone)
    }
    return this.result(kata, target, verdict, r, started, r.loadFailure?.message)
  }

  private result(kata: Kata, target: Target, verdict: Verdict, r: RunReport | undefined, started: number, message?: string): KataResult {
    const tests = r?.tests ?? []
    return {
      id: kata.id,
      target: target.kind,
      verdict,
      tests,
      message,
      output: r?.output,
      durationMs: Math.round(performance.now() - started),
      points: kata.points,
      score: scoreOf(verdict, tests, kata.points, kata.partialCredit),
      finishedAt: new Date().toISOString(),
    }
  }

  /** How many runs started on a pre-started worker. */
  get warmStarts() {
    return this.warm.warmStarts
  }

  async close() {
    await this.queue
    await this.settling
    await this.vitest.close()
    this.warm.dispose()
    await this.stock?.close()
    await this.grants?.close()
    await this.leftovers.close()
  }
}

const leastPrivilege = (o: RunnerOptions) => o.leastPrivilege ?? process.env.ROADMAP_LEAST_PRIVILEGE === '1'

function verdictOf(r: RunReport): Verdict {
  if (r.loadFailure?.kind === 'service') return 'unavailable'
  if (r.loadFailure?.kind === 'oom') return 'oom'
  if (r.loadFailure?.kind === 'tamper') return 'error'
  if (r.tests.some((t) => t.status === 'fail' && /Test timed out in \d+ms|Hook timed out/.test(t.message ?? ''))) return 'timeout'
  if (r.loadFailure) return r.tests.some((t) => t.status === 'pass') ? 'fail' : 'error'
  if (r.tests.length === 0) return 'error'
  return r.tests.every((t) => t.status === 'pass') ? 'pass' : 'fail'
}

const layoutHash = (catalog: Catalog) =>
  createHash('sha1')
    .update(catalog.katas.map((k) => `${k.id}=${k.dir}/${k.files[0]}`).join('\n'))
    .digest('hex')
    .slice(0, 10)

const sink = (onText: (text: string) => void) =>
  new Writable({
    write(chunk, _enc, done) {
      onText(String(chunk))
      done()
    },
  })
