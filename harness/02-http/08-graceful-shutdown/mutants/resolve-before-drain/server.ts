import { createServer, type RequestListener, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

export interface ShutdownResult {
  /** true when the deadline passed and remaining connections were cut. */
  forced: boolean
}

export interface RunningServer {
  /** The port actually bound (ask for 0 to get a free one). */
  readonly port: number
  /** Stops accepting, lets in-flight requests finish, resolves once every connection is closed. */
  shutdown(deadlineMs: number): Promise<ShutdownResult>
}

export interface ServerOptions {
  port?: number
  host?: string
}

export async function startServer(handler: RequestListener, { port = 0, host = '127.0.0.1' }: ServerOptions = {}): Promise<RunningServer> {
  let draining = false
  const sockets = new Set<Socket>()
  const busy = new Map<Socket, Set<ServerResponse>>() // in-flight responses per connection

  const server = createServer((req, res) => {
    if (draining) {
      // A request that slipped in on an open connection after shutdown began: refuse it.
      const body = JSON.stringify({ error: 'shutting_down' })
      res.writeHead(503, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), Connection: 'close', 'Retry-After': '1' })
      return void res.end(body)
    }
    const socket = req.socket
    const inFlight = busy.get(socket) ?? new Set<ServerResponse>()
    busy.set(socket, inFlight)
    inFlight.add(res)
    res.once('close', () => {
      inFlight.delete(res)
      if (inFlight.size > 0) return
      busy.delete(socket)
      // Done with its last request during a drain: do not keep the connection alive.
      if (draining) socket.end()
    })
    handler(req, res)
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => resolve())
  })

  let closing: Promise<ShutdownResult> | undefined
  return {
    port: (server.address() as AddressInfo).port,
    shutdown(deadlineMs) {
      closing ??= new Promise<ShutdownResult>((resolve) => {
        draining = true
        let forced = false
        const deadline = setTimeout(() => {
          forced = true
          for (const socket of sockets) socket.destroy()
        }, deadlineMs)
        // Stop listening; the callback runs once the last connection has closed.
        server.close(() => clearTimeout(deadline))
        resolve({ forced })
        for (const socket of sockets) {
          const inFlight = busy.get(socket)
          // Idle keep-alive and never-used connections would hold the close up: cut them now.
          if (!inFlight) socket.destroy()
          // Tell clients of in-flight requests not to reuse the connection.
          else for (const res of inFlight) if (!res.headersSent) res.setHeader('Connection', 'close')
        }
      })
      return closing
    },
  }
}
