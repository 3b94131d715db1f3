import { fileURLToPath } from 'node:url'
import * as grpc from '@grpc/grpc-js'
import * as protoLoader from '@grpc/proto-loader'
import protobuf from 'protobufjs'

export const PROTO_PATH = fileURLToPath(new URL('./users.proto', import.meta.url))

export type Role = 'ROLE_UNSPECIFIED' | 'ROLE_MEMBER' | 'ROLE_ADMIN'

export interface User {
  id: string
  email: string
  name: string
  role: Role
}

export interface CreateUserInput {
  email: string
  name: string
  role?: Role
}

export interface UserServer {
  port: number
  stop(): Promise<void>
}

export interface UserClient {
  getUser(id: string): Promise<User>
  createUser(input: CreateUserInput): Promise<User>
  close(): void
}

/** Enums as their names, and every field present: what the TypeScript types above say. */
const LOADER_OPTIONS: protoLoader.Options = { keepCase: false, enums: String, defaults: true, oneofs: true }

function loadService(): grpc.ServiceClientConstructor {
  const pkg = grpc.loadPackageDefinition(protoLoader.loadSync(PROTO_PATH, LOADER_OPTIONS))
  const v1 = (pkg.roadmap as grpc.GrpcObject).users as grpc.GrpcObject
  return (v1.v1 as grpc.GrpcObject).UserService as grpc.ServiceClientConstructor
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/

const fail = (code: grpc.status, details: string): Partial<grpc.StatusObject> => ({ code, details })

export async function startUserServer(): Promise<UserServer> {
  const users = new Map<string, User>()
  const byEmail = new Map<string, string>()
  let next = 1

  const server = new grpc.Server()
  server.addService(loadService().service, {
    GetUser(call: grpc.ServerUnaryCall<{ id: string }, User>, callback: grpc.sendUnaryData<User>) {
      const { id } = call.request
      if (!id) return callback(fail(grpc.status.INVALID_ARGUMENT, 'id is required'))
      const user = users.get(id)
      if (!user) return callback(fail(grpc.status.NOT_FOUND, `user ${id} not found`))
      callback(null, user)
    },
    CreateUser(call: grpc.ServerUnaryCall<{ email: string; name: string; role: Role }, User>, callback: grpc.sendUnaryData<User>) {
      const email = call.request.email.trim().toLowerCase()
      if (!EMAIL.test(email)) return callback(fail(grpc.status.INVALID_ARGUMENT, `invalid email "${call.request.email}"`))
      if (byEmail.has(email)) return callback(fail(grpc.status.ALREADY_EXISTS, `email ${email} is taken`))
      const role = call.request.role === 'ROLE_UNSPECIFIED' ? 'ROLE_MEMBER' : call.request.role
      const user: User = { id: `u-${next++}`, email, name: call.request.name, role }
      users.set(user.id, user)
      byEmail.set(email, user.id)
      callback(null, user)
    },
  })
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  )
  return {
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        // Graceful first; calls still running after a second are cut.
        const timer = setTimeout(() => server.forceShutdown(), 1_000)
        server.tryShutdown(() => {
          clearTimeout(timer)
          resolve()
        })
      }),
  }
}

export function createUserClient(address: string, { deadlineMs }: { deadlineMs: number }): UserClient {
  const client = new grpc.Client(address, grpc.credentials.createInsecure())
  const serialize = (type: protobuf.Type) => (value: object) => Buffer.from(type.encode(type.fromObject(value)).finish())
  const deserialize = (type: protobuf.Type) => (bytes: Buffer) => type.toObject(type.decode(bytes), { enums: String, defaults: true }) as User
  const root = protobuf.loadSync(PROTO_PATH)
  const user = root.lookupType('roadmap.users.v1.User')
  // A generic client with protobuf.js codecs: the same bytes on the wire as the generated stub.
  const unary = (path: string, type: protobuf.Type, request: object) =>
    new Promise<User>((resolve, reject) => {
      const deadline = new Date(Date.now() + deadlineMs)
      client.makeUnaryRequest(path, serialize(type), deserialize(user), request, new grpc.Metadata(), { deadline }, (err, value) =>
        err ? reject(err) : resolve(value!),
      )
    })
  return {
    getUser: (id) => unary('/roadmap.users.v1.UserService/GetUser', root.lookupType('roadmap.users.v1.GetUserRequest'), { id }),
    createUser: (input) => unary('/roadmap.users.v1.UserService/CreateUser', root.lookupType('roadmap.users.v1.CreateUserRequest'), input),
    close: () => client.close(),
  }
}
