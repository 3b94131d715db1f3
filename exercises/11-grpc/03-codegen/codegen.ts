import protobuf from 'protobufjs'

/**
 * TypeScript types, enum values and service descriptors for one .proto file's source:
 * the job protoc and its plugins do. Parse with protobufjs (`protobuf.parse(source,
 * { keepCase: true })`) and walk the reflection tree. See README.md for the output.
 */
export function generate(protoSource: string): string {
  void protobuf
  throw new Error('TODO: parse protoSource with protobufjs and emit interfaces, enum unions/objects and service clients/definitions\nTODO(ru): разобрать protoSource с помощью protobufjs и сгенерировать интерфейсы, объединения и объекты для enum, клиенты и определения сервисов')
}
