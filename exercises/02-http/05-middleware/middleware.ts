import type { IncomingMessage, ServerResponse } from 'node:http'

/** A handler may be async; a Node request listener ignores what it returns. */
export type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>
/** Go's `func(http.Handler) http.Handler`: takes the next handler, returns a wrapped one. */
export type Middleware = (next: Handler) => Handler

export interface LogEntry {
  method: string
  /** The path without the query string. */
  path: string
  status: number
  durationMs: number
  requestId: string | undefined
}

/** chain(h, a, b): a runs first and wraps b, which wraps h. */
export function chain(handler: Handler, ...middlewares: Middleware[]): Handler {
  throw new Error('TODO: chain(handler, a, b) must return a handler where a wraps b wraps handler\nTODO(ru): chain(handler, a, b) должен вернуть обработчик, в котором a оборачивает b, а b оборачивает handler')
}

export function getRequestId(req: IncomingMessage): string | undefined {
  throw new Error('TODO: return the id that requestId() attached to this request\nTODO(ru): вернуть id, который requestId() привязал к этому запросу')
}

export function requestId(): Middleware {
  throw new Error('TODO: requestId() — reuse a valid X-Request-Id or generate one, echo it, remember it\nTODO(ru): requestId() — взять корректный X-Request-Id из запроса или создать новый, вернуть его в ответе и запомнить')
}

export function accessLog(log: (entry: LogEntry) => void): Middleware {
  throw new Error('TODO: accessLog(log) — call log(entry) once the response has finished\nTODO(ru): accessLog(log) — вызвать log(entry), когда ответ отправлен полностью')
}

export function recovery(onError?: (err: unknown, req: IncomingMessage) => void): Middleware {
  throw new Error('TODO: recovery() — turn a throw or rejection of next() into a JSON 500\nTODO(ru): recovery() — превращать исключение или отклонённый промис из next() в ответ 500 в JSON')
}

export function timing(): Middleware {
  throw new Error('TODO: timing() — add Server-Timing: app;dur=<ms> just before the headers go out\nTODO(ru): timing() — добавить Server-Timing: app;dur=<ms> непосредственно перед отправкой заголовков')
}
