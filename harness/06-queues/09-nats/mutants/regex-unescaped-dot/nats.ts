import { ErrorCode, JSONCodec, type Msg, type NatsConnection, type NatsError } from 'nats'

const codec = JSONCodec()

/** NATS subject matching: tokens split by ".", `*` is exactly one token, `>` (last only) one or more. */
export function subjectMatches(pattern: string, subject: string): boolean {
  // * → one token, > → the rest; the pattern becomes a regular expression.
  const source = pattern.replace(/\*/g, '[^.]+').replace(/>$/, '.+')
  return new RegExp(`^${source}$`).test(subject)
}

export interface Stoppable {
  stop(): Promise<void>
}

/** Subscribes to `pattern` (wildcards allowed) and calls `onMessage(subject, json)` for each message. */
export function listen(nc: NatsConnection, pattern: string, onMessage: (subject: string, data: unknown) => void): Stoppable {
  const sub = nc.subscribe(pattern, {
    callback: (err, msg) => {
      if (err) return
      try {
        onMessage(msg.subject, codec.decode(msg.data))
      } catch {
        // Not JSON, or the callback threw: one bad message must not kill the subscription.
      }
    },
  })
  return {
    async stop() {
      sub.unsubscribe()
      await nc.flush() // the server has seen the UNSUB once this resolves
    },
  }
}

type Reply = { ok: true; result: unknown } | { ok: false; error: string }

/**
 * A responder: JSON request in, `{ ok, result | error }` out. With `queue`, instances
 * sharing the queue name split the requests instead of all answering each one.
 */
export function serve(nc: NatsConnection, subject: string, handler: (request: unknown) => Promise<unknown>, options: { queue?: string } = {}): Stoppable {
  const sub = nc.subscribe(subject, {
    queue: options.queue,
    callback: (err, msg: Msg) => {
      if (err) return
      void (async () => {
        let reply: Reply
        try {
          reply = { ok: true, result: await handler(codec.decode(msg.data)) }
        } catch (e) {
          reply = { ok: false, error: e instanceof Error ? e.message : String(e) }
        }
        try {
          msg.respond(codec.encode(reply))
        } catch {
          // The connection closed while the handler ran: nobody can get this reply.
        }
      })()
    },
  })
  return {
    async stop() {
      sub.unsubscribe()
      await nc.flush()
    },
  }
}

export type RequestErrorCode = 'NO_RESPONDERS' | 'TIMEOUT' | 'REMOTE'

export class RequestError extends Error {
  override name = 'RequestError'
  constructor(
    readonly code: RequestErrorCode,
    message: string,
  ) {
    super(message)
  }
}

/** Request/reply with a deadline; every failure is a RequestError that names the subject. */
export async function call(nc: NatsConnection, subject: string, payload: unknown, timeoutMs: number): Promise<unknown> {
  let msg: Msg
  try {
    msg = await nc.request(subject, codec.encode(payload), { timeout: timeoutMs })
  } catch (err) {
    const code = (err as NatsError).code
    if (code === ErrorCode.NoResponders) throw new RequestError('NO_RESPONDERS', `no responders for "${subject}": nobody is subscribed to it`)
    if (code === ErrorCode.Timeout) throw new RequestError('TIMEOUT', `request to "${subject}" timed out after ${timeoutMs} ms`)
    throw err
  }
  const reply = codec.decode(msg.data) as Reply
  if (!reply.ok) throw new RequestError('REMOTE', reply.error)
  return reply.result
}
