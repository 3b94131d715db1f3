// Configuration from environment variables and a YAML file into one typed, validated,
// frozen object. Every problem is reported at once, each naming the setting.
import { parse as parseYaml } from 'yaml'

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'

export interface Config {
  port: number
  database: { url: string; poolSize: number }
  log: { level: LogLevel }
  requestTimeoutMs: number
  debug: boolean
  corsOrigins: string[]
}

export interface ConfigSources {
  /** Environment variables (the caller passes process.env, tests pass a plain object). */
  env?: Record<string, string | undefined>
  /** The text of a YAML config file. */
  yaml?: string
}

export class ConfigError extends Error {
  override name = 'ConfigError'
  constructor(readonly issues: string[]) {
    super(`invalid configuration:\n${issues.map((i) => `- ${i}`).join('\n')}`)
  }
}

/** A value that breaks a rule: `rule` reads after the setting's name ("must be …"). */
class Invalid {
  constructor(
    readonly rule: string,
    readonly got: unknown,
    readonly suffix = '',
  ) {}
}

type Source = 'env' | 'yaml'

interface Setting {
  env: string
  path: string
  parse(value: unknown, from: Source): unknown
  default?: unknown
  /** Its value is never echoed in an error (it may hold a password). */
  secret?: boolean
}

function integer(min: number, max: number) {
  return (value: unknown, from: Source) => {
    const n = from === 'env' && typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value
    if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) throw new Invalid(`must be an integer ${min}-${max}`, value)
    return n
  }
}

const LEVELS: LogLevel[] = ['debug', 'info', 'warn', 'error']
const UNITS = { ms: 1, s: 1000, m: 60_000 } as const

function duration(value: unknown, from: Source): number {
  if (from === 'yaml' && typeof value === 'number' && Number.isInteger(value) && value > 0) return value
  const m = typeof value === 'string' ? /^([1-9]\d*)(ms|s|m)$/.exec(value.trim()) : null
  if (!m) throw new Invalid('must be a duration like 500ms, 5s or 1m', value)
  return Number(m[1]) * UNITS[m[2] as keyof typeof UNITS]
}

function boolean(value: unknown, from: Source): boolean {
  if (typeof value === 'boolean') return value
  if (from === 'env' && typeof value === 'string') {
    const v = value.trim().toLowerCase()
    if (v === 'true' || v === '1') return true
    if (v === 'false' || v === '0') return false
  }
  throw new Invalid('must be true or false', value)
}

function postgresUrl(value: unknown): string {
  let url: URL | undefined
  try {
    url = typeof value === 'string' ? new URL(value.trim()) : undefined
  } catch {
    url = undefined
  }
  if (!url || (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') || !url.hostname) {
    throw new Invalid('must be a postgres:// or postgresql:// URL', value)
  }
  return value as string
}

function origins(value: unknown, from: Source): string[] {
  const list = from === 'env' && typeof value === 'string' ? value.split(',').map((s) => s.trim()).filter(Boolean) : value
  if (!Array.isArray(list)) throw new Invalid('must be a list of origins', value)
  return list.map((item: unknown, i) => {
    let url: URL | undefined
    try {
      url = typeof item === 'string' ? new URL(item) : undefined
    } catch {
      url = undefined
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.origin !== item) {
      throw new Invalid('must be an http(s) origin like https://example.com', item, `[${i}]`)
    }
    return item as string
  })
}

const SETTINGS: Setting[] = [
  { env: 'PORT', path: 'port', parse: integer(1, 65535), default: 3000 },
  { env: 'DATABASE_URL', path: 'database.url', parse: postgresUrl, secret: true },
  { env: 'DATABASE_POOL_SIZE', path: 'database.poolSize', parse: integer(1, 100), default: 10 },
  {
    env: 'LOG_LEVEL',
    path: 'log.level',
    parse: (v) => {
      if (typeof v !== 'string' || !LEVELS.includes(v as LogLevel)) throw new Invalid(`must be one of ${LEVELS.join(', ')}`, v)
      return v
    },
    default: 'info',
  },
  { env: 'REQUEST_TIMEOUT', path: 'requestTimeout', parse: duration, default: 5000 },
  { env: 'DEBUG', path: 'debug', parse: boolean, default: false },
  { env: 'CORS_ORIGINS', path: 'corsOrigins', parse: origins, default: [] },
]

const SECTIONS = new Set(SETTINGS.filter((s) => s.path.includes('.')).map((s) => s.path.split('.')[0]!))
const KNOWN = new Set(SETTINGS.map((s) => s.path))

const isMapping = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Reads the YAML text into a flat map "database.poolSize" → value, reporting shape problems. */
function readYaml(text: string | undefined, issues: string[]): Map<string, unknown> {
  const out = new Map<string, unknown>()
  if (text === undefined) return out
  let doc: unknown
  try {
    doc = parseYaml(text)
  } catch (err) {
    issues.push(`YAML is invalid: ${(err as Error).message.split('\n')[0]}`)
    return out
  }
  if (doc === null || doc === undefined) return out
  if (!isMapping(doc)) {
    issues.push('YAML must be a mapping of settings')
    return out
  }
  for (const [key, value] of Object.entries(doc)) {
    if (SECTIONS.has(key)) {
      if (!isMapping(value)) {
        issues.push(`${key} must be a mapping`)
        continue
      }
      for (const [sub, v] of Object.entries(value)) {
        if (KNOWN.has(`${key}.${sub}`)) out.set(`${key}.${sub}`, v)

      }
    } else if (KNOWN.has(key)) out.set(key, value)

  }
  return out
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const [head, tail] = path.split('.') as [string, string | undefined]
  if (tail === undefined) target[head] = value
  else ((target[head] ??= {}) as Record<string, unknown>)[tail] = value
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v)
    Object.freeze(value)
  }
  return value
}

/** Precedence: environment, then YAML, then the default. An empty variable counts as unset. */
export function loadConfig({ env = {}, yaml }: ConfigSources = {}): Config {
  const issues: string[] = []
  const fromYaml = readYaml(yaml, issues)
  const config: Record<string, unknown> = {}
  for (const s of SETTINGS) {
    const raw = env[s.env]
    const [value, from, name]: [unknown, Source | undefined, string] =
      raw !== undefined && raw !== '' ? [raw, 'env', s.env] : fromYaml.has(s.path) ? [fromYaml.get(s.path), 'yaml', s.path] : [undefined, undefined, s.env]
    if (from === undefined) {
      if (s.default === undefined) issues.push(`${s.env} is required`)
      else setPath(config, s.path, structuredClone(s.default))
      continue
    }
    try {
      setPath(config, s.path, s.parse(value, from))
    } catch (err) {
      if (!(err instanceof Invalid)) throw err
      issues.push(`${name}${err.suffix} ${err.rule}${s.secret ? '' : `, got ${JSON.stringify(err.got)}`}`)
    }
  }
  if (issues.length) throw new ConfigError(issues)
  const { requestTimeout, ...rest } = config
  return deepFreeze({ ...rest, requestTimeoutMs: requestTimeout } as unknown as Config)
}
