import type { IncomingMessage, ServerResponse } from 'node:http'
import request from 'supertest'
import { describe, expect, it } from 'vitest'
import { createRouter } from '@kata/http/router'

interface Ctx {
  params: Record<string, string>
  query: Record<string, string | string[]>
}

/** A handler that answers which route ran, with what it was given. */
const echo = (route: string) => (_req: IncomingMessage, res: ServerResponse, ctx: Ctx) => {
  res.writeHead(200, { 'Content-Type': 'application/json' })
  res.end(JSON.stringify({ route, params: ctx.params, query: ctx.query }))
}

/** The router's listener, wrapped so the suite never depends on `this` binding. */
function app(setup: (r: ReturnType<typeof createRouter>) => void) {
  const router = createRouter()
  setup(router)
  return (req: IncomingMessage, res: ServerResponse) => router.handle(req, res)
}

const api = () =>
  app((r) => {
    r.on('GET', '/users', echo('list users'))
    r.on('POST', '/users', echo('create user'))
    r.on('GET', '/users/:id', echo('get user'))
    r.on('DELETE', '/users/:id', echo('delete user'))
    r.on('GET', '/users/:userId/posts/:postId', echo('get post'))
    r.on('GET', '/health', echo('health'))
  })

describe('matching routes', () => {
  it('runs the handler registered for the method and the exact path', async () => {
    const a = api()
    for (const [method, path, route] of [
      ['get', '/users', 'list users'],
      ['post', '/users', 'create user'],
      ['get', '/health', 'health'],
    ] as const) {
      const res = await request(a)[method](path)
      expect(res.status, `${method.toUpperCase()} ${path}`).toBe(200)
      expect(res.body.route, `${method.toUpperCase()} ${path}: which handler ran`).toBe(route)
    }
  })

  it('captures path parameters by name', async () => {
    const res = await request(api()).get('/users/42/posts/7')
    expect(res.body.route, 'GET /users/42/posts/7: which handler ran').toBe('get post')
    expect(res.body.params, 'GET /users/42/posts/7: params').toEqual({ userId: '42', postId: '7' })
    const one = await request(api()).delete('/users/ada')
    expect(one.body, 'DELETE /users/ada').toMatchObject({ route: 'delete user', params: { id: 'ada' } })
  })

  it('gives a route without parameters an empty params object', async () => {
    const res = await request(api()).get('/health')
    expect(res.body.params, 'GET /health: params').toEqual({})
  })

  it('percent-decodes parameters, after splitting the path (an encoded "/" stays inside the parameter)', async () => {
    const a = api()
    const res = await request(a).get('/users/J%C3%BCrgen%20M')
    expect(res.body.params, 'GET /users/J%C3%BCrgen%20M: params').toEqual({ id: 'Jürgen M' })
    const slash = await request(a).get('/users/a%2Fb')
    expect(slash.status, 'GET /users/a%2Fb: it is one segment, so /users/:id matches').toBe(200)
    expect(slash.body.params, 'GET /users/a%2Fb: params').toEqual({ id: 'a/b' })
  })

  it('answers 400 {"error":"bad_request"} for a broken percent-encoding', async () => {
    const res = await request(api()).get('/users/%E0%A4%A')
    expect(res.status, 'GET /users/%E0%A4%A').toBe(400)
    expect(res.body, 'GET /users/%E0%A4%A: body').toEqual({ error: 'bad_request' })
  })

  it('ignores the query string when matching', async () => {
    const res = await request(api()).get('/users/42?expand=posts')
    expect(res.status, 'GET /users/42?expand=posts').toBe(200)
    expect(res.body.params, 'GET /users/42?expand=posts: params').toEqual({ id: '42' })
  })

  it('matches whole paths only: extra segments, missing segments, empty parameters and a trailing slash do not match', async () => {
    const a = api()
    for (const path of ['/users/42/extra', '/users/42/posts', '/users/', '/users//posts/7', '/health/', '/healthz', '/']) {
      const res = await request(a).get(path)
      expect(res.status, `GET ${path}`).toBe(404)
    }
  })

  it('prefers a static segment over a parameter, whatever the registration order', async () => {
    for (const order of ['param first', 'static first']) {
      const a = app((r) => {
        if (order === 'param first') r.on('GET', '/users/:id', echo('by id'))
        r.on('GET', '/users/me', echo('me'))
        if (order === 'static first') r.on('GET', '/users/:id', echo('by id'))
      })
      expect((await request(a).get('/users/me')).body.route, `GET /users/me with /users/:id registered ${order === 'param first' ? 'before' : 'after'} /users/me`).toBe('me')
      expect((await request(a).get('/users/mel')).body.route, `GET /users/mel (${order})`).toBe('by id')
    }
  })

  it('supports a rest segment "*name" that captures the remaining path', async () => {
    const a = app((r) => {
      r.on('GET', '/static/*file', echo('static'))
      r.on('GET', '/static/:name/info', echo('info'))
    })
    const res = await request(a).get('/static/css/site.css')
    expect(res.body, 'GET /static/css/site.css on /static/*file').toMatchObject({ route: 'static', params: { file: 'css/site.css' } })
    const one = await request(a).get('/static/logo.png')
    expect(one.body.params, 'GET /static/logo.png on /static/*file').toEqual({ file: 'logo.png' })
    const info = await request(a).get('/static/logo.png/info')
    expect(info.body.route, 'GET /static/logo.png/info: /static/:name/info is more specific than /static/*file').toBe('info')
    expect((await request(a).get('/static')).status, 'GET /static: a rest segment needs at least one segment').toBe(404)
    expect((await request(a).get('/static/')).status, 'GET /static/ (trailing slash, an empty segment): a rest segment needs at least one non-empty segment').toBe(404)
  })

  it('compares specificity segment by segment from the left, not by counting static segments', async () => {
    for (const order of ['/a/:x/c/d first', '/a/b/:y/:z first']) {
      const a = app((r) => {
        if (order === '/a/:x/c/d first') r.on('GET', '/a/:x/c/d', echo('/a/:x/c/d'))
        r.on('GET', '/a/b/:y/:z', echo('/a/b/:y/:z'))
        if (order === '/a/b/:y/:z first') r.on('GET', '/a/:x/c/d', echo('/a/:x/c/d'))
      })
      const res = await request(a).get('/a/b/c/d')
      expect(
        res.body.route,
        `GET /a/b/c/d with ${order}: the second segment decides (static "b" beats ":x"), although /a/:x/c/d has more static segments`,
      ).toBe('/a/b/:y/:z')
    }
  })

  it('runs a less specific pattern when only it has the method', async () => {
    const a = app((r) => {
      r.on('GET', '/users/me', echo('me'))
      r.on('DELETE', '/users/:id', echo('delete user'))
    })
    const res = await request(a).delete('/users/me')
    expect(res.status, 'DELETE /users/me with GET /users/me and DELETE /users/:id: /users/:id matches the path and has DELETE').toBe(200)
    expect(res.body, 'DELETE /users/me: which handler ran').toMatchObject({ route: 'delete user', params: { id: 'me' } })
  })
})

describe('query strings', () => {
  it('decodes the query: one key → string, a repeated key → array in order, "+" and %20 are spaces', async () => {
    const res = await request(api()).get('/users?q=ada+lovelace&tag=math&tag=poetry&tag=engines&city=S%C3%A3o%20Paulo&empty=')
    expect(res.body.query, 'GET /users?q=ada+lovelace&tag=math&tag=poetry&tag=engines&city=S%C3%A3o%20Paulo&empty=').toEqual({
      q: 'ada lovelace',
      tag: ['math', 'poetry', 'engines'],
      city: 'São Paulo',
      empty: '',
    })
  })

  it('gives an empty query object when there is no query string', async () => {
    const res = await request(api()).get('/users')
    expect(res.body.query, 'GET /users: query').toEqual({})
  })
})

describe('404 vs 405', () => {
  it('404 {"error":"not_found"} when no route has this path', async () => {
    const res = await request(api()).get('/orders/1')
    expect(res.status, 'GET /orders/1').toBe(404)
    expect(res.headers['content-type'], 'GET /orders/1: Content-Type').toMatch(/^application\/json/)
    expect(res.body, 'GET /orders/1: body').toEqual({ error: 'not_found' })
  })

  it('405 {"error":"method_not_allowed"} with an Allow header when the path exists for other methods', async () => {
    const a = api()
    for (const [method, path, allow] of [
      ['put', '/users/42', ['DELETE', 'GET']],
      ['delete', '/users', ['GET', 'POST']],
      ['post', '/users/42/posts/7', ['GET']],
    ] as const) {
      const res = await request(a)[method](path)
      const what = `${method.toUpperCase()} ${path}`
      expect(res.status, what).toBe(405)
      expect(res.body, `${what}: body`).toEqual({ error: 'method_not_allowed' })
      const listed = String(res.headers.allow ?? '').split(',').map((m) => m.trim()).filter(Boolean).sort()
      expect(listed, `${what}: Allow header (each method once)`).toEqual(allow)
    }
  })

  it('collects Allow from every pattern that matches the path', async () => {
    const a = app((r) => {
      r.on('GET', '/users/me', echo('me'))
      r.on('GET', '/users/:id', echo('get user'))
      r.on('PATCH', '/users/:id', echo('patch user'))
      r.on('DELETE', '/users/:id', echo('delete user'))
    })
    const res = await request(a).put('/users/me')
    expect(res.status, 'PUT /users/me').toBe(405)
    const listed = String(res.headers.allow ?? '').split(',').map((m) => m.trim()).sort()
    expect(listed, 'PUT /users/me: Allow (from /users/me and /users/:id, GET listed once although both have it)').toEqual(['DELETE', 'GET', 'PATCH'])
  })

  it('keeps routers independent: a route registered on one is unknown to another', async () => {
    const first = createRouter()
    first.on('GET', '/only-here', echo('only here'))
    const second = app(() => undefined)
    expect((await request(second).get('/only-here')).status, 'GET /only-here on a second router').toBe(404)
  })

  it('returns the router from on() so routes can be chained', async () => {
    const router = createRouter()
    const returned = router.on('GET', '/a', echo('a'))
    expect(returned, 'router.on(…) returns').toBe(router)
    returned.on('GET', '/b', echo('b'))
    const res = await request((req: IncomingMessage, res: ServerResponse) => router.handle(req, res)).get('/b')
    expect(res.body.route, 'GET /b registered through the chained call').toBe('b')
  })
})
