import { execFile, spawn } from 'node:child_process'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { OWNER_LABEL } from '../src/services/containers.ts'
import { ROOT } from './helpers.ts'

// Real containers: the Testcontainers path and docker compose, against a real Docker
// engine. Where no registry is reachable (this project's CI), containers/build-images.sh
// builds stand-ins for the official images from Debian's packages and ROADMAP_IMAGE_*
// names them; a learner's machine pulls the official tags instead.
// ROADMAP_REQUIRE_CONTAINERS=1 (set by .ci/run) turns a missing engine into a failure.

const run = promisify(execFile)
const docker = (...args: string[]) => run('docker', args, { timeout: 120_000 }).then((r) => r.stdout.trim())
const engine = await docker('info', '--format', '{{.ServerVersion}}').then(
  () => true,
  () => false,
)
const required = process.env.ROADMAP_REQUIRE_CONTAINERS === '1'
const images = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('ROADMAP_IMAGE_'))) as Record<string, string>
const BIN = `${ROOT}/bin/roadmap.js`

/** Containers this harness started (by its owner label). */
const ours = async () => (await docker('ps', '-a', '-q', '--filter', `label=${OWNER_LABEL}`)).split('\n').filter(Boolean)

/** Waits until no container of ours is left (the reaper works after its owner is gone). */
async function noneLeft(ms = 20_000) {
  const until = Date.now() + ms
  let left = await ours()
  while (left.length && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 250))
    left = await ours()
  }
  return left
}

/** `roadmap …` with resolution going straight to containers (the local servers are skipped). */
function roadmap(args: string[], extra: NodeJS.ProcessEnv = {}) {
  return run(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    timeout: 240_000,
    env: { ...process.env, ...images, ROADMAP_CONTAINERS: 'only', CI: '1', ...extra },
  }).then(
    (r) => ({ code: 0, out: r.stdout + r.stderr }),
    (e: { code?: number; stdout?: string; stderr?: string }) => ({ code: e.code ?? -1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` }),
  )
}

describe.runIf(engine || required)('Testcontainers: PostgreSQL, Redis, RabbitMQ and NATS in real containers', () => {
  beforeAll(() => {
    if (!engine) throw new Error('no Docker engine answers, and ROADMAP_REQUIRE_CONTAINERS=1: start dockerd')
  })
  afterAll(async () => {
    // Whatever a failed test left, it must not outlive the suite.
    for (const id of await ours()) await docker('rm', '-f', '-v', id).catch(() => undefined)
  })

  for (const [kata, service] of [
    ['postgres/crud', 'PostgreSQL'],
    ['redis/cache-aside', 'Redis'],
    ['queues/work-queue', 'RabbitMQ'],
    ['queues/nats', 'NATS'],
  ] as const) {
    it(`grades ${kata} against a ${service} container it starts, and leaves none behind`, { timeout: 300_000 }, async () => {
      const r = await roadmap(['run', kata, '--solution'])
      expect(r.out, `roadmap run ${kata} --solution`).toMatch(/passed|пройден/i)
      expect(r.code, r.out).toBe(0)
      expect(await noneLeft(), 'containers left after `roadmap run`').toEqual([])
    })
  }

  it('removes its containers when the process is killed outright', { timeout: 300_000 }, async () => {
    const child = spawn(process.execPath, [BIN, 'run', 'redis/cache-aside', '--solution'], {
      cwd: ROOT,
      env: { ...process.env, ...images, ROADMAP_CONTAINERS: 'only', CI: '1' },
      stdio: 'ignore',
    })
    const until = Date.now() + 120_000
    while (!(await ours()).length && Date.now() < until) await new Promise((r) => setTimeout(r, 200))
    expect((await ours()).length, 'a container was started').toBeGreaterThan(0)
    child.kill('SIGKILL')
    expect(await noneLeft(), 'containers left after SIGKILL').toEqual([])
  })

  it('says plainly when the engine answers but the image cannot be pulled', { timeout: 120_000 }, async () => {
    const r = await roadmap(['run', 'redis/cache-aside', '--solution'], { ROADMAP_IMAGE_REDIS: 'roadmap-local/absent:none' })
    expect(r.code).not.toBe(0)
    expect(r.out).toMatch(/Docker answers but cannot pull roadmap-local\/absent:none/)
    expect(await noneLeft()).toEqual([])
  })

  it('doctor names the image Docker cannot pull for a service nothing answers for', { timeout: 120_000 }, async () => {
    const r = await roadmap(['doctor'], { NATS_URL: 'nats://127.0.0.1:1', ROADMAP_IMAGE_NATS: 'roadmap-local/absent:none' })
    expect(r.out).toMatch(/Docker answers but cannot pull roadmap-local\/absent:none: .+\(a missing nats cannot be started in a container/)
    expect(r.out, 'services that answer are not asked about').not.toMatch(/cannot pull .*(postgres|redis|rabbitmq)/)
  })
})
