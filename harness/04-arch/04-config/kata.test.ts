import { afterEach, describe, expect, it } from 'vitest'
import { describeThrown } from '#support/arch'
import { ConfigError, loadConfig } from '@kata/arch/config'

type Env = Record<string, string | undefined>
const DB = 'postgres://app:pw@db.internal:5432/app'

function load(sources: { env?: Env; yaml?: string }, what: string): Record<string, unknown> {
  try {
    return loadConfig(sources)
  } catch (err) {
    const issues = (err as { issues?: unknown }).issues
    return expect.fail(`${what}: should load, but threw ${describeThrown(err)}${Array.isArray(issues) ? ` (issues: ${JSON.stringify(issues)})` : ''}`)
  }
}

/** The issues of the ConfigError that loading must throw. */
function issuesOf(sources: { env?: Env; yaml?: string }, what: string): string[] {
  let err: unknown
  try {
    const cfg = loadConfig(sources)
    return expect.fail(`${what}: should throw ConfigError, but returned ${JSON.stringify(cfg)}`)
  } catch (e) {
    err = e
  }
  expect(err, `${what}: should throw ConfigError, got ${describeThrown(err)}`).toBeInstanceOf(ConfigError)
  const issues = (err as { issues?: unknown }).issues
  expect(Array.isArray(issues), `${what}: ConfigError.issues should be an array of strings`).toBe(true)
  for (const issue of issues as string[]) {
    expect((err as Error).message, `${what}: the error message should list the issue ${JSON.stringify(issue)}`).toContain(issue)
  }
  return issues as string[]
}

const DEFAULTS = {
  port: 3000,
  database: { url: DB, poolSize: 10 },
  log: { level: 'info' },
  requestTimeoutMs: 5000,
  debug: false,
  corsOrigins: [],
}

describe('loadConfig({ env, yaml }): typed values from the environment and YAML', () => {
  it('fills in every default when only the required DATABASE_URL is set', () => {
    expect(load({ env: { DATABASE_URL: DB } }, 'loadConfig({ env: { DATABASE_URL } })'), 'config with only DATABASE_URL').toEqual(DEFAULTS)
  })

  it('reads every setting from environment variables into typed values', () => {
    const env = {
      PORT: '8080',
      DATABASE_URL: 'postgresql://u@localhost/db',
      DATABASE_POOL_SIZE: '25',
      LOG_LEVEL: 'debug',
      REQUEST_TIMEOUT: '2m',
      DEBUG: 'true',
      CORS_ORIGINS: 'https://app.example.com, http://localhost:5173',
    }
    expect(load({ env }, 'loadConfig with every variable set'), `loadConfig({ env: ${JSON.stringify(env)} })`).toEqual({
      port: 8080,
      database: { url: 'postgresql://u@localhost/db', poolSize: 25 },
      log: { level: 'debug' },
      requestTimeoutMs: 120_000,
      debug: true,
      corsOrigins: ['https://app.example.com', 'http://localhost:5173'],
    })
  })

  it('understands durations (ms, s, m) and booleans (true/false/1/0) from the environment', () => {
    const cases: [Env, string, unknown][] = [
      [{ REQUEST_TIMEOUT: '250ms' }, 'requestTimeoutMs', 250],
      [{ REQUEST_TIMEOUT: '5s' }, 'requestTimeoutMs', 5000],
      [{ REQUEST_TIMEOUT: '1m' }, 'requestTimeoutMs', 60_000],
      [{ DEBUG: '1' }, 'debug', true],
      [{ DEBUG: 'false' }, 'debug', false],
      [{ DEBUG: '0' }, 'debug', false],
      [{ DEBUG: 'TRUE' }, 'debug', true],
    ]
    for (const [env, key, expected] of cases) {
      const cfg = load({ env: { DATABASE_URL: DB, ...env } }, `env ${JSON.stringify(env)}`)
      expect(cfg[key], `${key} for env ${JSON.stringify(env)}`).toEqual(expected)
    }
  })

  it('reads every setting from YAML, with nested database and log sections', () => {
    const yaml = [
      'port: 9000',
      'database:',
      '  url: postgres://yaml@db/app',
      '  poolSize: 5',
      'log:',
      '  level: warn',
      'requestTimeout: 1500   # a bare number is milliseconds',
      'debug: true',
      'corsOrigins:',
      '  - https://a.example',
      '  - https://b.example:8443',
    ].join('\n')
    expect(load({ yaml }, 'loadConfig({ yaml })'), `loadConfig({ yaml: ${JSON.stringify(yaml)} })`).toEqual({
      port: 9000,
      database: { url: 'postgres://yaml@db/app', poolSize: 5 },
      log: { level: 'warn' },
      requestTimeoutMs: 1500,
      debug: true,
      corsOrigins: ['https://a.example', 'https://b.example:8443'],
    })
    expect(load({ yaml: 'requestTimeout: 3s\ndatabase:\n  url: postgres://h/db\n' }, 'YAML requestTimeout: 3s').requestTimeoutMs, 'requestTimeoutMs for YAML "requestTimeout: 3s"').toBe(3000)
  })

  it('takes the environment over YAML and YAML over defaults; an empty variable counts as unset', () => {
    const yaml = 'port: 9000\ndatabase:\n  url: postgres://yaml@db/app\n  poolSize: 5\n'
    const cfg = load({ env: { PORT: '7000', DATABASE_POOL_SIZE: '' }, yaml }, 'env PORT=7000, DATABASE_POOL_SIZE="" over YAML')
    expect([cfg.port, (cfg.database as { poolSize: number }).poolSize, (cfg.database as { url: string }).url], '[port, database.poolSize, database.url]').toEqual([
      7000,
      5,
      'postgres://yaml@db/app',
    ])
    expect(cfg.log, 'log (neither env nor YAML: the default)').toEqual({ level: 'info' })
    expect(load({ env: { DATABASE_URL: DB, PORT: '' } }, 'PORT=""').port, 'port when PORT is the empty string').toBe(3000)
  })
})

describe('loadConfig: clear errors that name the setting', () => {
  it('reports a missing DATABASE_URL as required', () => {
    expect(issuesOf({ env: {} }, 'loadConfig({ env: {} })'), 'issues with nothing set').toEqual(['DATABASE_URL is required'])
    expect(issuesOf({ env: { DATABASE_URL: '' } }, 'DATABASE_URL=""'), 'issues with DATABASE_URL empty').toEqual(['DATABASE_URL is required'])
  })

  it('gives one exact line per bad environment variable, with the value it got', () => {
    const cases: [Env, string][] = [
      [{ PORT: 'abc' }, 'PORT must be an integer 1-65535, got "abc"'],
      [{ PORT: '0' }, 'PORT must be an integer 1-65535, got "0"'],
      [{ PORT: '65536' }, 'PORT must be an integer 1-65535, got "65536"'],
      [{ PORT: '80.5' }, 'PORT must be an integer 1-65535, got "80.5"'],
      [{ PORT: '8080abc' }, 'PORT must be an integer 1-65535, got "8080abc"'],
      [{ DATABASE_POOL_SIZE: '0' }, 'DATABASE_POOL_SIZE must be an integer 1-100, got "0"'],
      [{ DATABASE_POOL_SIZE: '101' }, 'DATABASE_POOL_SIZE must be an integer 1-100, got "101"'],
      [{ LOG_LEVEL: 'verbose' }, 'LOG_LEVEL must be one of debug, info, warn, error, got "verbose"'],
      [{ REQUEST_TIMEOUT: '5 seconds' }, 'REQUEST_TIMEOUT must be a duration like 500ms, 5s or 1m, got "5 seconds"'],
      [{ REQUEST_TIMEOUT: '0s' }, 'REQUEST_TIMEOUT must be a duration like 500ms, 5s or 1m, got "0s"'],
      [{ REQUEST_TIMEOUT: '1h' }, 'REQUEST_TIMEOUT must be a duration like 500ms, 5s or 1m, got "1h"'],
      [{ DEBUG: 'yes' }, 'DEBUG must be true or false, got "yes"'],
      [{ CORS_ORIGINS: 'https://ok.example,example.com' }, 'CORS_ORIGINS[1] must be an http(s) origin like https://example.com, got "example.com"'],
      [{ CORS_ORIGINS: 'https://ok.example/path' }, 'CORS_ORIGINS[0] must be an http(s) origin like https://example.com, got "https://ok.example/path"'],
      [{ CORS_ORIGINS: 'https://ok.example/' }, 'CORS_ORIGINS[0] must be an http(s) origin like https://example.com, got "https://ok.example/"'],
    ]
    for (const [env, issue] of cases) {
      expect(issuesOf({ env: { DATABASE_URL: DB, ...env } }, `env ${JSON.stringify(env)}`), `issues for env ${JSON.stringify(env)}`).toEqual([issue])
    }
  })

  it('checks the database URL but never prints it: it may contain a password', () => {
    const url = 'mysql://admin:s3cr3t-pass@db/app'
    const issues = issuesOf({ env: { DATABASE_URL: url } }, `DATABASE_URL=${url}`)
    expect(issues, `issues for DATABASE_URL=${url}`).toEqual(['DATABASE_URL must be a postgres:// or postgresql:// URL'])
    let message = ''
    try {
      loadConfig({ env: { DATABASE_URL: url } })
    } catch (err) {
      message = String((err as Error).message)
    }
    expect(message.includes('s3cr3t'), `the ConfigError message must not contain the password; it was: ${message}`).toBe(false)
    expect(issuesOf({ env: { DATABASE_URL: 'not a url' } }, 'DATABASE_URL="not a url"'), 'issues for DATABASE_URL="not a url"').toEqual([
      'DATABASE_URL must be a postgres:// or postgresql:// URL',
    ])
  })

  it('reports every problem at once, not just the first', () => {
    const issues = issuesOf({ env: { PORT: 'abc', LOG_LEVEL: 'loud', DEBUG: 'maybe' } }, 'three bad variables and no DATABASE_URL')
    expect([...issues].sort(), 'issues for PORT=abc, LOG_LEVEL=loud, DEBUG=maybe, no DATABASE_URL').toEqual(
      [
        'DATABASE_URL is required',
        'DEBUG must be true or false, got "maybe"',
        'LOG_LEVEL must be one of debug, info, warn, error, got "loud"',
        'PORT must be an integer 1-65535, got "abc"',
      ].sort(),
    )
  })

  it('names the YAML key for a bad YAML value, and rejects unknown keys, wrong shapes and broken YAML', () => {
    const base = 'database:\n  url: postgres://h/db\n'
    const cases: [string, string[]][] = [
      ['port: 70000\n' + base, ['port must be an integer 1-65535, got 70000']],
      ['port: "8080"\n' + base, ['port must be an integer 1-65535, got "8080"']],
      ['database:\n  url: postgres://h/db\n  poolSize: ten\n', ['database.poolSize must be an integer 1-100, got "ten"']],
      ['log:\n  level: 3\n' + base, ['log.level must be one of debug, info, warn, error, got 3']],
      ['debug: "yes"\n' + base, ['debug must be true or false, got "yes"']],
      ['corsOrigins: https://a.example\n' + base, ['corsOrigins must be a list of origins, got "https://a.example"']],
      ['corsOrigins:\n  - https://a.example\n  - ftp://b.example\n' + base, ['corsOrigins[1] must be an http(s) origin like https://example.com, got "ftp://b.example"']],
      ['databse:\n  url: postgres://h/db\n', ['YAML: unknown key "databse"', 'DATABASE_URL is required']],
      ['database:\n  url: postgres://h/db\n  pool: 5\n', ['YAML: unknown key "database.pool"']],
      ['database: postgres://h/db\n', ['database must be a mapping', 'DATABASE_URL is required']],
      ['- port: 1\n', ['YAML must be a mapping of settings', 'DATABASE_URL is required']],
    ]
    for (const [yaml, expected] of cases) {
      expect([...issuesOf({ yaml }, `YAML ${JSON.stringify(yaml)}`)].sort(), `issues for YAML ${JSON.stringify(yaml)}`).toEqual([...expected].sort())
    }
    const broken = issuesOf({ yaml: 'port: [1, 2\n', env: { DATABASE_URL: DB } }, 'broken YAML "port: [1, 2"')
    expect(broken.length === 1 && broken[0]!.startsWith('YAML is invalid'), `issues for broken YAML should be one line starting "YAML is invalid", got ${JSON.stringify(broken)}`).toBe(true)
    expect(load({ yaml: '# nothing here\n', env: { DATABASE_URL: DB } }, 'YAML with only a comment'), 'config from an empty YAML file').toEqual(DEFAULTS)
  })
})

describe('loadConfig: a config object you can pass around safely', () => {
  const saved = process.env.PORT
  afterEach(() => {
    if (saved === undefined) delete process.env.PORT
    else process.env.PORT = saved
  })

  it('reads only the sources it is given, never process.env', () => {
    process.env.PORT = '4321'
    expect(load({ env: { DATABASE_URL: DB } }, 'loadConfig with process.env.PORT=4321 but not in sources').port, 'port (process.env.PORT must be ignored)').toBe(3000)
  })

  it('is frozen all the way down: outside code cannot change it', () => {
    const cfg = load({ env: { DATABASE_URL: DB, CORS_ORIGINS: 'https://a.example' } }, 'loadConfig')
    const attempts: [string, () => void][] = [
      ['cfg.port = 1', () => void (cfg.port = 1)],
      ['cfg.database.poolSize = 99', () => void ((cfg.database as Record<string, unknown>).poolSize = 99)],
      ['cfg.log.level = "debug"', () => void ((cfg.log as Record<string, unknown>).level = 'debug')],
      ['cfg.corsOrigins.push(…)', () => void (cfg.corsOrigins as string[]).push('https://evil.example')],
    ]
    for (const [, attempt] of attempts) {
      try {
        attempt()
      } catch {
        /* refusing the write is the point */
      }
    }
    expect(cfg, `the config after ${attempts.map(([w]) => w).join(', ')}`).toEqual({ ...DEFAULTS, corsOrigins: ['https://a.example'] })
    const again = load({ env: { DATABASE_URL: DB } }, 'a second loadConfig')
    expect(again.corsOrigins, 'corsOrigins of a fresh config (defaults must not be shared and mutated)').toEqual([])
  })
})
