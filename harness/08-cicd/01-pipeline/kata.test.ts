import { describe, expect, it } from 'vitest'
import { dir } from '@kata/cicd/pipeline/index.ts'
import {
  actionlint,
  allNeeds,
  commands,
  githubContext,
  isDict,
  isNpmCi,
  jobsRunning,
  npmScript,
  optionValue,
  readKataFile,
  readWorkflow,
  renderTemplate,
  simulate,
  stepsRunning,
  usesAction,
  workflowSchemaErrors,
  type Dict,
  type Job,
  type Workflow,
} from '#support/cicd'

const FILE = '.github/workflows/ci.yml'
const source = () => readKataFile(dir, FILE)
const scripts = () => (JSON.parse(readKataFile(dir, 'package.json')) as { scripts: Record<string, string> }).scripts

/** The workflow (read afresh for every test), or a failed expectation saying why not. */
function workflow(): Workflow {
  const wf = readWorkflow(source())
  expect(wf !== undefined && wf.jobs.size > 0, `${FILE} defines jobs: (it is empty so far)`).toBe(true)
  return wf!
}

/** The one job that runs an npm script, or a failed expectation naming the script. */
function jobRunning(wf: Workflow, script: string): Job {
  const jobs = jobsRunning(wf, script)
  expect(jobs.map((j) => j.id), `jobs that run \`npm run ${script}\``).not.toEqual([])
  return jobs[0]!
}

const pushMain = { name: 'push', ref: 'refs/heads/main' } as const
const pullRequest = { name: 'pull_request', ref: 'refs/heads/main', headRef: 'feature/orders', pr: 7 } as const

const SERVICES = {
  postgres: { port: 5432, image: /(^|\/)postgres(:|@|$)/, probe: /\bpg_isready\b/, example: '--health-cmd "pg_isready -U app -d app_test"' },
  redis: { port: 6379, image: /(^|\/)redis(:|@|$)/, probe: /\bredis-cli\b.*\bping\b/, example: '--health-cmd "redis-cli ping"' },
  rabbitmq: { port: 5672, image: /(^|\/)rabbitmq(:|@|$)/, probe: /\brabbitmq-diagnostics\b.*\b(ping|check_running|check_port_connectivity|status)\b/, example: '--health-cmd "rabbitmq-diagnostics -q ping"' },
} as const
type ServiceName = keyof typeof SERVICES

/** The job's service containers, keyed by what they run (found by image, whatever their label). */
function serviceContainers(job: Job): Map<ServiceName, { label: string; def: Dict }> {
  const found = new Map<ServiceName, { label: string; def: Dict }>()
  for (const [label, def] of Object.entries(isDict(job.raw.services) ? job.raw.services : {})) {
    if (!isDict(def) || typeof def.image !== 'string') continue
    for (const name of Object.keys(SERVICES) as ServiceName[]) if (SERVICES[name].image.test(def.image)) found.set(name, { label, def })
  }
  return found
}

describe(FILE, () => {
  it("is a valid workflow according to GitHub's workflow schema", () => {
    const errors = workflowSchemaErrors('ci.yml', source())
    expect(errors, "errors from GitHub's workflow parser").toEqual([])
    workflow()
  })

  it('passes actionlint', async () => {
    workflow()
    expect(await actionlint('ci.yml', source()), 'actionlint findings (line:column message [rule])').toEqual([])
  })

  it('runs on every push to main and on every pull request, with all its jobs', () => {
    const wf = workflow()
    for (const ev of [pushMain, pullRequest]) {
      const sim = simulate(wf, ev)
      const what = ev.name === 'push' ? 'a push to main' : 'a pull request into main'
      expect(sim.triggered, `does ${what} start the workflow? (on: ${JSON.stringify(Object.fromEntries(wf.on))})`).toBe(true)
      expect(sim.errors, `evaluating the jobs' if: conditions for ${what}`).toEqual([])
      for (const script of ['lint', 'typecheck', 'test:unit', 'test:integration']) {
        const jobs = jobsRunning(wf, script).map((j) => j.id)
        expect(jobs.some((j) => sim.ran.includes(j)), `on ${what}, does a job that runs \`npm run ${script}\` run? (jobs that ran: ${sim.ran.join(', ') || 'none'})`).toBe(true)
      }
    }
  })

  it('lints and type-checks with the scripts of package.json', () => {
    const wf = workflow()
    const known = scripts()
    for (const job of wf.jobs.values()) {
      for (const step of job.steps) {
        for (const c of commands(step.run)) {
          const script = npmScript(c)
          if (script) expect(Object.keys(known), `jobs.${job.id}: \`${c}\` runs a script that package.json does not have`).toContain(script)
        }
      }
    }
    jobRunning(wf, 'lint')
    jobRunning(wf, 'typecheck')
  })

  it('runs the unit tests', () => {
    jobRunning(workflow(), 'test:unit')
  })

  it('prepares every job the same way: checkout, setup-node with Node 22+, npm ci, then the scripts', () => {
    const wf = workflow()
    const minMajor = Number(/\d+/.exec((JSON.parse(readKataFile(dir, 'package.json')) as { engines?: { node?: string } }).engines?.node ?? '22')?.[0] ?? 22)
    const jobs = [...wf.jobs.values()].filter((j) => j.steps.some((s) => commands(s.run).some((c) => npmScript(c) !== undefined)))
    expect(jobs.length, 'jobs that run npm scripts').toBeGreaterThan(0)
    for (const job of jobs) {
      const at = (pred: (i: number) => boolean) => job.steps.findIndex((_, i) => pred(i))
      const checkout = at((i) => usesAction(job.steps[i]!, 'actions/checkout'))
      const setup = at((i) => usesAction(job.steps[i]!, 'actions/setup-node'))
      const ci = at((i) => commands(job.steps[i]!.run).some(isNpmCi))
      const firstScript = at((i) => commands(job.steps[i]!.run).some((c) => npmScript(c) !== undefined))
      expect(checkout, `jobs.${job.id}: no actions/checkout step, so the runner has no code`).toBeGreaterThanOrEqual(0)
      expect(setup, `jobs.${job.id}: no actions/setup-node step, so it runs whatever Node the runner has`).toBeGreaterThanOrEqual(0)
      expect(ci, `jobs.${job.id}: install with \`npm ci\` (exactly the lockfile), not npm install`).toBeGreaterThanOrEqual(0)
      expect(checkout < setup && setup < ci && ci < firstScript, `jobs.${job.id}: the order must be checkout (step ${checkout + 1}), setup-node (step ${setup + 1}), npm ci (step ${ci + 1}), then the scripts (step ${firstScript + 1})`).toBe(true)
      const w = job.steps[setup]!.with
      const version = w['node-version'] ?? (w['node-version-file'] !== undefined ? 'file' : undefined)
      expect(version, `jobs.${job.id}: actions/setup-node needs with: node-version (the project wants Node ${minMajor}+)`).toBeDefined()
      if (version !== 'file') {
        let versions = [String(version)]
        const matrixKey = /^\$\{\{\s*matrix\.([\w-]+)\s*\}\}$/.exec(versions[0]!)?.[1]
        const matrix = isDict(job.raw.strategy) && isDict(job.raw.strategy.matrix) ? job.raw.strategy.matrix : {}
        if (matrixKey && Array.isArray(matrix[matrixKey])) versions = (matrix[matrixKey] as unknown[]).map(String)
        for (const v of versions) {
          const major = Number(/^v?(\d+)/.exec(v)?.[1])
          if (!Number.isNaN(major)) expect(major, `jobs.${job.id}: node-version ${v}, but package.json engines asks for Node ${minMajor}+`).toBeGreaterThanOrEqual(minMajor)
        }
      }
    }
  })

  it('runs the integration tests against postgres, redis and rabbitmq service containers that report healthy', () => {
    const wf = workflow()
    const job = jobRunning(wf, 'test:integration')
    const found = serviceContainers(job)
    for (const name of Object.keys(SERVICES) as ServiceName[]) {
      const svc = found.get(name)
      expect(svc, `jobs.${job.id}.services: a ${name} service container (e.g. image: ${name === 'postgres' ? 'postgres:17-alpine' : name === 'redis' ? 'redis:7-alpine' : 'rabbitmq:4-alpine'})`).toBeDefined()
      const { label, def } = svc!
      const image = String(def.image)
      const tag = /:([^/:@]+)$/.exec(image)?.[1]
      expect(tag !== undefined && tag !== 'latest', `jobs.${job.id}.services.${label}.image is ${image}: pin a version`).toBe(true)
      const options = typeof def.options === 'string' ? def.options : ''
      const cmd = optionValue(options, '--health-cmd')
      expect(cmd, `jobs.${job.id}.services.${label}.options: without ${SERVICES[name].example} the job starts before ${name} is ready`).toBeDefined()
      expect(SERVICES[name].probe.test(cmd!), `jobs.${job.id}.services.${label}: --health-cmd "${cmd}" should ask ${name} itself (${SERVICES[name].example})`).toBe(true)
      for (const f of ['--health-interval', '--health-retries']) {
        expect(optionValue(options, f), `jobs.${job.id}.services.${label}.options: set ${f}; the defaults (30s, 3 retries) make the job slow or flaky`).toBeDefined()
      }
      if (name === 'postgres') {
        const env = isDict(def.env) ? def.env : {}
        expect(env.POSTGRES_PASSWORD !== undefined || env.POSTGRES_HOST_AUTH_METHOD === 'trust', `jobs.${job.id}.services.${label}.env: the postgres image refuses to start without POSTGRES_PASSWORD`).toBe(true)
      }
    }
  })

  it('gives the integration tests URLs that reach those containers, with their credentials', () => {
    const wf = workflow()
    const job = jobRunning(wf, 'test:integration')
    const step = stepsRunning(job, 'test:integration')[0]!
    const env = { ...wf.env, ...job.env, ...step.env }
    const inContainer = job.raw.container !== undefined
    const found = serviceContainers(job)
    const urls: Record<ServiceName, string> = { postgres: 'DATABASE_URL', redis: 'REDIS_URL', rabbitmq: 'AMQP_URL' }
    for (const name of Object.keys(SERVICES) as ServiceName[]) {
      const svc = found.get(name)
      expect(svc, `a ${name} service container in jobs.${job.id}`).toBeDefined()
      const variable = urls[name]
      const raw = env[variable]
      expect(raw, `${variable} for the step that runs npm run test:integration (env: of the step, the job or the workflow)`).toBeDefined()
      // ${{ job.services.<label>.ports[N] }} is the host port Docker picked for container port N.
      const dynamic = new RegExp(`\\$\\{\\{\\s*job\\.services\\.${svc!.label}\\.ports\\[['"]?(\\d+)['"]?\\]\\s*\\}\\}`)
      const dynamicPort = dynamic.exec(raw!)?.[1]
      const text = raw!.replace(dynamic, String(dynamicPort ?? '')).replace(/\$\{\{[\s\S]*?\}\}/g, 'x')
      let url: URL
      try {
        url = new URL(text)
      } catch {
        expect.fail(`${variable} is "${raw}", which is not a URL like scheme://user:password@host:port`)
      }
      const containerPort = SERVICES[name].port
      const port = Number(url.port || containerPort)
      if (inContainer) {
        expect(url.hostname, `${variable}: the job runs in a container, so it reaches the service by its label`).toBe(svc!.label)
        expect(port, `${variable}: inside the job's network use the container port`).toBe(containerPort)
      } else {
        expect(['localhost', '127.0.0.1'], `${variable} points at ${url.hostname}: the job runs on the runner, where service containers are on localhost`).toContain(url.hostname)
        const published = (Array.isArray(svc!.def.ports) ? svc!.def.ports : []).map(String).map((p) => p.split(':')).filter((p) => Number(p.at(-1)) === containerPort && p.length > 1).map((p) => Number(p.at(-2)))
        expect(dynamicPort !== undefined || published.includes(port), `${variable} uses port ${port}, but services.${svc!.label}.ports maps container port ${containerPort} to ${published.length ? published.join(', ') : 'nothing (add ports: ["' + containerPort + ':' + containerPort + '"])'}`).toBe(true)
      }
      const senv = isDict(svc!.def.env) ? svc!.def.env : {}
      if (name === 'postgres') {
        const user = String(senv.POSTGRES_USER ?? 'postgres')
        expect(decodeURIComponent(url.username), `${variable} user vs the postgres container's POSTGRES_USER`).toBe(user)
        if (senv.POSTGRES_HOST_AUTH_METHOD !== 'trust') expect(decodeURIComponent(url.password), `${variable} password vs POSTGRES_PASSWORD`).toBe(String(senv.POSTGRES_PASSWORD ?? ''))
        expect(url.pathname.slice(1), `${variable} database vs POSTGRES_DB`).toBe(String(senv.POSTGRES_DB ?? user))
      }
      if (name === 'rabbitmq') {
        expect(decodeURIComponent(url.username), `${variable} user vs the rabbitmq container's RABBITMQ_DEFAULT_USER`).toBe(String(senv.RABBITMQ_DEFAULT_USER ?? 'guest'))
        expect(decodeURIComponent(url.password), `${variable} password vs RABBITMQ_DEFAULT_PASS`).toBe(String(senv.RABBITMQ_DEFAULT_PASS ?? 'guest'))
      }
    }
  })

  it('runs the integration tests only after lint, typecheck and the unit tests passed', () => {
    const wf = workflow()
    const job = jobRunning(wf, 'test:integration')
    const before = allNeeds(wf, job.id)
    const integrationStep = stepsRunning(job, 'test:integration')[0]!.index
    for (const script of ['lint', 'typecheck', 'test:unit']) {
      const earlierInSameJob = stepsRunning(job, script).some((s) => s.index < integrationStep)
      const inNeededJob = jobsRunning(wf, script).some((j) => before.has(j.id))
      expect(earlierInSameJob || inNeededJob, `jobs.${job.id} should wait for \`npm run ${script}\`: add its job to needs: (needs now: ${[...before].join(', ') || 'nothing'})`).toBe(true)
    }
  })

  it('cancels a running pipeline when the same branch or PR gets a new push', () => {
    const wf = workflow()
    const concurrency = wf.raw.concurrency
    expect(concurrency, 'a workflow-level concurrency: block').toBeDefined()
    const group = typeof concurrency === 'string' ? concurrency : isDict(concurrency) ? String(concurrency.group ?? '') : ''
    const cancel = isDict(concurrency) ? concurrency['cancel-in-progress'] : undefined
    const cancelsPr = cancel === true || (typeof cancel === 'string' && renderTemplate(cancel, { github: githubContext(wf, pullRequest) }) === 'true')
    expect(cancelsPr, `concurrency.cancel-in-progress is ${JSON.stringify(cancel)}: set it to true (at least for pull requests), or superseded runs keep going`).toBe(true)
    const groupFor = (ev: Parameters<typeof githubContext>[1]) => renderTemplate(group, { github: githubContext(wf, ev) })
    const main = groupFor(pushMain)
    expect(groupFor({ name: 'push', ref: 'refs/heads/main', sha: 'ffff' }), 'concurrency group: two pushes to main share it').toBe(main)
    expect(groupFor({ name: 'push', ref: 'refs/heads/feature/other' }), `concurrency group "${group}": a push to another branch must not cancel main's run`).not.toBe(main)
    expect(groupFor({ ...pullRequest, pr: 8, headRef: 'feature/b' }), `concurrency group "${group}": two different pull requests must not cancel each other`).not.toBe(groupFor(pullRequest))
  })

  it('keeps the GITHUB_TOKEN read-only', () => {
    const wf = workflow()
    expect(wf.raw.permissions, 'a top-level permissions: block (e.g. contents: read); without it the token gets the repository default, often write').toBeDefined()
    const blocks: [string, unknown][] = [['permissions', wf.raw.permissions], ...[...wf.jobs.values()].map((j): [string, unknown] => [`jobs.${j.id}.permissions`, j.raw.permissions])]
    for (const [where, p] of blocks) {
      if (p === undefined) continue
      const writes = typeof p === 'string' ? (p === 'write-all' ? ['write-all'] : []) : isDict(p) ? Object.entries(p).filter(([, v]) => v === 'write').map(([k]) => k) : []
      expect(writes, `${where}: a pipeline that only checks code needs no write access`).toEqual([])
    }
  })
})
