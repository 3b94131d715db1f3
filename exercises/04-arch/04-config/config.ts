// Configuration from environment variables and a YAML file into one typed, validated,
// frozen object. Every problem is reported at once, each naming the setting.
// The `yaml` package is installed: `import { parse } from 'yaml'`.

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

/** Precedence: environment, then YAML, then the default. An empty variable counts as unset. */
export function loadConfig(_sources: ConfigSources = {}): Config {
  throw new Error('TODO: read env and YAML into a validated Config, or throw ConfigError listing every problem (see README.md)\nTODO(ru): прочитать env и YAML в проверенный Config или бросить ConfigError со списком всех ошибок (см. README.ru.md)')
}
