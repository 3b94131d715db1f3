import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { chmodSync } from 'node:fs'
import { createServer, type Server, type Socket } from 'node:net'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'
import { dockerEngine } from '../src/services/containers.ts'
import { probe, ProbeError, tcpOpen } from '../src/services/probe.ts'
import { RunCredentials } from '../src/services/run-credentials.ts'
import { Services } from '../src/services/services.ts'
import { ROOT, tmp } from './helpers.ts'

const exec = promisify(execFile)

const DEAD = { postgres: 'postgres://postgres@127.0.0.1:1/postgres', redis: 'redis://127.0.0.1:1', rabbitmq: 'amqp://guest:guest@127.0.0.1:1', nats: 'nats://127.0.0.1:1' }

describe('service resolution', () => {
  it('finds the servers on the standard local ports with a real protocol probe', async () => {
    const s = await Services.resolve(['postgres', 'redis', 'rabbitmq', 'nats'], { root: ROOT, env: {}, start: false })
    for (const st of s.all) expect(st, `${st.name}`).toMatchObject({ state: 'ready', source: 'local' })
  })

  it('takes an explicit URL first', async () => {
    const s = await Services.resolve(['redis'], { root: ROOT, env: { REDIS_URL: 'redis://127.0.0.1:6379/2' }, start: false })
    expect(s.status('redis')).toMatchObject({ state: 'ready', source: 'env', url: 'redis://127.0.0.1:6379/2' })
  })

  it('reads URLs from roadmap.config.yaml after the environment', async () => {
    const s = await Services.resolve(['redis'], { root: ROOT, env: {}, config: { services: { redis: 'redis://127.0.0.1:6379/3' } }, start: false })
    expect(s.status('redis')).toMatchObject({ state: 'ready', source: 'config' })
  })

  it('reports an explicit URL that does not answer instead of guessing another server', async () => {
    const s = await Services.resolve(['redis'], { root: ROOT, env: { REDIS_URL: DEAD.redis }, start: false })
    expect(s.status('redis')!.state).toBe('missing')
    expect(s.problem('redis')).toMatch(/\$REDIS_URL=redis:\/\/127\.0\.0\.1:1.*ECONNREFUSED.*check \$REDIS_URL/)
  })

  it('says soon that no Docker engine answers, and names the one command to run', { timeout: 240_000 }, async () => {
    const t0 = performance.now()
    const s = await Services.resolve(['redis', 'rabbitmq'], { root: ROOT, env: {}, localUrls: DEAD, start: true })
    const ms = performance.now() - t0
    // Not a speed requirement (at a load average of 45 on 2 cores it took 21 s): a guard
    // against waiting for ever on an engine or a registry that does not answer.
    expect(ms).toBeLessThan(180_000)
    expect(s.problem('redis')).toMatch(/Redis is not reachable \(nothing answers on 127\.0\.0\.1:1.*(Testcontainers: no Docker engine answers|Docker answers but cannot pull).*\)\. Start it: docker compose up -d redis/)
    expect(s.problem('rabbitmq')).toMatch(/rabbitmq-server -detached/)
  })

  it('Testcontainers fails fast and clearly without an engine', { timeout: 240_000 }, async () => {
    const t0 = performance.now()
    const engine = await dockerEngine()
    expect(performance.now() - t0).toBeLessThan(180_000)
    if (!engine.ok) expect(engine.reason).toMatch(/no Docker engine answers|did not answer/)
  })

  it('starts an embedded PostgreSQL when nothing listens and no engine answers', { timeout: 300_000 }, async () => {
    // Its data folder goes to a scratch checkout, not the learner's .roadmap/.
    const root = tmp()
    chmodSync(root, 0o755) // initdb runs as the postgres user when the tests run as root
    const s = await Services.resolve(['postgres'], { root, env: {}, localUrls: DEAD, start: true })
    try {
      const st = s.status('postgres')!
      expect(st, s.problem('postgres')).toMatchObject({ state: 'ready', source: 'embedded' })
      const { default: pg } = await import('pg')
      const c = new pg.Client({ connectionString: (st as { url: string }).url })
      await c.connect()
      expect((await c.query('select 1 as one')).rows[0].one).toBe(1)
      await c.end()
    } finally {
      await s.close()
    }
  })
})

/** Blocks this process's event loop, as loading a large module on a busy machine does. */
const blockLoop = (ms: number) => {
  const end = performance.now() + ms
  while (performance.now() < end) {
    // busy on purpose
  }
}

const servers: Server[] = []
afterEach(() => {
  for (const s of servers.splice(0)) s.close()
})
/** A TCP server that accepts and then never says a word (a hung service). */
async function silentServer(): Promise<{ port: number; connections: () => number }> {
  const sockets: Socket[] = []
  const srv = createServer((sock) => void sockets.push(sock))
  servers.push(srv)
  srv.on('close', () => sockets.forEach((s) => s.destroy()))
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve))
  return { port: (srv.address() as { port: number }).port, connections: () => sockets.length }
}

describe('probes time the server, not the event loop', () => {
  it('a server that answered while this process was blocked is found (the blocked time is not the server\'s)', async () => {
    const { port } = await silentServer()
    const open = tcpOpen('127.0.0.1', port, 300)
    blockLoop(1500) // five times the deadline
    await expect(open).resolves.toBeUndefined()
    const pinged = probe('redis', 'redis://127.0.0.1:6379', 300)
    blockLoop(1500)
    await expect(pinged).resolves.toBeUndefined()
  })

  it('a refusal is an answer: reported at once as ECONNREFUSED, not retried', async () => {
    await expect(probe('redis', DEAD.redis, 5000)).rejects.toThrow(/ECONNREFUSED/)
  })

  it('a silent server gets one retry, then "no answer" naming the URL', async () => {
    const silent = await silentServer()
    const err = await probe('redis', `redis://127.0.0.1:${silent.port}`, 300).catch((e: Error) => e)
    expect(err).toBeInstanceOf(ProbeError)
    expect((err as Error).message).toMatch(new RegExp(`redis://127\\.0\\.0\\.1:${silent.port}: no answer in 300 ms`))
    // Two tries, each a TCP check and then a protocol connection.
    expect(silent.connections()).toBe(4)
  })
})

describe('roadmap doctor on a busy machine', () => {
  const hogs: ChildProcess[] = []
  afterEach(() => {
    for (const h of hogs.splice(0)) h.kill('SIGKILL')
  })

  // A correctness check, not a speed one: the budget only guards against a hang.
  it('finds every running service while two CPU hogs run beside it', { timeout: 600_000 }, async () => {
    // Two busy processes on top of whatever else runs: the load of a laptop with a browser open.
    for (let i = 0; i < 2; i++) hogs.push(spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }))
    const { stdout } = await exec(process.execPath, [join(ROOT, 'bin', 'roadmap.js'), 'doctor', '--json'], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } }).catch((e: { stdout: string }) => e)
    const report = JSON.parse(stdout) as { services: { name: string; state: string; tried?: string[] }[] }
    for (const s of report.services) expect(s, `${s.name}: ${s.tried?.join('; ')}`).toMatchObject({ state: 'ready' })
  })
})

describe('per-run credentials made ahead', () => {
  it('a RabbitMQ vhost that cannot be made is reported by the run that needs it, not as an unhandled rejection that ends the grade', async () => {
    const creds = new RunCredentials({ rabbitmq: 'amqp://guest:guest@no-such-host.invalid:5672' })
    // Long enough for the vhost made ahead to fail before any run asks for it.
    await new Promise((r) => setTimeout(r, 1500))
    await expect(creds.forRun(['rabbitmq'], join(ROOT, 'package.json'))).rejects.toThrow(/could not make least-privilege credentials for this run: cannot make a RabbitMQ vhost per grade/)
    await creds.close()
  })
})
