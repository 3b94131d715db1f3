import type { RequestListener, ServerResponse } from 'node:http'

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

export function withCors(handler: RequestListener, options: CorsOptions): RequestListener {
  const methods = (options.methods ?? ['GET', 'HEAD', 'POST']).map((m) => m.toUpperCase())
  const allowHeaders = (options.allowHeaders ?? []).map((h) => h.toLowerCase())
  const any = options.origins.includes('*')
  const credentials = options.credentials === true
  // With credentials the browser rejects "*": echo the origin, and then it varies.
  const varies = !any || credentials

  const allowOrigin = (res: ServerResponse, origin: string) => {
    res.setHeader('Access-Control-Allow-Origin', any && !credentials ? '*' : origin)
    if (credentials) res.setHeader('Access-Control-Allow-Credentials', 'true')
  }

  return (req, res) => {
    const origin = req.headers.origin
    if (origin === undefined) return handler(req, res)
    const allowed = any || options.origins.includes(origin)
    const requestedMethod = req.headers['access-control-request-method']

    if (req.method === 'OPTIONS' && typeof requestedMethod === 'string') {
      res.setHeader('Vary', 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers')
      const requestedHeaders = String(req.headers['access-control-request-headers'] ?? '')
        .split(',')
        .map((h) => h.trim().toLowerCase())
        .filter(Boolean)
      const ok = allowed && methods.includes(requestedMethod.toUpperCase()) && requestedHeaders.every((h) => allowHeaders.includes(h))
      if (!ok) {
        res.writeHead(403, { 'Content-Type': 'application/json; charset=utf-8' })
        return void res.end(JSON.stringify({ error: 'cors_rejected' }))
      }
      allowOrigin(res, origin)
      res.setHeader('Access-Control-Allow-Methods', methods.join(', '))
      if (allowHeaders.length) res.setHeader('Access-Control-Allow-Headers', (options.allowHeaders ?? []).join(', '))
      if (options.maxAgeSec !== undefined) res.setHeader('Access-Control-Max-Age', String(options.maxAgeSec))
      res.writeHead(204, { 'Content-Length': '0' })
      return void res.end()
    }

    // An actual request: the browser, not the server, enforces CORS, so the handler runs
    // either way; only an allowed origin gets the headers that let the page read the answer.
    if (varies) res.setHeader('Vary', 'Origin')
    if (credentials) res.setHeader('Access-Control-Allow-Credentials', 'true')
    if (allowed) {
      allowOrigin(res, origin)
      if (options.exposeHeaders?.length) res.setHeader('Access-Control-Expose-Headers', options.exposeHeaders.join(', '))
    }
    return handler(req, res)
  }
}
