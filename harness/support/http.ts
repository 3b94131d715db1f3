// Helpers for the suites of chapter 02 (http): a real listening server for the
// learner's request listener, raw HTTP/1.1 exchanges over a socket, and a manual clock.
import { createServer, request as httpRequest, type IncomingHttpHeaders, type RequestListener, type Server } from 'node:http'
import { connect, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'
import { afterAll } from 'vitest'

export interface Listening {
  readonly port: number
  readonly url: string
  /** Closes the server and every connection it still has. */
  close(): Promise<void>
}

const open: Listening[] = []

/** Starts `listener` on 127.0.0.1 on a free port; closed after the suite at the latest. */
export async function listen(listener: RequestListener, options: { keepAliveTimeout?: number } = {}): Promise<Listening> {
  const server: Server = createServer(listener)
  if (options.keepAliveTimeout) server.keepAliveTimeout = options.keepAliveTimeout
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  let closed: Promise<void> | undefined
  const handle: Listening = {
    port,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      (closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })),
  }
  open.push(handle)
  return handle
}

afterAll(async () => {
  await Promise.all(open.splice(0).map((h) => h.close()))
})

export interface RawResponse {
  status: number
  headers: Record<string, string>
  body: string
}

/** Parses one HTTP/1.1 response (Content-Length or chunked) from the start of `text`. */
export function parseResponse(text: string): RawResponse | undefined {
  const end = text.indexOf('\r\n\r\n')
  if (end < 0) return undefined
  const [statusLine, ...lines] = text.slice(0, end).split('\r\n')
  const status = Number(statusLine?.split(' ')[1])
  const headers: Record<string, string> = {}
  for (const line of lines) {
    const i = line.indexOf(':')
    headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim()
  }
  let rest = text.slice(end + 4)
  if (headers['transfer-encoding'] === 'chunked') {
    let body = ''
    for (;;) {
      const nl = rest.indexOf('\r\n')
      if (nl < 0) return undefined
      const size = parseInt(rest.slice(0, nl), 16)
      if (size === 0) return { status, headers, body }
      body += rest.slice(nl + 2, nl + 2 + size)
      rest = rest.slice(nl + 2 + size + 2)
    }
  }
  const length = Number(headers['content-length'] ?? 0)
  if (Buffer.byteLength(rest) < length) return undefined
  return { status, headers, body: rest.slice(0, length) }
}

/** A raw TCP connection to a test server, for what an HTTP client library hides. */
export class RawConnection {
  private data = ''
  private waiters: (() => void)[] = []
  closed = false
  error: Error | undefined

  private constructor(readonly socket: Socket) {
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => {
      this.data += chunk
      this.wake()
    })
    socket.on('error', (err) => {
      this.error = err
    })
    socket.on('close', () => {
      this.closed = true
      this.wake()
    })
  }

  static open(port: number): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1')
      socket.once('connect', () => resolve(new RawConnection(socket)))
      socket.once('error', reject)
    })
  }

  private wake() {
    for (const w of this.waiters.splice(0)) w()
  }

  write(text: string | Buffer): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.destroyed || !this.socket.writable) return resolve()
      this.socket.write(text, () => resolve())
    })
  }

  /** Everything received so far. */
  get received(): string {
    return this.data
  }

  /**
   * Waits for a complete response, or for the connection to close, or `timeoutMs`.
   * Returns the response, or undefined when none came (closed or timed out).
   */
  async response(timeoutMs: number): Promise<RawResponse | undefined> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const parsed = parseResponse(this.data)
      if (parsed) return parsed
      if (this.closed) return undefined
      const left = deadline - Date.now()
      if (left <= 0) return undefined
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left)
        this.waiters.push(() => {
          clearTimeout(t)
          resolve()
        })
      })
    }
  }

  /** Waits until the peer closes the connection; true when it did within `timeoutMs`. */
  async waitClosed(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs
    while (!this.closed && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.max(1, deadline - Date.now()))
        this.waiters.push(() => {
          clearTimeout(t)
          resolve()
        })
      })
    }
    return this.closed
  }

  close() {
    this.socket.destroy()
  }
}

/** A clock the suite moves by hand: pass `clock.now` where a kata takes `now`. */
export interface ManualClock {
  now(): number
  advance(ms: number): void
  set(ms: number): void
  /** Called with the new time on every move (how a program over the wire follows it: launch.ts). */
  onChange(listener: (ms: number) => void): void
}

export function manualClock(start = Date.UTC(2030, 0, 1, 12, 0, 0)): ManualClock {
  let t = start
  const listeners: ((ms: number) => void)[] = []
  const moved = () => listeners.forEach((l) => l(t))
  return {
    now: () => t,
    advance(ms: number) {
      t += ms
      moved()
    },
    set(ms: number) {
      t = ms
      moved()
    },
    onChange(listener) {
      listeners.push(listener)
    },
  }
}

import { deferred, sleep } from './async.ts'
export { sleep }

export interface Reply {
  status: number
  headers: IncomingHttpHeaders
  text: string
  /** The body parsed as JSON, or undefined when it is not JSON. */
  body: unknown
}

/**
 * Sends `n` copies of one request so that all of them have reached `listener` (headers
 * parsed, listener called) before any body is sent: a forced interleaving for races where
 * a handler checks state, then awaits the body, then acts. Each request has its own
 * connection. Rejects when the requests do not all arrive within `timeoutMs`.
 */
export async function headersFirst(
  listener: RequestListener,
  n: number,
  req: { method: string; path: string; headers?: Record<string, string>; body: string },
  timeoutMs = 5000,
): Promise<Reply[]> {
  const arrived = deferred()
  let entered = 0
  const server = await listen((request, response) => {
    if (++entered === n) arrived.resolve()
    listener(request, response)
  })
  const length = Buffer.byteLength(req.body)
  const pending = Array.from({ length: n }, () =>
    httpRequest({
      host: '127.0.0.1',
      port: server.port,
      method: req.method,
      path: req.path,
      agent: false,
      headers: { 'Content-Type': 'application/json', ...req.headers, 'Content-Length': String(length) },
    }),
  )
  const replies = pending.map(
    (r) =>
      new Promise<Reply>((resolve, reject) => {
        r.once('error', reject)
        r.once('response', (res) => {
          let text = ''
          res.setEncoding('utf8')
          res.on('data', (chunk: string) => (text += chunk))
          res.once('end', () => {
            let body: unknown
            try {
              body = JSON.parse(text)
            } catch {
              body = undefined
            }
            resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body })
          })
        })
      }),
  )
  for (const r of pending) r.flushHeaders()
  const late = sleep(timeoutMs).then(() => 'late' as const)
  if ((await Promise.race([arrived.promise, late])) === 'late') {
    for (const r of pending) r.destroy()
    throw new Error(`only ${entered} of ${n} requests reached the app within ${timeoutMs} ms`)
  }
  for (const r of pending) r.end(req.body)
  const unanswered = sleep(timeoutMs * 4).then(() => 'unanswered' as const)
  const all = await Promise.race([Promise.all(replies), unanswered])
  if (all === 'unanswered') {
    for (const r of pending) r.destroy()
    throw new Error(`not all of the ${n} requests were answered within ${timeoutMs * 4} ms`)
  }
  return all
}
