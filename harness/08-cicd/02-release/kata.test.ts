import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { dir } from '@kata/cicd/release/index.ts'
import {
  actionlint,
  allNeeds,
  commands,
  evaluate,
  expressionsIn,
  githubContext,
  isDict,
  readKataFile,
  readWorkflow,
  renderTemplate,
  shellWords,
  simulate,
  unwrapExpression,
  usesAction,
  workflowSchemaErrors,
  type GitEvent,
  type Job,
  type Step,
  type Workflow,
} from '#support/cicd'

const FILE = '.github/workflows/release.yml'
const ENVIRONMENTS = ['dev', 'test', 'stage', 'prod'] as const
const source = () => readKataFile(dir, FILE)

function workflow(): Workflow {
  const wf = readWorkflow(source())
  expect(wf !== undefined && wf.jobs.size > 0, `${FILE} defines jobs: (it is empty so far)`).toBe(true)
  return wf!
}

const pushMain: GitEvent = { name: 'push', ref: 'refs/heads/main' }
const pushTag: GitEvent = { name: 'push', ref: 'refs/tags/v1.4.0' }
const pushFeature: GitEvent = { name: 'push', ref: 'refs/heads/feature/orders' }
const pullRequest: GitEvent = { name: 'pull_request', ref: 'refs/heads/main', headRef: 'feature/orders', pr: 7 }

/** `push:` of docker/build-push-action: true, or an expression (a push that depends on the event). */
const pushInput = (s: Step) => s.with.push === true || s.with.push === 'true' || (typeof s.with.push === 'string' && s.with.push.includes('${{'))

/** A step that pushes an image: docker/build-push-action with push: true, or `docker push`. */
const pushesImage = (s: Step) =>
  (usesAction(s, 'docker/build-push-action') && pushInput(s)) || commands(s.run).some((c) => /^docker\s+(image\s+)?push\b|^docker\s+buildx\s+build\b.*--push\b/.test(c))

/** Would this step push for this event? Its `if:` and an expression in `push:` are evaluated. */
function pushesOn(s: Step, github: Record<string, unknown>): boolean {
  if (!pushesImage(s)) return false
  const ctx = { github, env: {}, vars: {}, inputs: {}, needs: {}, steps: {}, secrets: {} }
  const cond = s.if === undefined || s.if === null ? true : evaluate(typeof s.if === 'boolean' ? String(s.if) : unwrapExpression(String(s.if)), ctx, { success: true })
  if (!cond) return false
  if (usesAction(s, 'docker/build-push-action') && typeof s.with.push === 'string' && s.with.push.includes('${{')) {
    return renderTemplate(s.with.push, ctx) === 'true'
  }
  return true
}

const pushJobs = (wf: Workflow) => [...wf.jobs.values()].filter((j) => j.steps.some(pushesImage))

/** The job that pushes the image, or a failed expectation. */
function pushJob(wf: Workflow): Job {
  const jobs = pushJobs(wf)
  expect(jobs.map((j) => j.id), 'jobs that push the image (docker/build-push-action with push: true, or docker push)').toHaveLength(1)
  return jobs[0]!
}

/** The deploy job of one environment, or a failed expectation. */
function deployJob(wf: Workflow, env: string): Job {
  const jobs = [...wf.jobs.values()].filter((j) => j.environment === env)
  const all = [...wf.jobs.values()].map((j) => j.environment).filter((e) => e !== undefined)
  expect(jobs.map((j) => j.id), `jobs with environment: ${env} (environments in the workflow: ${all.join(', ') || 'none'})`).toHaveLength(1)
  return jobs[0]!
}

/** `./deploy.sh <env> <image>` in a job: the step and its two arguments. */
function deployCall(job: Job): { step: Step; env: string; image: string } | undefined {
  for (const step of job.steps) {
    for (const c of commands(step.run)) {
      // ${{ … }} may hold spaces: keep each expression one word while splitting.
      const exprs: string[] = []
      const protectedCmd = c.replace(/\$\{\{[\s\S]*?\}\}/g, (m) => `\u0000${exprs.push(m) - 1}\u0000`)
      const words = shellWords(protectedCmd).map((w) => w.replace(/\u0000(\d+)\u0000/g, (_m, i: string) => exprs[Number(i)]!))
      const at = words.findIndex((w) => /(^|\/)deploy\.sh$/.test(w))
      if (at >= 0) return { step, env: words[at + 1] ?? '', image: words[at + 2] ?? '' }
    }
  }
  return undefined
}

/** Replaces $VAR / ${VAR} by the step's, job's or workflow's env value (one level). */
function resolveShellVars(text: string, wf: Workflow, job: Job, step: Step): string {
  const env = { ...wf.env, ...job.env, ...step.env }
  return text.replace(/\$\{?(\w+)\}?/g, (m, name: string) => env[name] ?? m)
}

/** Jobs that deploy or push: what must never run for a pull request or a feature branch. */
const releasingJobs = (wf: Workflow) => [...wf.jobs.values()].filter((j) => j.environment !== undefined || j.steps.some(pushesImage)).map((j) => j.id)

describe(FILE, () => {
  it("is a valid workflow according to GitHub's workflow schema", () => {
    expect(workflowSchemaErrors('release.yml', source()), "errors from GitHub's workflow parser").toEqual([])
    workflow()
  })

  it('passes actionlint', async () => {
    workflow()
    expect(await actionlint('release.yml', source()), 'actionlint findings (line:column message [rule])').toEqual([])
  })

  it('starts for pushes to main and for version tags, and never releases a pull request or a feature branch', () => {
    const wf = workflow()
    expect(simulate(wf, pushMain).triggered, 'does a push to main start the release workflow?').toBe(true)
    expect(simulate(wf, pushTag).triggered, 'does pushing the tag v1.4.0 start the release workflow? (on.push.tags)').toBe(true)
    expect(releasingJobs(wf).length, 'jobs that push an image or deploy to an environment').toBeGreaterThan(0)
    for (const [what, ev] of [['a pull request', pullRequest], ['a push to feature/orders', pushFeature]] as const) {
      const sim = simulate(wf, ev)
      expect(sim.errors, `evaluating if: conditions for ${what}`).toEqual([])
      const github = githubContext(wf, ev)
      const releasing = sim.ran.filter((id) => {
        const job = wf.jobs.get(id)!
        return job.environment !== undefined || job.steps.some((s) => pushesOn(s, github))
      })
      expect(releasing, `jobs that push or deploy on ${what}: none should`).toEqual([])
    }
  })

  it('builds the image once and pushes it, tagged with the commit SHA, after logging in with a secret', () => {
    const wf = workflow()
    const job = pushJob(wf)
    expect(existsSync(join(dir, 'Dockerfile')), 'the Dockerfile the workflow builds is in the kata folder').toBe(true)
    const push = job.steps.find(pushesImage)!
    const tagText = usesAction(push, 'docker/build-push-action') ? String(push.with.tags ?? '') : (push.run ?? '')
    const metadata = job.steps.find((s) => usesAction(s, 'docker/metadata-action'))
    const shaTag = /github\.sha\b/.test(tagText) || (metadata !== undefined && /type=sha\b/.test(String(metadata.with.tags ?? '')) && tagText.includes(`steps.${metadata.id}.outputs.tags`))
    expect(shaTag, `jobs.${job.id}: tag the image with \${{ github.sha }} (tags: ${JSON.stringify(tagText)}), so every build has its own immutable name`).toBe(true)
    expect(/:latest\b/.test(tagText) && !/github\.sha\b/.test(tagText), `jobs.${job.id}: :latest alone is a moving tag; deploys could not say which build they run`).toBe(false)
    const login = job.steps.findIndex((s) => usesAction(s, 'docker/login-action') || commands(s.run).some((c) => /^docker\s+login\b/.test(c)))
    expect(login, `jobs.${job.id}: log in to the registry (docker/login-action) before pushing`).toBeGreaterThanOrEqual(0)
    expect(login, `jobs.${job.id}: the login step must come before the push`).toBeLessThan(push.index)
    const loginStep = job.steps[login]!
    const password = String(loginStep.with.password ?? loginStep.run ?? '')
    expect(/\$\{\{\s*(secrets\.\w+|github\.token)\s*\}\}/.test(password), `jobs.${job.id}: the registry password must come from \${{ secrets.… }} (or \${{ github.token }}), never be written in the file`).toBe(true)
    const usesGhcr = /ghcr\.io/.test(JSON.stringify(wf.raw))
    if (usesGhcr) {
      const perms = job.raw.permissions ?? wf.raw.permissions
      const packages = isDict(perms) ? perms.packages : perms === 'write-all' ? 'write' : undefined
      expect(packages, `jobs.${job.id} pushes to ghcr.io: it needs permissions: packages: write`).toBe('write')
    }
  })

  it('deploys with ./deploy.sh from one job per environment: dev, test, stage and prod', () => {
    const wf = workflow()
    for (const env of ENVIRONMENTS) {
      const job = deployJob(wf, env)
      const call = deployCall(job)
      expect(call, `jobs.${job.id} (environment ${env}): run ./deploy.sh ${env} <image>`).toBeDefined()
      const arg = resolveShellVars(call!.env, wf, job, call!.step)
      if (!arg.includes('${{')) expect(arg, `jobs.${job.id} is bound to environment ${env} but calls ./deploy.sh ${call!.env}`).toBe(env)
      const checkout = job.steps.findIndex((s) => usesAction(s, 'actions/checkout'))
      expect(checkout >= 0 && checkout < call!.step.index, `jobs.${job.id}: ./deploy.sh is in the repository; check it out (actions/checkout) before calling it`).toBe(true)
    }
  })

  it('promotes in order: build, then dev, then test, then stage, then prod', () => {
    const wf = workflow()
    const build = pushJob(wf)
    let previous = build
    for (const env of ENVIRONMENTS) {
      const job = deployJob(wf, env)
      const needs = allNeeds(wf, job.id)
      expect(needs.has(previous.id), `jobs.${job.id} must run after jobs.${previous.id} (needs: ${job.needs.join(', ') || 'nothing'})`).toBe(true)
      previous = job
    }
  })

  it('deploys exactly the image built in this run to every environment', () => {
    const wf = workflow()
    const build = pushJob(wf)
    const outputs = Object.keys(isDict(build.raw.outputs) ? build.raw.outputs : {})
    for (const env of ENVIRONMENTS) {
      const job = deployJob(wf, env)
      const call = deployCall(job)
      expect(call, `jobs.${job.id}: ./deploy.sh ${env} <image>`).toBeDefined()
      const image = resolveShellVars(call!.image, wf, job, call!.step)
      expect(image, `jobs.${job.id}: ./deploy.sh ${env} needs the image as its second argument`).not.toBe('')
      const refs = expressionsIn(image)
      const fromBuild = refs.some((e) => new RegExp(`^needs\\.${build.id}\\.outputs\\.([\\w-]+)$`).test(e) && outputs.includes(e.split('.').at(-1)!))
      const bySha = refs.some((e) => /\bgithub\.sha\b/.test(e))
      expect(fromBuild || bySha, `jobs.${job.id} deploys "${call!.image}"${image !== call!.image ? ` (= ${image})` : ''}: pass the image of this run, e.g. \${{ needs.${build.id}.outputs.image }} (declared in jobs.${build.id}.outputs) or a tag with \${{ github.sha }}`).toBe(true)
      expect(/:latest$/.test(image), `jobs.${job.id} deploys a :latest image`).toBe(false)
    }
  })

  it('runs dev, test and stage for every push to main, and prod only for a version tag', () => {
    const wf = workflow()
    const ids = Object.fromEntries(ENVIRONMENTS.map((e) => [e, deployJob(wf, e).id])) as Record<(typeof ENVIRONMENTS)[number], string>
    const build = pushJob(wf).id
    const main = simulate(wf, pushMain)
    expect(main.errors, 'evaluating if: conditions for a push to main').toEqual([])
    for (const id of [build, ids.dev, ids.test, ids.stage]) expect(main.ran, `a push to main runs jobs.${id}`).toContain(id)
    expect(main.ran, `a push to main must not deploy to prod (jobs.${ids.prod}): only version tags do`).not.toContain(ids.prod)
    const tag = simulate(wf, pushTag)
    expect(tag.errors, 'evaluating if: conditions for the tag v1.4.0').toEqual([])
    for (const id of [build, ids.dev, ids.test, ids.stage, ids.prod]) expect(tag.ran, `pushing the tag v1.4.0 runs jobs.${id}`).toContain(id)
  })

  it('never runs two deploys to the same environment at once, and never cancels a prod deploy halfway', () => {
    const wf = workflow()
    const groups = new Map<string, string>()
    for (const env of ENVIRONMENTS) {
      const job = deployJob(wf, env)
      const c = job.raw.concurrency
      expect(c, `jobs.${job.id}: a concurrency group, so two runs cannot deploy to ${env} at the same time`).toBeDefined()
      const group = renderTemplate(typeof c === 'string' ? c : isDict(c) ? String(c.group ?? '') : '', { github: githubContext(wf, pushMain) })
      expect(groups.get(group), `jobs.${job.id} shares the concurrency group "${group}" with another environment: give each environment its own`).toBeUndefined()
      groups.set(group, job.id)
      if (env === 'prod') {
        const cancel = isDict(c) ? c['cancel-in-progress'] : undefined
        expect(cancel === true, `jobs.${job.id}: cancel-in-progress would kill a production deploy halfway; let it finish (false)`).toBe(false)
      }
    }
  })

  it('gives the token only what each job needs', () => {
    const wf = workflow()
    expect(wf.raw.permissions, 'a top-level permissions: block (contents: read); jobs that need more ask for it').toBeDefined()
    const pushing = pushJobs(wf).map((j) => j.id)
    const blocks: [string, string | undefined, unknown][] = [['permissions', undefined, wf.raw.permissions], ...[...wf.jobs.values()].map((j): [string, string, unknown] => [`jobs.${j.id}.permissions`, j.id, j.raw.permissions])]
    for (const [where, job, p] of blocks) {
      if (p === undefined) continue
      expect(p, `${where}: write-all hands every permission to the job`).not.toBe('write-all')
      const writes = isDict(p) ? Object.entries(p).filter(([, v]) => v === 'write').map(([k]) => k) : []
      for (const w of writes) {
        // id-token: write is how a deploy job gets short-lived cloud credentials (OIDC).
        const ok = w === 'id-token' || (w === 'packages' && job !== undefined && pushing.includes(job))
        expect(ok, `${where}: ${w}: write is not needed here${w === 'packages' ? ' (only the job that pushes the image needs it)' : ''}`).toBe(true)
      }
    }
  })
})
