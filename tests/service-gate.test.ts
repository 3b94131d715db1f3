import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import amqp from 'amqplib'
import { Redis } from 'ioredis'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readStartOk } from '../src/services/gate/amqp-check.ts'
import { issuedPrincipals } from '../src/services/gate/issued.ts'
import { readFirstPacket } from '../src/services/gate/postgres-check.ts'
import { loginOf, readCommand } from '../src/services/gate/redis-check.ts'
import { ServiceGate } from '../src/services/gate/service-gate.ts'
import { SERVICES } from '../src/services/catalog.ts'
import { probe } from '../src/services/probe.ts'
import { ROOT, tmp } from './helpers.ts'

// The service gate of a grade (issue 15): graded code's connections are let through only
// as a principal this grader issued. The parsers first, then the real gate and forwarder
// (without the network namespace, which needs root and is shown by tests/attacks/).

const startup = (params: Record<string, string>) => {
  const body = Buffer.from(`${Object.entries(params).map(([k, v]) => `${k}\0${v}\0`).join('')}\0`)
  const head = Buffer.alloc(8)
  head.writeInt32BE(8 + body.length, 0)
  head.writeInt32BE(196608, 4)
  return Buffer.concat([head, body])
}

const startOk = (mechanism: string, response: Buffer) => {
  const props = Buffer.alloc(4) // an empty client-properties table
  const mech = Buffer.concat([Buffer.from([mechanism.length]), Buffer.from(mechanism)])
  const resp = Buffer.alloc(4)
  resp.writeUInt32BE(response.length)
  const locale = Buffer.from([5, ...Buffer.from('en_US')])
  const payload = Buffer.concat([Buffer.from([0, 10, 0, 11]), props, mech, resp, response, locale])
  const head = Buffer.from([1, 0, 0, 0, 0, 0, 0])
  head.writeUInt32BE(payload.length, 3)
  return Buffer.concat([head, payload, Buffer.from([0xce])])
}

describe('what the gate reads', () => {
  it("reads PostgreSQL's startup packet, its SSL request and a partial packet", () => {
    const packet = startup({ user: 'postgres', database: 'postgres' })
    expect(readFirstPacket(packet)).toMatchObject({ kind: 'startup', params: { user: 'postgres', database: 'postgres' } })
    expect(readFirstPacket(packet.subarray(0, 10))).toEqual({ kind: 'more' })
    const ssl = Buffer.alloc(8)
    ssl.writeInt32BE(8, 0)
    ssl.writeInt32BE(80877103, 4)
    expect(readFirstPacket(ssl)).toEqual({ kind: 'encryption', size: 8 })
    expect(readFirstPacket(Buffer.from('GET / HTTP/1.1\r\n')).kind).toBe('bad')
  })

  it('reads Redis commands (RESP and inline) and who each one logs in as', () => {
    const resp = Buffer.from('*3\r\n$4\r\nAUTH\r\n$7\r\ndefault\r\n$1\r\nx\r\n*1\r\n$4\r\nPING\r\n')
    const first = readCommand(resp)
    expect(first).toEqual({ size: 34, args: ['AUTH', 'default', 'x'] })
    expect(readCommand(resp.subarray(34))).toEqual({ size: 14, args: ['PING'] })
    expect(readCommand(resp.subarray(0, 20))).toBeUndefined()
    expect(readCommand(Buffer.from('auth secret\r\n'))).toEqual({ size: 13, args: ['auth', 'secret'] })
    expect(loginOf(['AUTH', 'secret'])).toBe('default')
    expect(loginOf(['auth', 'run_1', 'pw'])).toBe('run_1')
    expect(loginOf(['HELLO', '3', 'AUTH', 'default', 'x'])).toBe('default')
    expect(loginOf(['HELLO', '3'])).toBeUndefined()
    expect(loginOf(['RESET'])).toBe('default')
    expect(loginOf(['GET', 'AUTH'])).toBeUndefined()
  })

  it("reads the user of RabbitMQ's Connection.StartOk, PLAIN and AMQPLAIN", () => {
    expect(readStartOk(startOk('PLAIN', Buffer.from('\0guest\0guest')))).toMatchObject({ kind: 'startok', user: 'guest' })
    const login = Buffer.concat([Buffer.from([5]), Buffer.from('LOGIN'), Buffer.from('S'), Buffer.from([0, 0, 0, 5]), Buffer.from('run_1')])
    expect(readStartOk(startOk('AMQPLAIN', login))).toMatchObject({ kind: 'startok', user: 'run_1' })
    expect(readStartOk(startOk('PLAIN', Buffer.from('\0guest\0guest')).subarray(0, 12))).toEqual({ kind: 'more' })
  })
})

const ADMIN = { postgres: SERVICES.postgres.localUrl, redis: SERVICES.redis.localUrl, rabbitmq: SERVICES.rabbitmq.localUrl }
const up = (await Promise.all(Object.entries(ADMIN).map(([n, u]) => probe(n as keyof typeof ADMIN, u).then(() => true, () => false)))).every(Boolean)
const isRoot = process.getuid?.() === 0

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number }
      s.close(() => resolve(port))
    })
  })

describe.runIf(up && isRoot)('the gate and the forwarder on real services', () => {
  let gate: ServiceGate
  let forwarder: ChildProcess
  const ports: Record<string, number> = {}
  const at = (url: string, service: keyof typeof ADMIN) => {
    const u = new URL(url)
    u.hostname = '127.0.0.1'
    u.port = String(ports[service])
    return u.toString()
  }

  beforeAll(async () => {
    gate = await ServiceGate.open(ADMIN)
    for (const s of gate.services) ports[s.service] = await freePort()
    const ready = join(tmp('roadmap-gate-'), 'ready')
    forwarder = spawn(process.execPath, [join(ROOT, 'src/runner/netns-forwarder.mjs'), ready, ...gate.services.map((s) => `${ports[s.service]}=${s.socket}`)], { stdio: 'inherit' })
    for (let i = 0; i < 500 && !existsSync(ready); i++) await new Promise((r) => setTimeout(r, 20))
    rmSync(ready, { force: true })
  }, 30_000)

  afterAll(async () => {
    forwarder?.kill()
    await gate?.close()
  })

  it("refuses PostgreSQL's admin, lets an issued role in with its password only", async () => {
    const admin = new pg.Client({ connectionString: at(ADMIN.postgres, 'postgres') })
    await expect(admin.connect()).rejects.toThrow(/role "postgres" is not this run's role/)
    // A role this grader issued (here: the admin's name, registered as issued for the test).
    const url = new URL(at(ADMIN.postgres, 'postgres'))
    url.password = 'issued-secret'
    issuedPrincipals.add('postgres', url.toString())
    try {
      const wrong = new URL(url)
      wrong.password = 'guessed'
      await expect(new pg.Client({ connectionString: wrong.toString() }).connect()).rejects.toThrow(/password authentication failed/)
      const c = new pg.Client({ connectionString: url.toString() })
      await c.connect()
      expect((await c.query('select 1 as one')).rows).toEqual([{ one: 1 }])
      await c.end()
    } finally {
      issuedPrincipals.remove('postgres', 'postgres')
    }
  })

  it("closes a Redis connection that did not log in as an issued user (default has no password)", async () => {
    const r = new Redis(at(ADMIN.redis, 'redis'), { maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true })
    r.on('error', () => undefined)
    await r.connect().catch(() => undefined)
    await expect(r.set('roadmap-gate-test', 'x')).rejects.toThrow()
    r.disconnect()
  })

  it("refuses RabbitMQ's guest", async () => {
    await expect(amqp.connect(at(ADMIN.rabbitmq, 'rabbitmq'))).rejects.toThrow()
  })
})
