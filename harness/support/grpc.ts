// Helpers for the gRPC chapter's suites: load a .proto, run a real server or client on
// 127.0.0.1, make calls that resolve to { error } or { value }, and check a learner's
// .proto by reflection.
import * as grpc from '@grpc/grpc-js'
import * as protoLoader from '@grpc/proto-loader'
import protobuf from 'protobufjs'
import { afterAll } from 'vitest'

export { grpc }

/** Strings for enums and 64-bit integers, every field present: easy to compare. */
export const LOADER_OPTIONS: protoLoader.Options = { keepCase: false, enums: String, longs: String, defaults: true, oneofs: true }

/** The client constructor of `service` (a dotted name, e.g. "roadmap.users.v1.UserService"). */
export function loadService(protoPath: string, service: string): grpc.ServiceClientConstructor {
  const pkg = grpc.loadPackageDefinition(protoLoader.loadSync(protoPath, LOADER_OPTIONS))
  const found = service.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], pkg)
  if (typeof found !== 'function') throw new Error(`${service} is not in ${protoPath}`)
  return found as grpc.ServiceClientConstructor
}

const closers: (() => void)[] = []
afterAll(() => {
  for (const close of closers.splice(0)) close()
})

/** A client on `address`, closed after the suite. */
export function clientFor(Service: grpc.ServiceClientConstructor, address: string): grpc.Client & Record<string, Function> {
  const c = new Service(address, grpc.credentials.createInsecure()) as grpc.Client & Record<string, Function>
  closers.push(() => c.close())
  return c
}

/** A server on 127.0.0.1, port chosen by the OS, shut down after the suite. */
export async function serve(Service: grpc.ServiceClientConstructor, impl: grpc.UntypedServiceImplementation): Promise<{ address: string; server: grpc.Server }> {
  const server = new grpc.Server()
  server.addService(Service.service, impl)
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  )
  closers.push(() => server.forceShutdown())
  return { address: `127.0.0.1:${port}`, server }
}

export type Outcome<T> = { value: T; error?: undefined } | { value?: undefined; error: grpc.ServiceError }

/** A unary call that never rejects; `deadlineMs` defaults to 3 s so a silent server cannot hang the suite. */
export function unary<T>(client: grpc.Client & Record<string, Function>, method: string, request: object, deadlineMs = 3_000, metadata = new grpc.Metadata()): Promise<Outcome<T>> {
  return new Promise((resolve) => {
    client[method]!.call(client, request, metadata, { deadline: Date.now() + deadlineMs }, (error: grpc.ServiceError | null, value: T) =>
      resolve(error ? { error } : { value }),
    )
  })
}

/** "NOT_FOUND" for 5, and so on: status names read better in a failure message. */
export const statusName = (code: number | undefined) => (code === undefined ? 'OK' : (grpc.status[code] ?? String(code)))

/** The learner's .proto, parsed by protobufjs (the reflection protoc's descriptors give). */
export function reflect(protoPath: string): protobuf.Root {
  const root = protobuf.loadSync(protoPath)
  root.resolveAll()
  return root
}
