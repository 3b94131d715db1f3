import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { dir } from '@kata/docker/compose/index.ts'
import { dockerEngine, envMap, interpolate, isComposeDuration, parseYaml, readKataFile, validateCompose } from '#support/docker'
import { ComposeStack, composeCli, ownerLabels } from '#support/compose-stack'
import { provideBaseImages } from '#support/docker-images'
import { probeImage } from './probe/image.ts'

type Dict = Record<string, unknown>
const isDict = (v: unknown): v is Dict => !!v && typeof v === 'object' && !Array.isArray(v)

const BACKING = ['postgres', 'redis', 'rabbitmq'] as const
const SERVICES = ['api', ...BACKING] as const

/** The parsed compose.yaml (read afresh for every test), or a failed expectation saying why not. */
function compose(): Dict {
  const { value, errors } = parseYaml(readKataFile(dir, 'compose.yaml'))
  expect(errors, 'YAML errors in compose.yaml').toEqual([])
  expect(isDict(value) && isDict(value.services) && Object.keys(value.services).length > 0, 'compose.yaml defines services: (it is empty so far)').toBe(true)
  return value as Dict
}

function service(file: Dict, name: string): Dict {
  const svc = (file.services as Dict)[name]
  expect(isDict(svc), `a service named "${name}" in compose.yaml`).toBe(true)
  return svc as Dict
}

/** A service's image as written, e.g. "postgres:17-alpine". */
const imageOf = (svc: Dict) => (typeof svc.image === 'string' ? svc.image : '')

/** `healthcheck.test` as [kind, ...args]: ["CMD", bin, ...] or ["CMD-SHELL", line]. */
function healthTest(svc: Dict): string[] | undefined {
  const hc = svc.healthcheck
  if (!isDict(hc) || hc.disable === true || hc.test === undefined) return undefined
  if (typeof hc.test === 'string') return ['CMD-SHELL', hc.test]
  return Array.isArray(hc.test) ? hc.test.map(String) : undefined
}

/** Short ("127.0.0.1:5432:5432", "5432") and long ({ target, published, host_ip }) port syntax. */
function ports(svc: Dict): { hostIp?: string; published?: string; target: number }[] {
  const list = Array.isArray(svc.ports) ? svc.ports : []
  return list.map((p) => {
    if (isDict(p)) return { hostIp: p.host_ip as string | undefined, published: p.published === undefined ? undefined : String(p.published), target: Number(p.target) }
    const s = String(p).replace(/\/(tcp|udp)$/, '')
    const ipv6 = /^\[([^\]]+)\]:(.*)$/.exec(s)
    const [ip, rest] = ipv6 ? [ipv6[1], ipv6[2]!] : [undefined, s]
    const parts = rest.split(':')
    if (parts.length === 3) return { hostIp: parts[0], published: parts[1], target: Number(parts[2]) }
    if (parts.length === 2) return { hostIp: ip, published: parts[0], target: Number(parts[1]) }
    return { target: Number(parts[0]) }
  })
}

/** Service volumes as { source, target }: short "name:/path[:ro]" or long { type, source, target }. */
function mounts(svc: Dict): { source?: string; target: string; type: string }[] {
  const list = Array.isArray(svc.volumes) ? svc.volumes : []
  return list.map((v) => {
    if (isDict(v)) return { source: v.source as string | undefined, target: String(v.target), type: String(v.type ?? 'volume') }
    const parts = String(v).split(':')
    if (parts.length === 1) return { target: parts[0]!, type: 'volume' }
    const source = parts[0]!
    return { source, target: parts[1]!, type: /^[./~]/.test(source) ? 'bind' : 'volume' }
  })
}

/** The networks a service joins (list or map syntax); none means Compose's default network. */
const networksOf = (svc: Dict): string[] => (Array.isArray(svc.networks) ? svc.networks.map(String) : isDict(svc.networks) ? Object.keys(svc.networks) : [])

/** Whether a test of the review below failed: the stack is brought up only once the file passes it. */
let reviewFailed = false

describe('compose.yaml', () => {
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') reviewFailed = true
  })

  it('is valid YAML and valid against the Compose Specification', () => {
    const file = compose()
    expect(validateCompose(file), 'errors against the Compose Specification (compose-spec JSON Schema)').toEqual([])
  })

  it('defines the four services: api, postgres, redis and rabbitmq', () => {
    const names = Object.keys(compose().services as Dict)
    for (const name of SERVICES) expect(names, `services in compose.yaml: is "${name}" there?`).toContain(name)
  })

  it("builds the api from the previous kata's Dockerfile and publishes its port 3000", () => {
    const api = service(compose(), 'api')
    const context = typeof api.build === 'string' ? api.build : isDict(api.build) ? String(api.build.context ?? '.') : undefined
    expect(context, 'api.build: the api image is built from ../01-dockerfile, not pulled').toBeDefined()
    expect(existsSync(join(dir, context!, 'Dockerfile')), `api.build context "${context}": there is no Dockerfile there (it is ../01-dockerfile from this folder)`).toBe(true)
    const published = ports(api).filter((p) => p.target === 3000)
    expect(published.length, 'api.ports: publish the container port 3000 (e.g. "3000:3000")').toBeGreaterThan(0)
  })

  it('pins postgres, redis and rabbitmq to a version tag, never :latest', () => {
    const file = compose()
    for (const name of BACKING) {
      const image = imageOf(service(file, name))
      expect(image, `${name}.image`).not.toBe('')
      const tag = /:([^/:@]+)$/.exec(image.split('@')[0]!)?.[1]
      expect(image.includes('@sha256:') || (tag !== undefined && tag !== 'latest'), `${name}.image is "${image}": pin a version such as ${name === 'postgres' ? 'postgres:17-alpine' : name === 'redis' ? 'redis:7-alpine' : 'rabbitmq:4-management-alpine'}`).toBe(true)
    }
  })

  it('gives postgres, redis and rabbitmq a healthcheck that really probes the service', () => {
    const file = compose()
    const probes: Record<(typeof BACKING)[number], { re: RegExp; example: string }> = {
      postgres: { re: /\bpg_isready\b/, example: '["CMD-SHELL", "pg_isready -U app -d app"]' },
      redis: { re: /\bredis-cli\b.*\bping\b/, example: '["CMD", "redis-cli", "ping"]' },
      rabbitmq: { re: /\brabbitmq-diagnostics\b.*\b(ping|check_running|check_port_connectivity|status)\b|\brabbitmqctl\b.*\b(status|node_health_check)\b/, example: '["CMD", "rabbitmq-diagnostics", "-q", "ping"]' },
    }
    for (const name of BACKING) {
      const test = healthTest(service(file, name))
      expect(test, `${name}.healthcheck.test: add one, e.g. ${probes[name].example}`).toBeDefined()
      const [kind, ...args] = test!
      expect(['CMD', 'CMD-SHELL'], `${name}.healthcheck.test starts with "${kind}": use "CMD" (exec) or "CMD-SHELL" (through the shell)`).toContain(kind)
      if (kind === 'CMD') {
        expect(args.filter((a, i) => i === 0 && /\s/.test(a)), `${name}.healthcheck.test: with "CMD" every word is its own list item; "${args[0]}" is looked up as one program name. Split it, or use "CMD-SHELL"`).toEqual([])
      }
      expect(probes[name].re.test(args.join(' ')), `${name}.healthcheck.test is ${JSON.stringify(test)}: it should ask the service itself, e.g. ${probes[name].example}`).toBe(true)
      const hc = service(file, name).healthcheck as Dict
      for (const key of ['interval', 'timeout', 'start_period', 'start_interval']) {
        if (hc[key] !== undefined) expect(isComposeDuration(hc[key]), `${name}.healthcheck.${key} is ${JSON.stringify(hc[key])}: write a duration such as "5s" or "1m30s"`).toBe(true)
      }
    }
  })

  it('starts the api only after postgres, redis and rabbitmq report healthy', () => {
    const api = service(compose(), 'api')
    const deps = api.depends_on
    expect(deps, 'api.depends_on').toBeDefined()
    expect(isDict(deps), 'api.depends_on is a plain list: that only waits for the containers to start, not for the services to be ready. Use the long form with condition: service_healthy').toBe(true)
    for (const name of BACKING) {
      const dep = (deps as Dict)[name]
      expect(dep, `api.depends_on.${name}`).toBeDefined()
      expect(isDict(dep) ? dep.condition : undefined, `api.depends_on.${name}.condition`).toBe('service_healthy')
    }
  })

  it('keeps the data of postgres and rabbitmq in named volumes (and gives rabbitmq a stable hostname)', () => {
    const file = compose()
    const declared = isDict(file.volumes) ? Object.keys(file.volumes) : []
    const dataDirs: Record<string, string[]> = { postgres: ['/var/lib/postgresql/data', '/var/lib/postgresql'], rabbitmq: ['/var/lib/rabbitmq'], redis: ['/data'] }
    for (const name of BACKING) {
      const mount = mounts(service(file, name)).find((m) => dataDirs[name]!.includes(m.target.replace(/\/+$/, '')))
      if (name === 'redis' && !mount) continue // persistence is optional for a cache
      expect(mount, `${name}.volumes: mount a named volume at ${dataDirs[name]![0]}, or the data is gone with the container`).toBeDefined()
      expect(mount!.type, `${name} keeps its data in the bind mount "${mount!.source}": use a named volume (declared under the top-level volumes:)`).toBe('volume')
      expect(mount!.source, `${name}: the volume at ${mount!.target} has no name, so every "docker compose up" may create a new anonymous one`).toBeDefined()
      expect(declared, `top-level volumes: declare "${mount!.source}", used by ${name}`).toContain(mount!.source)
    }
    expect(service(file, 'rabbitmq').hostname, 'rabbitmq.hostname: RabbitMQ stores data under its node name (rabbit@<hostname>); without a fixed hostname a recreated container cannot find its data').toBeTruthy()
  })

  it('puts the four services on a user-defined network and publishes postgres, redis and rabbitmq on localhost only', () => {
    const file = compose()
    const declared = isDict(file.networks) ? Object.keys(file.networks) : []
    expect(declared.length, 'top-level networks: declare the network the services share').toBeGreaterThan(0)
    const shared = declared.filter((n) => SERVICES.every((s) => networksOf(service(file, s)).includes(n)))
    for (const s of SERVICES) {
      expect(networksOf(service(file, s)).some((n) => declared.includes(n)), `${s}.networks: join one of ${declared.join(', ')}`).toBe(true)
    }
    expect(shared.length, `a network that api, postgres, redis and rabbitmq all join (declared: ${declared.join(', ')})`).toBeGreaterThan(0)
    for (const name of BACKING) {
      for (const p of ports(service(file, name))) {
        const where = p.hostIp ?? '0.0.0.0'
        expect(['127.0.0.1', 'localhost', '::1'].includes(where), `${name}.ports publishes ${p.target} on ${where}: the api reaches ${name} over the network; publish it on 127.0.0.1 only (or not at all)`).toBe(true)
      }
    }
  })

  it('points the api at the services by their names, with the credentials they are created with', () => {
    const file = compose()
    const env = envMap(service(file, 'api').environment)
    const pg = envMap(service(file, 'postgres').environment)
    const rabbit = envMap(service(file, 'rabbitmq').environment)
    const url = (name: string) => {
      expect(env[name], `api.environment.${name}`).toBeDefined()
      let u: URL
      try {
        u = new URL(interpolate(env[name]!))
      } catch {
        expect.fail(`api ${name} is "${env[name]}", which is not a URL like scheme://user:password@host:port`)
      }
      expect(['localhost', '127.0.0.1'].includes(u.hostname), `api ${name} points at ${u.hostname}: inside the api container that is the api itself; use the service name`).toBe(false)
      return u
    }
    const db = url('DATABASE_URL')
    expect(db.protocol, 'DATABASE_URL scheme').toMatch(/^postgres(ql)?:$/)
    expect(db.hostname, 'DATABASE_URL host').toBe('postgres')
    expect(db.port || '5432', 'DATABASE_URL port (inside the network: the container port)').toBe('5432')
    const pgUser = interpolate(pg.POSTGRES_USER ?? 'postgres')
    expect(decodeURIComponent(db.username), 'DATABASE_URL user vs postgres POSTGRES_USER').toBe(pgUser)
    expect(decodeURIComponent(db.password), 'DATABASE_URL password vs postgres POSTGRES_PASSWORD (use the same variable in both)').toBe(interpolate(pg.POSTGRES_PASSWORD ?? ''))
    expect(db.pathname.slice(1), 'DATABASE_URL database vs postgres POSTGRES_DB').toBe(interpolate(pg.POSTGRES_DB ?? pgUser))

    const redis = url('REDIS_URL')
    expect(redis.protocol, 'REDIS_URL scheme').toBe('redis:')
    expect(redis.hostname, 'REDIS_URL host').toBe('redis')
    expect(redis.port || '6379', 'REDIS_URL port').toBe('6379')

    const amqp = url('AMQP_URL')
    expect(amqp.protocol, 'AMQP_URL scheme').toBe('amqp:')
    expect(amqp.hostname, 'AMQP_URL host').toBe('rabbitmq')
    expect(amqp.port || '5672', 'AMQP_URL port').toBe('5672')
    const rabbitUser = interpolate(rabbit.RABBITMQ_DEFAULT_USER ?? 'guest')
    expect(rabbitUser, 'rabbitmq RABBITMQ_DEFAULT_USER: the default guest:guest is a password everyone knows; give RabbitMQ a user of its own').not.toBe('guest')
    expect(decodeURIComponent(amqp.username), 'AMQP_URL user vs rabbitmq RABBITMQ_DEFAULT_USER').toBe(rabbitUser)
    expect(decodeURIComponent(amqp.password), 'AMQP_URL password vs rabbitmq RABBITMQ_DEFAULT_PASS (use the same variable in both)').toBe(interpolate(rabbit.RABBITMQ_DEFAULT_PASS ?? 'guest'))
  })

  it('keeps passwords out of the file: they come from variables such as ${POSTGRES_PASSWORD}', () => {
    const file = compose()
    const fromVariable = (v: string | undefined) => v !== undefined && /\$\{?\w+/.test(v)
    const pg = envMap(service(file, 'postgres').environment)
    const rabbit = envMap(service(file, 'rabbitmq').environment)
    expect(fromVariable(pg.POSTGRES_PASSWORD), `postgres POSTGRES_PASSWORD is ${JSON.stringify(pg.POSTGRES_PASSWORD)}: write \${POSTGRES_PASSWORD} and keep the value in .env (not in git)`).toBe(true)
    expect(fromVariable(rabbit.RABBITMQ_DEFAULT_PASS), `rabbitmq RABBITMQ_DEFAULT_PASS is ${JSON.stringify(rabbit.RABBITMQ_DEFAULT_PASS)}: write \${RABBITMQ_PASSWORD} and keep the value in .env`).toBe(true)
    const env = envMap(service(file, 'api').environment)
    for (const name of ['DATABASE_URL', 'AMQP_URL']) {
      const raw = env[name] ?? ''
      const password = /^[a-z]+:\/\/[^:/@]*:([^@]*)@/.exec(raw)?.[1]
      expect(password === undefined || fromVariable(password), `api ${name} has the password written out: use the same variable as the service`).toBe(true)
    }
  })
})

// Asked once, when the suite loads, so the test's name can tell whether the stack really ran.
const engine = await dockerEngine(1000)
const cli = engine.ok ? await composeCli() : undefined
const required = process.env.ROADMAP_REQUIRE_CONTAINERS === '1'
const skipped = !engine.ok ? engine.reason : cli && !cli.ok ? cli.reason : undefined

/** The override that makes the learner's stack safe to run here: see compose-stack.ts. */
function override(file: Dict, probe: string, standIns: Map<string, string>): string {
  const names = Object.keys(file.services as Dict)
  const standIn = (n: string) => {
    const local = standIns.get(imageOf(service(file, n)))
    return local ? `    image: ${local}\n` : ''
  }
  const others = names.filter((n) => n !== 'api').map((n) => `  ${JSON.stringify(n)}:\n    ports: !reset []\n${standIn(n)}${ownerLabels()}`)
  return `services:\n  api:\n    build: !reset null\n    image: ${probe}\n    ports: !reset []\n${ownerLabels()}${others.join('')}`
}

describe('docker compose up', () => {
  const name = skipped === undefined || required ? 'brings the stack up: the api reaches every service by name, and the database keeps its data when its container is recreated' : `brings the stack up: SKIPPED here, ${skipped}; the review above still applies`
  it(name, async () => {
    if (reviewFailed) throw new Error('the review of compose.yaml above found problems: fix those first; the stack is brought up once the file passes it')
    if (skipped !== undefined) {
      if (required) throw new Error(`the stack could not run here (${skipped}), and ROADMAP_REQUIRE_CONTAINERS=1`)
      console.log(`Stack not started: ${skipped}. The review above still graded your compose.yaml.`)
      return
    }
    const file = compose()
    const images = await provideBaseImages(BACKING.map((n) => imageOf(service(file, n))))
    const probe = images.ok ? await probeImage() : images
    if (!probe.ok) {
      if (required) throw new Error(`the stack could not run here: ${probe.reason}`)
      console.log(`Stack not started: ${probe.reason}. The review above still graded your compose.yaml.`)
      return
    }
    for (const note of [...(images.ok ? images.notes : []), ...probe.notes]) console.log(note)
    const text = readKataFile(dir, 'compose.yaml')
    const stack = new ComposeStack(join(dir, 'compose.yaml'), text, override(file, probe.image, images.ok ? images.standIns : new Map()))
    const apiEnv = envMap(service(file, 'api').environment)
    const port = Number(interpolate(apiEnv.PORT ?? '3000', stack.env)) || 3000
    try {
      // The api here is a probe: healthy only once DATABASE_URL, REDIS_URL and AMQP_URL, as
      // this file wires them, each accept a connection.
      const started = await stack.compose(['up', '-d', '--wait', '--wait-timeout', '150']).then(() => undefined, (err: Error) => err)
      if (started) {
        const report = await stack.exec('api', ['node', '-e', `fetch('http://127.0.0.1:${port}/healthz').then((r) => r.text()).then(console.log, (e) => console.log(e.message))`]).catch(() => '')
        expect.fail(`docker compose up did not bring every service to healthy: ${started.message}${report ? `\nthe api's connections (the api container is a probe that connects with your URLs): ${report.trim()}` : ''}`)
      }
      const answer = await stack.exec('redis', ['wget', '-qO-', `http://api:${port}/healthz`]).catch((err: Error) => err.message)
      expect(answer, `GET http://api:${port}/healthz from the redis container, over the compose network`).toContain('"DATABASE_URL":"ok"')

      const pg = envMap(service(file, 'postgres').environment)
      const user = interpolate(pg.POSTGRES_USER ?? 'postgres', stack.env)
      const db = interpolate(pg.POSTGRES_DB ?? user, stack.env)
      const mark = stack.project
      await stack.exec('postgres', ['psql', '-U', user, '-d', db, '-v', 'ON_ERROR_STOP=1', '-c', `CREATE TABLE roadmap_probe (v text); INSERT INTO roadmap_probe VALUES ('${mark}')`])
      await stack.compose(['rm', '--stop', '--force', 'postgres'])
      await stack.compose(['up', '-d', '--wait', '--wait-timeout', '90', 'postgres'])
      const kept = await stack.exec('postgres', ['psql', '-U', user, '-d', db, '-tAc', 'SELECT v FROM roadmap_probe']).catch((err: Error) => err.message)
      expect(kept.trim(), 'a row written before the postgres container was removed and created again: its data must live in a named volume').toBe(mark)
    } finally {
      await stack.down()
    }
  })
})
