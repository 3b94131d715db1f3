import { fileURLToPath } from 'node:url'

/** Where your schema is: load it with @grpc/proto-loader from here. */
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

/** A UserService server on 127.0.0.1 and a port the OS picks. See README.md. */
export async function startUserServer(): Promise<UserServer> {
  throw new Error('TODO: load users.proto, add the UserService implementation to a grpc.Server and bind 127.0.0.1:0\nTODO(ru): загрузить users.proto, добавить реализацию UserService в grpc.Server и привязать его к 127.0.0.1:0')
}

/** A client whose every call carries a deadline of deadlineMs. See README.md. */
export function createUserClient(address: string, options: { deadlineMs: number }): UserClient {
  throw new Error('TODO: create a UserService client and wrap GetUser/CreateUser in promises with a per-call deadline\nTODO(ru): создать клиент UserService и обернуть GetUser/CreateUser в промисы со сроком на каждый вызов')
}
