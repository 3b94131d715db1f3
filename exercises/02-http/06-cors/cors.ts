import type { RequestListener } from 'node:http'

export interface CorsOptions {
  /** Exact origins ("https://app.example.com"), or ["*"] for any origin. */
  origins: string[]
  /** Methods a preflight may ask for (default GET, HEAD, POST). */
  methods?: string[]
  /** Request headers a preflight may ask for, case-insensitive (default none). */
  allowHeaders?: string[]
  /** Response headers the browser may show to the page. */
  exposeHeaders?: string[]
  /** Allow cookies / Authorization: never combined with "*". */
  credentials?: boolean
  /** How long the browser may cache a preflight, in seconds. */
  maxAgeSec?: number
}

/** Wraps `handler` with CORS: answers preflights, adds Access-Control-* headers (see README.md). */
export function withCors(handler: RequestListener, options: CorsOptions): RequestListener {
  throw new Error('TODO: return a listener that answers CORS preflights and adds Access-Control-* headers before calling handler\nTODO(ru): вернуть обработчик, который отвечает на предварительные запросы CORS и добавляет заголовки Access-Control-* перед вызовом handler')
}
