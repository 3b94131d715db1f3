import type { RequestListener } from 'node:http'

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

/** Starts an HTTP server for `handler` with a graceful shutdown (see README.md). */
export async function startServer(handler: RequestListener, options: ServerOptions = {}): Promise<RunningServer> {
  throw new Error('TODO: start an http server on options.port (0 = any free port) and return { port, shutdown(deadlineMs) }\nTODO(ru): запустить HTTP-сервер на options.port (0 — любой свободный порт) и вернуть { port, shutdown(deadlineMs) }')
}
