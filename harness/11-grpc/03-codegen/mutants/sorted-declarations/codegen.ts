import protobuf from 'protobufjs'

/** Proto scalar → TypeScript; 64-bit integers are strings, as proto-loader's `longs: String` gives them. */
const SCALARS: Record<string, string> = {
  double: 'number',
  float: 'number',
  int32: 'number',
  uint32: 'number',
  sint32: 'number',
  fixed32: 'number',
  sfixed32: 'number',
  int64: 'string',
  uint64: 'string',
  sint64: 'string',
  fixed64: 'string',
  sfixed64: 'string',
  bool: 'boolean',
  string: 'string',
  bytes: 'Uint8Array',
}

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1)

/** Nested types are flattened: message Order { message Line } → Order_Line. Packages are dropped. */
function tsName(obj: protobuf.ReflectionObject): string {
  const parts: string[] = []
  for (let o: protobuf.ReflectionObject | null = obj; o && (o instanceof protobuf.Type || o instanceof protobuf.Enum); o = o.parent) parts.unshift(o.name)
  return parts.join('_')
}

function fieldType(f: protobuf.Field): string {
  if (f instanceof protobuf.MapField) return `Record<string, ${valueType(f)}>`
  const t = valueType(f)
  return f.repeated ? `${t}[]` : t
}

function valueType(f: protobuf.Field): string {
  if (f.resolvedType) return tsName(f.resolvedType)
  const t = SCALARS[f.type]
  if (!t) throw new Error(`unsupported field type ${f.type} of ${f.fullName}`)
  return t
}

function message(t: protobuf.Type): string {
  const lines = t.fieldsArray.map((f) => {
    // Message fields may be unset; so may proto3 `optional` scalars. Repeated and maps are never unset.
    const isMessage = f.resolvedType instanceof protobuf.Type && !f.repeated && !(f instanceof protobuf.MapField)
    const optional = isMessage || f.options?.proto3_optional === true
    return `  ${protobuf.util.camelCase(f.name)}${optional ? '?' : ''}: ${fieldType(f)}`
  })
  return `export interface ${tsName(t)} {\n${lines.join('\n')}\n}`
}

function enumeration(e: protobuf.Enum): string {
  const name = tsName(e)
  const names = Object.keys(e.values)
  const union = names.map((n) => `'${n}'`).join(' | ') || 'never'
  const values = names.map((n) => `  ${n}: ${e.values[n]},`).join('\n')
  return `export type ${name} = ${union}\nexport const ${name} = {\n${values}\n} as const`
}

function service(s: protobuf.Service): string {
  const name = s.name
  const path = s.fullName.replace(/^\./, '')
  const sigs = s.methodsArray.map((m) => {
    const req = tsName(m.resolvedRequestType!)
    const res = tsName(m.resolvedResponseType!)
    const input = m.requestStream ? `requests: AsyncIterable<${req}>` : `request: ${req}`
    const output = m.responseStream ? `AsyncIterable<${res}>` : `Promise<${res}>`
    return `  ${lowerFirst(m.name)}(${input}): ${output}`
  })
  const defs = s.methodsArray.map(
    (m) => `  ${lowerFirst(m.name)}: { path: '/${path}/${m.name}', requestStream: ${!!m.requestStream}, responseStream: ${!!m.responseStream} },`,
  )
  return `export interface ${name}Client {\n${sigs.join('\n')}\n}\nexport const ${name}Definition = {\n${defs.join('\n')}\n} as const`
}

/** Every declaration below `ns`, in the order of the .proto. */
function* declarations(ns: protobuf.NamespaceBase): Generator<string> {
  for (const obj of ns.nestedArray) {
    if (obj instanceof protobuf.Type) yield message(obj)
    else if (obj instanceof protobuf.Enum) yield enumeration(obj)
    else if (obj instanceof protobuf.Service) yield service(obj)
    if (obj instanceof protobuf.Namespace || obj instanceof protobuf.Type) yield* declarations(obj)
  }
}

/** TypeScript types, enum values and service descriptors for one .proto file's source. */
export function generate(protoSource: string): string {
  const { root } = protobuf.parse(protoSource, { keepCase: true })
  root.resolveAll()
  // Sorted, so the output is easy to scan.
  const blocks = [...declarations(root)].sort((a, b) => a.localeCompare(b))
  return `// Generated from a .proto by codegen.ts. Do not edit.\n\n${blocks.join('\n\n')}\n`
}
