// Helpers for the devops chapter's suites: a systemd unit file reader (no npm package
// parses units, so this is the small INI dialect systemd documents), systemd-analyze where
// the machine has it, a runner for the learner's Bash scripts, and Kubernetes manifests
// validated with the OpenAPI schemas that kubernetes-models ships.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseAllDocuments, LineCounter } from 'yaml'
import { Deployment } from 'kubernetes-models/apps/v1/Deployment'
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler'
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress'
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget'
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap'
import { Secret } from 'kubernetes-models/v1/Secret'
import { Service } from 'kubernetes-models/v1/Service'

/** The text of one of the learner's files, or an error that says which file is missing. */
export function readKataFile(dir: string, name: string): string {
  const file = join(dir, name)
  if (!existsSync(file)) throw new Error(`${name} is missing from the kata folder (${dir})`)
  return readFileSync(file, 'utf8')
}

export type Dict = Record<string, unknown>
export const isDict = (v: unknown): v is Dict => !!v && typeof v === 'object' && !Array.isArray(v)

// ------------------------------------------------------------------ systemd units

export interface UnitFile {
  /** section → key → values (a key may repeat; an empty assignment resets the list) */
  sections: Map<string, Map<string, string[]>>
  errors: string[]
}

/** Parses a unit file the way systemd.syntax(7) describes it. */
export function parseUnit(text: string): UnitFile {
  const sections = new Map<string, Map<string, string[]>>()
  const errors: string[] = []
  let current: Map<string, string[]> | undefined
  const lines = text.split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1
    let line = lines[i]!.trim()
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue
    // A trailing backslash continues the value on the next line (joined with a space).
    while (line.endsWith('\\') && i + 1 < lines.length) line = `${line.slice(0, -1)} ${lines[++i]!.trim()}`
    const header = /^\[([^\]]+)\]$/.exec(line)
    if (header) {
      const name = header[1]!
      if (!['Unit', 'Service', 'Install'].includes(name) && !name.startsWith('X-')) errors.push(`line ${lineNo}: unknown section [${name}] (a service unit has [Unit], [Service] and [Install])`)
      current = sections.get(name) ?? new Map()
      sections.set(name, current)
      continue
    }
    const kv = /^([A-Za-z0-9_-]+)\s*=\s*(.*)$/.exec(line)
    if (!kv) {
      errors.push(`line ${lineNo}: "${line}" is not a Key=Value line`)
      continue
    }
    if (!current) {
      errors.push(`line ${lineNo}: ${kv[1]}= comes before any [Section] header`)
      continue
    }
    const [, key, value] = kv as unknown as [string, string, string]
    if (value === '') current.set(key, [])
    else current.set(key, [...(current.get(key) ?? []), value])
  }
  return { sections, errors }
}

/** All values of a key in a section (empty when unset). */
export const unitValues = (unit: UnitFile, section: string, key: string) => unit.sections.get(section)?.get(key) ?? []
/** The effective (last) value of a key. */
export const unitValue = (unit: UnitFile, section: string, key: string) => unitValues(unit, section, key).at(-1)
/** Space-separated list settings (After=, Wants=, WantedBy=) as one list. */
export const unitList = (unit: UnitFile, section: string, key: string) => unitValues(unit, section, key).flatMap((v) => v.split(/\s+/)).filter(Boolean)

/** systemd booleans: 1/yes/y/true/t/on. */
export const unitBoolean = (v: string | undefined) => v !== undefined && /^(1|yes|y|true|t|on)$/i.test(v)

/** A systemd time span ("5", "5s", "500ms", "1min 30s") in seconds, or NaN. */
export function timeSpanSeconds(v: string | undefined): number {
  if (v === undefined || v.trim() === '') return Number.NaN
  const units: Record<string, number> = { us: 1e-6, usec: 1e-6, ms: 1e-3, msec: 1e-3, s: 1, sec: 1, second: 1, seconds: 1, m: 60, min: 60, minute: 60, minutes: 60, h: 3600, hr: 3600, hour: 3600, hours: 3600, d: 86400, day: 86400, days: 86400 }
  let total = 0
  let rest = v.trim()
  while (rest) {
    const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)\s*/i.exec(rest)
    if (!m) return Number.NaN
    const unit = m[2]!.toLowerCase()
    if (unit && units[unit] === undefined) return Number.NaN
    total += Number(m[1]) * (unit ? units[unit]! : 1)
    rest = rest.slice(m[0].length)
  }
  return total
}

/** Environment= assignments, honouring systemd's quoting: Environment="A=b c" D=e. */
export function environmentAssignments(values: string[]): Map<string, string> {
  const out = new Map<string, string>()
  for (const v of values) {
    for (const m of v.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g)) {
      const word = m[1] ?? m[2] ?? m[3]!
      const eq = word.indexOf('=')
      if (eq > 0) out.set(word.slice(0, eq), word.slice(eq + 1))
    }
  }
  return out
}

/** ExecStart= as argv, without systemd's prefixes (-, @, :, +, !). */
export function execArgv(value: string): string[] {
  const stripped = value.trim().replace(/^[-@:+!]+/, '')
  return [...stripped.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!)
}

/** Is systemd's own checker on this machine? */
export function hasSystemdAnalyze(): boolean {
  const probe = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8', timeout: 5000 })
  return !probe.error && probe.status === 0
}

export type AnalyzeResult = { available: false; reason: string } | { available: true; problems: string[] }

/**
 * `systemd-analyze verify` where the machine has systemd: systemd's own parser reports
 * unknown keys and values it cannot parse. Findings about this machine (a missing binary,
 * user or file) are dropped: the unit is meant for the server, not for this computer.
 */
export function systemdAnalyze(text: string, unitName: string): AnalyzeResult {
  if (!hasSystemdAnalyze()) return { available: false, reason: 'systemd-analyze is not installed here' }
  const dir = mkdtempSync(join(tmpdir(), 'roadmap-unit-'))
  const file = join(dir, unitName)
  writeFileSync(file, text)
  const r = spawnSync('systemd-analyze', ['verify', '--man=no', file], { encoding: 'utf8', timeout: 10_000 })
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`
  const problems = output
    .split('\n')
    .filter((l) => l.includes(`${unitName}:`) && /:\d+: /.test(l))
    .map((l) => l.slice(l.indexOf(`${unitName}:`) + unitName.length + 1).replace(/^(\d+): /, 'line $1: '))
  return { available: true, problems }
}

// -------------------------------------------------------------------- Bash scripts

export interface ScriptRun {
  code: number | null
  stdout: string
  stderr: string
  signal: NodeJS.Signals | null
}

/** Runs `bash <script> ...args` with a time limit, so a script that hangs cannot hang the suite. */
export function runBash(script: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): ScriptRun {
  const r = spawnSync('bash', [script, ...args], { cwd: opts.cwd, env: opts.env ?? process.env, encoding: 'utf8', timeout: opts.timeoutMs ?? 5000 })
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', signal: r.signal }
}

// ---------------------------------------------------------------------- Kubernetes

export interface Manifest {
  kind: string
  apiVersion: string
  name: string
  /** "Deployment/api" */
  label: string
  body: Dict
  line: number
}

export interface ParsedManifests {
  manifests: Manifest[]
  errors: string[]
}

type Model = { validate(): void }
const MODELS: Record<string, new (data: never) => Model> = {
  'apps/v1 Deployment': Deployment,
  'v1 Service': Service,
  'v1 ConfigMap': ConfigMap,
  'v1 Secret': Secret,
  'policy/v1 PodDisruptionBudget': PodDisruptionBudget,
  'autoscaling/v2 HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'networking.k8s.io/v1 Ingress': Ingress,
}

/** Every document of a multi-document YAML file, validated against the Kubernetes OpenAPI schema. */
export function parseManifests(text: string): ParsedManifests {
  const lineCounter = new LineCounter()
  const docs = parseAllDocuments(text, { lineCounter })
  const errors: string[] = []
  const manifests: Manifest[] = []
  if (!Array.isArray(docs)) {
    return { manifests, errors: ['the file is not a YAML stream'] }
  }
  for (const doc of docs) {
    const line = lineCounter.linePos(doc.range[0]).line
    for (const e of doc.errors) errors.push(`line ${lineCounter.linePos(e.pos[0]).line}: ${e.message.split('\n')[0]}`)
    if (doc.errors.length) continue
    const body = doc.toJS() as unknown
    if (body === null || body === undefined) continue
    if (!isDict(body)) {
      errors.push(`document at line ${line}: a Kubernetes object is a mapping with apiVersion, kind and metadata`)
      continue
    }
    const apiVersion = String(body.apiVersion ?? '')
    const kind = String(body.kind ?? '')
    const name = isDict(body.metadata) ? String(body.metadata.name ?? '') : ''
    const label = `${kind || '(no kind)'}/${name || '(no name)'}`
    if (!apiVersion || !kind) {
      errors.push(`document at line ${line}: apiVersion and kind are required`)
      continue
    }
    if (!name) errors.push(`${label} (line ${line}): metadata.name is required`)
    const Model = MODELS[`${apiVersion} ${kind}`]
    if (!Model) {
      const known = Object.keys(MODELS).filter((k) => k.endsWith(` ${kind}`))
      errors.push(`${label} (line ${line}): ${known.length ? `${kind} is served as apiVersion ${known.map((k) => k.split(' ')[0]).join(' or ')}, not ${apiVersion}` : `kind ${kind} (${apiVersion}) is not expected in this kata`}`)
      continue
    }
    try {
      new Model(body as never).validate()
    } catch (err) {
      errors.push(...schemaErrors(label, line, err))
    }
    manifests.push({ kind, apiVersion, name, label, body, line })
  }
  return { manifests, errors }
}

/** The model's Ajv errors as "Deployment/api: spec.replicas: must be integer", one line per field. */
function schemaErrors(label: string, line: number, err: unknown): string[] {
  const list = (err as { errors?: { instancePath: string; message?: string }[] }).errors
  if (!Array.isArray(list)) return [`${label} (line ${line}): ${(err as Error).message}`]
  const byPath = new Map<string, string[]>()
  for (const e of list) {
    const path = e.instancePath.slice(1).replace(/\//g, '.') || '(object)'
    if (e.message?.includes('exactly one schema')) continue
    byPath.set(path, [...(byPath.get(path) ?? []), e.message ?? 'is invalid'])
  }
  return [...byPath].map(([path, msgs]) => `${label} (line ${line}): ${path}: ${[...new Set(msgs)].join(' or ')}`)
}

/** A Kubernetes quantity ("250m", "0.5", "512Mi", "1G") as a number, or NaN. */
export function quantity(v: unknown): number {
  if (typeof v === 'number') return v
  const m = /^([+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/.exec(String(v ?? '').trim())
  if (!m) return Number.NaN
  const factor: Record<string, number> = { m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 }
  return Number(m[1]) * (m[2] ? factor[m[2]]! : 1)
}

/** Does a label selector (matchLabels + matchExpressions) select these labels? */
export function selects(selector: Dict, labels: Record<string, string>): boolean {
  const matchLabels = isDict(selector.matchLabels) ? selector.matchLabels : {}
  for (const [k, v] of Object.entries(matchLabels)) if (labels[k] !== String(v)) return false
  for (const e of Array.isArray(selector.matchExpressions) ? selector.matchExpressions : []) {
    if (!isDict(e)) continue
    const key = String(e.key)
    const values = Array.isArray(e.values) ? e.values.map(String) : []
    const has = key in labels
    if (e.operator === 'In' && !(has && values.includes(labels[key]!))) return false
    if (e.operator === 'NotIn' && has && values.includes(labels[key]!)) return false
    if (e.operator === 'Exists' && !has) return false
    if (e.operator === 'DoesNotExist' && has) return false
  }
  return Object.keys(matchLabels).length > 0 || (Array.isArray(selector.matchExpressions) && selector.matchExpressions.length > 0)
}
