import type { IncomingMessage, ServerResponse } from 'node:http'

export interface RouteContext {
  /** Decoded path parameters: `/users/:id` on `/users/42` gives `{ id: '42' }`. */
  params: Record<string, string>
  /** Decoded query: a key seen once is a string, a repeated key an array. */
  query: Record<string, string | string[]>
}

export type RouteHandler = (req: IncomingMessage, res: ServerResponse, ctx: RouteContext) => void | Promise<void>

export interface Router {
  /** Registers `handler` for `method` and `pattern`; returns the router for chaining. */
  on(method: string, pattern: string, handler: RouteHandler): Router
  /** The request listener: runs the matching route, or answers 400/404/405. */
  handle(req: IncomingMessage, res: ServerResponse): void
}

type Segment = { kind: 'static'; value: string } | { kind: 'param'; name: string } | { kind: 'rest'; name: string }

interface Route {
  method: string
  segments: Segment[]
  handler: RouteHandler
}

// Lower rank = more specific: a static segment beats a parameter, which beats a rest.
const rank = { static: 0, param: 1, rest: 2 } as const

export function createRouter(): Router {
  const routes: Route[] = []

  const router: Router = {
    on(method, pattern, handler) {
      routes.push({ method: method.toUpperCase(), segments: parse(pattern), handler })
      return router
    },

    handle(req, res) {
      const url = new URL(req.url ?? '/', 'http://local')
      // Split the raw path first, decode each part after: "%2F" stays inside one segment.
      const raw = url.pathname.split('/').slice(1)
      let parts: string[]
      try {
        parts = raw.map((p) => decodeURIComponent(p))
      } catch {
        return json(res, 400, { error: 'bad_request' })
      }

      const matching = routes
        .map((route) => ({ route, params: match(route.segments, parts) }))
        .filter((m): m is { route: Route; params: Record<string, string> } => m.params !== undefined)
      if (matching.length === 0) return json(res, 404, { error: 'not_found' })

      const forMethod = matching.filter((m) => m.route.method === req.method)
      if (forMethod.length === 0) {
        res.setHeader('Allow', [...new Set(matching.map((m) => m.route.method))].sort().join(', '))
        return json(res, 405, { error: 'method_not_allowed' })
      }
      forMethod.sort((a, b) => compare(a.route.segments, b.route.segments))
      const best = forMethod[0]!

      const query: Record<string, string | string[]> = {}
      for (const [key, value] of url.searchParams) {
        const seen = query[key]
        query[key] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value]
      }
      Promise.resolve()
        .then(() => best.route.handler(req, res, { params: best.params, query }))
        .catch(() => {
          if (!res.headersSent) json(res, 500, { error: 'internal' })
          else res.destroy()
        })
    },
  }
  return router
}

function parse(pattern: string): Segment[] {
  return pattern
    .split('/')
    .slice(1)
    .map((s): Segment => (s.startsWith(':') ? { kind: 'param', name: s.slice(1) } : s.startsWith('*') ? { kind: 'rest', name: s.slice(1) } : { kind: 'static', value: s }))
}

function match(segments: Segment[], parts: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {}
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!
    if (seg.kind === 'rest') {
      const rest = parts.slice(i)
      if (rest.length === 0) return undefined
      params[seg.name] = rest.join('/')
      return params
    }
    const part = parts[i]
    if (part === undefined) return undefined
    if (seg.kind === 'static' && seg.value !== part) return undefined
    if (seg.kind === 'param') {
      if (part === '') return undefined
      params[seg.name] = part
    }
  }
  return parts.length === segments.length ? params : undefined
}

/** Orders two matching patterns, most specific first, segment by segment from the left. */
function compare(a: Segment[], b: Segment[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const d = rank[a[i]!.kind] - rank[b[i]!.kind]
    if (d !== 0) return d
  }
  return b.length - a.length
}

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' })
  res.end(JSON.stringify(body))
}
