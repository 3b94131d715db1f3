import { connect as tcpConnect, type Socket } from 'node:net'
import type { ServiceName } from '../catalog/schema.ts'

/** A connection held open to a service: `alive` once it is open, false for good when it closes. */
interface Held {
  alive: boolean
  gone: boolean
  close(): void
}

type Opener = (url: string, onGone: () => void) => Promise<() => void>

// Each held connection is idle and unreferenced: it never keeps the process alive, and a
// server keeps an idle authenticated client (or, for Redis, an idle socket) indefinitely.
const OPENERS: Partial<Record<ServiceName, Opener>> = {
  postgres: async (url, onGone) => {
    const { default: pg } = await import('pg')
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 })
    client.on('error', onGone)
    client.on('end', onGone)
    await client.connect()
    unrefStream((client as unknown as { connection: { stream: Socket } }).connection.stream)
    return () => void client.end().catch(() => undefined)
  },
  redis: async (url, onGone) => {
    const u = new URL(url)
    const socket = tcpConnect({ host: u.hostname, port: Number(u.port) || 6379 })
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve)
      socket.once('error', reject)
    })
    socket.on('error', onGone)
    socket.on('close', onGone)
    unrefStream(socket)
    return () => socket.destroy()
  },
  rabbitmq: async (url, onGone) => {
    const { default: amqp } = await import('amqplib')
    // No heartbeat: no timers; the broker keeps such a connection until it stops.
    const u = new URL(url)
    u.searchParams.set('heartbeat', '0')
    const connection = await amqp.connect(u.toString())
    connection.on('error', onGone)
    connection.on('close', onGone)
    unrefStream((connection as unknown as { connection: { stream: Socket } }).connection.stream)
    return () => void connection.close().catch(() => undefined)
  },
}

const unrefStream = (s: Socket | undefined) => s?.unref?.()

/**
 * Whether a service is still where it was, known without asking it again: a server that
 * stops or crashes closes its clients' connections, and one such connection is held per
 * service. After a failed run the runner asks "did a service go away?" — a held connection
 * that is still open answers at once, off the verdict's path; a closed one (or none yet)
 * means a real probe, as before.
 */
export class Liveness {
  private readonly held = new Map<ServiceName, Held>()

  /** True only while a held connection to `name` has stayed open since it was made. */
  alive(name: ServiceName): boolean {
    return this.held.get(name)?.alive ?? false
  }

  /** Holds a connection to a service just found ready (a failure to hold one only costs speed). */
  async hold(name: ServiceName, url: string): Promise<void> {
    const open = OPENERS[name]
    const now = this.held.get(name)
    if (!open || (now && !now.gone)) return
    const held: Held = { alive: false, gone: false, close: () => undefined }
    this.held.set(name, held)
    const gone = () => {
      held.gone = true
      held.alive = false
    }
    try {
      const close = await open(url, gone)
      held.close = close
      if (held.gone) close()
      else held.alive = true
    } catch {
      gone()
    }
  }

  close() {
    for (const h of this.held.values()) {
      h.gone = true
      h.alive = false
      h.close()
    }
    this.held.clear()
  }
}
