import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { connect, createServer, type Server, type Socket } from 'node:net'
import { join } from 'node:path'
import type { ServiceName } from '../../catalog/schema.ts'
import { AMQP_HEADER_SIZE, readStartOk } from './amqp-check.ts'
import { issuedPrincipals } from './issued.ts'
import { askPassword, fatal, readFirstPacket, readPassword } from './postgres-check.ts'
import { loginOf, readCommand } from './redis-check.ts'

/** Where graded code's connections to one service come in, and where they go. */
export interface GatedService {
  service: ServiceName
  /** The port graded code dials on 127.0.0.1 inside its own network namespace. */
  port: number
  /** The unix socket the forwarder in that namespace passes each connection to. */
  socket: string
}

/**
 * Folder of the gate's sockets: root only, so only the forwarder (root) can connect; not
 * under /run, which a gated run sees empty (the services' own unix sockets live there).
 */
const GATE_PARENT = '/var/lib/roadmap-grade'

/**
 * The service gate of a grade. Graded code runs in a network namespace of its own, where
 * 127.0.0.1 has nothing but a forwarder per service port; every connection comes here,
 * and is passed to the real service only once the gate has read who it logs in as: a run
 * principal this grader issued (see issued.ts). The machine's admin logins (PostgreSQL's
 * `postgres` under trust, Redis's `default` without a password, RabbitMQ's guest) and
 * every other service on the host are out of reach.
 */
export class ServiceGate {
  private readonly servers: Server[] = []
  private readonly open = new Set<Socket>()
  readonly services: GatedService[] = []

  readonly dir: string
  private constructor(dir: string) {
    this.dir = dir
  }

  static async open(urls: Partial<Record<ServiceName, string>>): Promise<ServiceGate> {
    const gate = new ServiceGate(mkdtempSync(join(ensureParent(), 'gate-')))
    for (const [service, url] of Object.entries(urls) as [ServiceName, string][]) {
      const u = new URL(url)
      const port = Number(u.port) || DEFAULT_PORT[service]
      const upstream = { host: u.hostname.replace(/^\[|\]$/g, ''), port }
      const socket = join(gate.dir, `${service}.sock`)
      const server = createServer((client) => gate.accept(service, client, upstream))
      await new Promise<void>((resolve, reject) => server.once('error', reject).listen(socket, () => resolve()))
      gate.servers.push(server)
      gate.services.push({ service, port, socket })
    }
    return gate
  }

  private accept(service: ServiceName, client: Socket, upstream: { host: string; port: number }) {
    this.open.add(client)
    client.once('close', () => this.open.delete(client))
    client.on('error', () => client.destroy())
    if (service === 'postgres') return this.postgres(client, upstream)
    if (service === 'redis') return this.redis(client, upstream)
    if (service === 'rabbitmq') return this.rabbitmq(client, upstream)
    // NATS has no per-run principal yet (SECURITY.md): passed on as it is.
    this.pipe(client, upstream, Buffer.alloc(0), true)
  }

  /**
   * Connects upstream and sends what was held back; the server's bytes go to the client.
   * `whole`: the client's further bytes go on unread (else the caller reads and passes them).
   */
  private pipe(client: Socket, upstream: { host: string; port: number }, held: Buffer, whole = false): Socket {
    const server = connect(upstream)
    this.open.add(server)
    server.once('close', () => {
      this.open.delete(server)
      client.destroy()
    })
    client.once('close', () => server.destroy())
    server.on('error', () => client.destroy())
    if (held.length) server.write(held)
    server.pipe(client)
    if (whole) client.pipe(server)
    return server
  }

  private postgres(client: Socket, upstream: { host: string; port: number }) {
    let buf = Buffer.alloc(0)
    let startup: { packet: Buffer; user: string } | undefined
    const refuse = (why: string) => client.end(fatal(`roadmap grading: ${why}`))
    const onData = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk])
      for (;;) {
        if (!startup) {
          const p = readFirstPacket(buf)
          if (p.kind === 'more') return
          if (p.kind === 'bad') return refuse(p.reason)
          if (p.kind === 'encryption') {
            buf = buf.subarray(p.size)
            client.write('N')
            continue
          }
          client.off('data', onData)
          if (p.kind === 'cancel') return void this.pipe(client, upstream, buf, true)
          const user = p.params.user ?? ''
          if (!issuedPrincipals.has('postgres', user)) return refuse(`role "${user}" is not this run's role: graded code connects only with the URL it was given`)
          startup = { packet: buf.subarray(0, p.size), user }
          buf = buf.subarray(p.size)
          client.write(askPassword())
          client.on('data', onData)
          continue
        }
        const p = readPassword(buf)
        if (p.kind === 'more') return
        if (p.kind === 'bad') return refuse(p.reason)
        client.off('data', onData)
        if (!issuedPrincipals.matches('postgres', startup.user, p.password)) return refuse(`password authentication failed for "${startup.user}"`)
        // The server never asked for the password; what the client sent after it goes on as it came.
        return void this.pipe(client, upstream, Buffer.concat([startup.packet, buf.subarray(p.size)]), true)
      }
    }
    client.on('data', onData)
  }

  private redis(client: Socket, upstream: { host: string; port: number }) {
    let buf = Buffer.alloc(0)
    let loggedIn = false
    let server: Socket | undefined
    const held: Buffer[] = []
    client.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk])
      const pass: Buffer[] = []
      for (;;) {
        const c = readCommand(buf)
        if (!c) break
        if ('bad' in c) return void client.destroy()
        const user = loginOf(c.args)
        if (user !== undefined) {
          // Redis checks the password; the gate checks whose it is.
          if (!issuedPrincipals.has('redis', user)) return void client.end(`-ERR roadmap grading: "${user}" is not this run's Redis user\r\n`)
          loggedIn = true
        } else if (!loggedIn) return void client.end('-NOAUTH roadmap grading: authenticate with the URL this run was given first\r\n')
        pass.push(buf.subarray(0, c.size))
        buf = buf.subarray(c.size)
      }
      if (!pass.length) return
      if (server) server.write(Buffer.concat(pass))
      else {
        held.push(...pass)
        server = this.pipe(client, upstream, Buffer.concat(held))
      }
    })
  }

  private rabbitmq(client: Socket, upstream: { host: string; port: number }) {
    let buf = Buffer.alloc(0)
    let server: Socket | undefined
    let checked = false
    client.on('data', (chunk: Buffer) => {
      if (checked) return void server?.write(chunk)
      buf = Buffer.concat([buf, chunk])
      if (!server) {
        if (buf.length < AMQP_HEADER_SIZE) return
        // The broker answers the protocol header with Connection.Start: it goes on at once.
        server = this.pipe(client, upstream, buf.subarray(0, AMQP_HEADER_SIZE))
        buf = buf.subarray(AMQP_HEADER_SIZE)
      }
      const s = readStartOk(buf)
      if (s.kind === 'more') return
      if (s.kind === 'bad' || !s.user || !issuedPrincipals.has('rabbitmq', s.user)) return void client.destroy()
      checked = true
      server.write(buf)
    })
  }

  async close() {
    for (const s of this.open) s.destroy()
    await Promise.all(this.servers.map((s) => new Promise((resolve) => s.close(resolve))))
    rmSync(this.dir, { recursive: true, force: true })
  }
}

const DEFAULT_PORT: Record<ServiceName, number> = { postgres: 5432, redis: 6379, rabbitmq: 5672, nats: 4222 }

function ensureParent(): string {
  mkdirSync(GATE_PARENT, { recursive: true, mode: 0o700 })
  return GATE_PARENT
}
