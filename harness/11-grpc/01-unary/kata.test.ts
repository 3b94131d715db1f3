import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { clientFor, grpc, loadService, reflect, serve, statusName, unary } from '#support/grpc'
import * as kata from '@kata/grpc/unary'

// The contract, as the suite's own .proto: the learner's server and client must speak it.
const CONTRACT = fileURLToPath(new URL('./users.proto', import.meta.url))
const SERVICE = 'roadmap.users.v1.UserService'
const Users = loadService(CONTRACT, SERVICE)

interface User {
  id: string
  email: string
  name: string
  role: string
}
interface UserServer {
  port: number
  stop(): Promise<void>
}
interface UserClient {
  getUser(id: string): Promise<User>
  createUser(input: { email: string; name: string; role?: string }): Promise<User>
  close(): void
}

describe('users.proto: the schema', () => {
  const fields = (type: string) => {
    const t = reflect(kata.PROTO_PATH).lookupType(type)
    return Object.fromEntries(t.fieldsArray.map((f) => [f.name, `${f.id} ${f.repeated ? 'repeated ' : ''}${f.type}`]))
  }

  it('declares service roadmap.users.v1.UserService with unary GetUser and CreateUser', () => {
    const service = reflect(kata.PROTO_PATH).lookupService(SERVICE)
    const methods = Object.fromEntries(service.methodsArray.map((m) => [m.name, `${m.requestType} -> ${m.responseType}${m.requestStream ? ' (client stream)' : ''}${m.responseStream ? ' (server stream)' : ''}`]))
    expect(methods, `methods of ${SERVICE} in your users.proto`).toEqual({ GetUser: 'GetUserRequest -> User', CreateUser: 'CreateUserRequest -> User' })
  })

  it('numbers and types the fields of User, GetUserRequest and CreateUserRequest as the contract says', () => {
    expect(fields('roadmap.users.v1.User'), 'fields of message User (number type)').toEqual({ id: '1 string', email: '2 string', name: '3 string', role: '4 Role' })
    expect(fields('roadmap.users.v1.GetUserRequest'), 'fields of message GetUserRequest').toEqual({ id: '1 string' })
    expect(fields('roadmap.users.v1.CreateUserRequest'), 'fields of message CreateUserRequest').toEqual({ email: '1 string', name: '2 string', role: '3 Role' })
  })

  it('declares enum Role with ROLE_UNSPECIFIED = 0, ROLE_MEMBER = 1, ROLE_ADMIN = 2', () => {
    const role = reflect(kata.PROTO_PATH).lookupEnum('roadmap.users.v1.Role')
    expect(role.values, 'values of enum Role').toEqual({ ROLE_UNSPECIFIED: 0, ROLE_MEMBER: 1, ROLE_ADMIN: 2 })
  })
})

describe('startUserServer(): the server, called by a client of the contract', () => {
  let server: UserServer
  let client: ReturnType<typeof clientFor>
  beforeAll(async () => {
    server = await kata.startUserServer()
    client = clientFor(Users, `127.0.0.1:${server.port}`)
  })
  afterAll(async () => {
    client?.close()
    await server?.stop()
  })

  it('listens on the port it reports', () => {
    expect(Number.isInteger(server.port) && server.port > 0, `port ${server.port}`).toBe(true)
  })

  it('CreateUser stores a user and answers it with a new id; GetUser finds it', async () => {
    const created = await unary<User>(client, 'CreateUser', { email: 'ada@example.com', name: 'Ada', role: 'ROLE_ADMIN' })
    expect(statusName(created.error?.code), 'CreateUser(ada@example.com): status').toBe('OK')
    expect(created.value, 'CreateUser(ada@example.com, Ada, ROLE_ADMIN)').toEqual({ id: expect.stringMatching(/.+/), email: 'ada@example.com', name: 'Ada', role: 'ROLE_ADMIN' })
    const got = await unary<User>(client, 'GetUser', { id: created.value!.id })
    expect(got.value, `GetUser(${created.value!.id})`).toEqual(created.value)
  })

  it('gives ROLE_MEMBER to a user created without a role, and lower-cases the email', async () => {
    const created = await unary<User>(client, 'CreateUser', { email: '  Grace@Example.COM ', name: 'Grace' })
    expect(created.value, 'CreateUser("  Grace@Example.COM ", "Grace", no role)').toEqual({ id: expect.any(String), email: 'grace@example.com', name: 'Grace', role: 'ROLE_MEMBER' })
  })

  it('answers NOT_FOUND, naming the id, for an unknown user', async () => {
    const got = await unary<User>(client, 'GetUser', { id: 'u-nobody' })
    expect(statusName(got.error?.code), 'GetUser("u-nobody"): status').toBe('NOT_FOUND')
    expect(got.error?.details, 'GetUser("u-nobody"): status details').toContain('u-nobody')
  })

  it('answers INVALID_ARGUMENT for an empty id and for a malformed email', async () => {
    expect(statusName((await unary(client, 'GetUser', { id: '' })).error?.code), 'GetUser(""): status').toBe('INVALID_ARGUMENT')
    expect(statusName((await unary(client, 'CreateUser', { email: 'not-an-email', name: 'X' })).error?.code), 'CreateUser("not-an-email"): status').toBe('INVALID_ARGUMENT')
  })

  it('answers ALREADY_EXISTS for an email that is taken, in any case', async () => {
    await unary(client, 'CreateUser', { email: 'linus@example.com', name: 'Linus' })
    const again = await unary(client, 'CreateUser', { email: 'LINUS@example.com', name: 'Linus 2' })
    expect(statusName(again.error?.code), 'second CreateUser("LINUS@example.com"): status').toBe('ALREADY_EXISTS')
  })

  it('gives 20 users created in parallel 20 different ids', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => unary<User>(client, 'CreateUser', { email: `p${i}@example.com`, name: `P${i}` })))
    expect(results.map((r) => statusName(r.error?.code)), 'statuses of 20 parallel CreateUser').toEqual(Array(20).fill('OK'))
    expect(new Set(results.map((r) => r.value!.id)).size, 'distinct ids among 20 parallel CreateUser').toBe(20)
  })

  it('stop() shuts the server down: new calls fail with UNAVAILABLE', async () => {
    const other: UserServer = await kata.startUserServer()
    const c = clientFor(Users, `127.0.0.1:${other.port}`)
    expect(statusName((await unary(c, 'GetUser', { id: 'x' })).error?.code), 'GetUser before stop()').toBe('NOT_FOUND')
    await other.stop()
    c.close()
    const after = clientFor(Users, `127.0.0.1:${other.port}`)
    expect(statusName((await unary(after, 'GetUser', { id: 'x' }, 1_500)).error?.code), 'GetUser after stop()').toMatch(/^(UNAVAILABLE|DEADLINE_EXCEEDED)$/)
  })
})

describe('createUserClient(address, { deadlineMs }): the client, against the suite\'s server', () => {
  const seen: { method: string; deadlineInMs: number }[] = []
  let address = ''
  let delayMs = 0
  const ada = { id: 'u-7', email: 'ada@example.com', name: 'Ada', role: 'ROLE_ADMIN' }

  beforeAll(async () => {
    const record = (method: string, call: grpc.ServerUnaryCall<unknown, unknown>) => {
      const d = call.getDeadline()
      seen.push({ method, deadlineInMs: d instanceof Date ? d.getTime() - Date.now() : typeof d === 'number' ? d - Date.now() : Infinity })
    }
    ;({ address } = await serve(Users, {
      GetUser(call: grpc.ServerUnaryCall<{ id: string }, unknown>, cb: grpc.sendUnaryData<unknown>) {
        record('GetUser', call)
        setTimeout(() => {
          if (call.request.id === ada.id) cb(null, ada)
          else cb({ code: grpc.status.NOT_FOUND, details: `user ${call.request.id} not found` })
        }, delayMs)
      },
      CreateUser(call: grpc.ServerUnaryCall<{ email: string; name: string; role: string }, unknown>, cb: grpc.sendUnaryData<unknown>) {
        record('CreateUser', call)
        cb(null, { id: 'u-8', email: call.request.email, name: call.request.name, role: call.request.role === 'ROLE_UNSPECIFIED' ? 'ROLE_MEMBER' : call.request.role })
      },
    }))
  })

  const withClient = async <T>(deadlineMs: number, fn: (c: UserClient) => Promise<T>) => {
    const c: UserClient = kata.createUserClient(address, { deadlineMs })
    try {
      return await fn(c)
    } finally {
      c.close()
    }
  }

  it('getUser resolves with the user, the enum as its name', async () => {
    delayMs = 0
    expect(await withClient(2_000, (c) => c.getUser('u-7')), 'getUser("u-7")').toEqual(ada)
  })

  it('createUser sends email, name and role and resolves with the created user', async () => {
    expect(await withClient(2_000, (c) => c.createUser({ email: 'bob@example.com', name: 'Bob', role: 'ROLE_ADMIN' })), 'createUser(bob, ROLE_ADMIN)').toEqual({ id: 'u-8', email: 'bob@example.com', name: 'Bob', role: 'ROLE_ADMIN' })
  })

  it('sends a deadline of about deadlineMs with every call', async () => {
    delayMs = 0
    seen.length = 0
    await withClient(5_000, async (c) => {
      await c.getUser('u-7')
      await c.createUser({ email: 'x@example.com', name: 'X' })
    })
    expect(seen.map((s) => s.method), 'calls the server received').toEqual(['GetUser', 'CreateUser'])
    for (const s of seen) {
      expect(s.deadlineInMs, `${s.method}: ms left before the deadline the server saw (client deadlineMs 5000; Infinity means no deadline was sent)`).toBeGreaterThan(0)
      expect(s.deadlineInMs, `${s.method}: ms left before the deadline the server saw (client deadlineMs 5000; Infinity means no deadline was sent)`).toBeLessThanOrEqual(5_100)
    }
  })

  it('gives each call a fresh deadline, not one fixed when the client was created', async () => {
    delayMs = 0
    seen.length = 0
    // Margins wide enough for a busy machine: the call is made 2700 ms after the client.
    await withClient(2_500, async (c) => {
      await new Promise((resolve) => setTimeout(resolve, 2_700))
      await c.getUser('u-7')
    })
    expect(seen[0]?.deadlineInMs, 'ms left before the deadline of a call made 2700 ms after createUserClient(…, { deadlineMs: 2500 }): compute Date.now() + deadlineMs in each call, not once in createUserClient').toBeGreaterThan(0)
  })

  it('rejects with DEADLINE_EXCEEDED when the server is slower than the deadline', async () => {
    delayMs = 8_000
    const t0 = performance.now()
    const err = (await withClient(300, (c) => c.getUser('u-7')).catch((e: unknown) => e)) as grpc.ServiceError
    const took = performance.now() - t0
    delayMs = 0
    expect(statusName(err?.code), 'getUser("u-7") with deadlineMs 300 on a server that answers after 8000 ms: status code of the rejection').toBe('DEADLINE_EXCEEDED')
    expect(took, 'ms until that call rejected (deadline 300 ms, server answers after 8000 ms)').toBeLessThan(6_000)
  })

  it('rejects with the server\'s status code: NOT_FOUND for an unknown user', async () => {
    delayMs = 0
    const err = (await withClient(2_000, (c) => c.getUser('u-404')).catch((e: unknown) => e)) as grpc.ServiceError
    expect(statusName(err?.code), 'getUser("u-404"): code of the rejection').toBe('NOT_FOUND')
    expect(err?.details, 'getUser("u-404"): details of the rejection').toBe('user u-404 not found')
  })
})
