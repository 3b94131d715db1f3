import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ROOT } from './helpers.ts'

// The repository's docker-compose.yml brought up for real: every service turns healthy,
// `roadmap doctor` finds them, a kata of each service passes against them, and
// `down -v` leaves nothing. Host ports are moved off the standard ones (the machine's own
// servers hold those); images come from ROADMAP_IMAGE_* where no registry is reachable.

const run = promisify(execFile)
const sh = (cmd: string, args: string[], env: NodeJS.ProcessEnv = {}, timeout = 300_000) =>
  run(cmd, args, { cwd: ROOT, timeout, env: { ...process.env, ...env }, maxBuffer: 16 << 20 }).then(
    (r) => ({ code: 0, out: r.stdout + r.stderr }),
    (e: { code?: number; stdout?: string; stderr?: string }) => ({ code: e.code ?? -1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` }),
  )
const compose = await sh('docker', ['compose', 'version'], {}, 20_000)
const engine = (await sh('docker', ['info'], {}, 20_000)).code === 0
const required = process.env.ROADMAP_REQUIRE_CONTAINERS === '1'

const PROJECT = `roadmap-compose-test-${process.pid}`
const PORTS = { ROADMAP_PORT_POSTGRES: '35432', ROADMAP_PORT_REDIS: '36379', ROADMAP_PORT_RABBITMQ: '35672', ROADMAP_PORT_RABBITMQ_UI: '35673', ROADMAP_PORT_NATS: '34222' }
const URLS = {
  DATABASE_URL: `postgres://postgres:postgres@127.0.0.1:${PORTS.ROADMAP_PORT_POSTGRES}/postgres`,
  REDIS_URL: `redis://127.0.0.1:${PORTS.ROADMAP_PORT_REDIS}`,
  AMQP_URL: `amqp://guest:guest@127.0.0.1:${PORTS.ROADMAP_PORT_RABBITMQ}`,
  NATS_URL: `nats://127.0.0.1:${PORTS.ROADMAP_PORT_NATS}`,
}
const env = { ...PORTS, COMPOSE_PROJECT_NAME: PROJECT }
const dc = (...args: string[]) => sh('docker', ['compose', '-f', 'docker-compose.yml', ...args], env)

describe.runIf((engine && compose.code === 0) || required)('docker compose: the repository’s docker-compose.yml, for real', () => {
  beforeAll(async () => {
    if (compose.code !== 0) throw new Error(`docker compose is not available: ${compose.out.split('\n')[0]}`)
    const up = await dc('up', '-d', '--wait', '--wait-timeout', '240')
    expect(up.code, `docker compose up -d --wait\n${up.out}`).toBe(0)
  }, 300_000)
  afterAll(async () => {
    await dc('down', '-v', '--remove-orphans')
  }, 120_000)

  it('turns every service healthy', async () => {
    const ps = await dc('ps', '--format', '{{.Service}} {{.Health}}')
    const health = Object.fromEntries(ps.out.trim().split('\n').map((l) => l.split(' ') as [string, string]))
    expect(health).toEqual({ postgres: 'healthy', redis: 'healthy', rabbitmq: 'healthy', nats: 'healthy' })
  })

  it('is found by roadmap doctor', { timeout: 60_000 }, async () => {
    const r = await sh(process.execPath, ['bin/roadmap.js', 'doctor', '--json'], { ...URLS, CI: '1' })
    const report = JSON.parse(r.out.slice(r.out.indexOf('{'))) as { services: { name: string; state: string; url?: string }[] }
    for (const name of ['postgres', 'redis', 'rabbitmq', 'nats']) {
      expect(report.services.find((s) => s.name === name), name).toMatchObject({ state: 'ready' })
    }
  })

  for (const kata of ['postgres/crud', 'redis/cache-aside', 'queues/work-queue', 'queues/nats']) {
    it(`grades ${kata} against it`, { timeout: 120_000 }, async () => {
      const r = await sh(process.execPath, ['bin/roadmap.js', 'run', kata, '--solution'], { ...URLS, CI: '1' })
      expect(r.code, r.out).toBe(0)
    })
  }

  it('leaves nothing after down -v', { timeout: 120_000 }, async () => {
    await dc('down', '-v', '--remove-orphans')
    const left = await sh('docker', ['ps', '-a', '-q', '--filter', `label=com.docker.compose.project=${PROJECT}`])
    const volumes = await sh('docker', ['volume', 'ls', '-q', '--filter', `label=com.docker.compose.project=${PROJECT}`])
    expect(left.out.trim(), 'containers').toBe('')
    expect(volumes.out.trim(), 'volumes').toBe('')
  })
})
