import type { NatsConnection } from 'nats'

/** NATS subject matching: tokens split by ".", `*` is exactly one token, `>` (last only) one or more. */
export function subjectMatches(pattern: string, subject: string): boolean {
  throw new Error('TODO: compare token by token; `*` is one token, a final `>` is one or more\nTODO(ru): сравнивать по токенам: `*` — ровно один токен, `>` в конце — один или больше')
}

export interface Stoppable {
  stop(): Promise<void>
}

/** Subscribes to `pattern` (wildcards allowed) and calls `onMessage(subject, json)` for each message. */
export function listen(nc: NatsConnection, pattern: string, onMessage: (subject: string, data: unknown) => void): Stoppable {
  throw new Error('TODO: nc.subscribe(pattern, { callback }) and decode JSON\nTODO(ru): nc.subscribe(pattern, { callback }) и декодирование JSON')
}

/** A responder: JSON request in, `{ ok, result | error }` out; `queue` makes instances share requests. */
export function serve(nc: NatsConnection, subject: string, handler: (request: unknown) => Promise<unknown>, options: { queue?: string } = {}): Stoppable {
  throw new Error('TODO: subscribe (with the queue group), call the handler, msg.respond with the JSON reply\nTODO(ru): подписаться (с группой очереди), вызвать обработчик, ответить через msg.respond в JSON')
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
  throw new Error('TODO: nc.request with { timeout }, map NATS errors to RequestError, unwrap { ok, result | error }\nTODO(ru): nc.request с { timeout }, ошибки NATS превращать в RequestError, разворачивать { ok, result | error }')
}
