import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire, stripTypeScriptTypes } from 'node:module'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as kata from '@kata/grpc/codegen'

// ---- the .proto files the suite generates code for ----------------------------------
const PROTOS = {
  scalars: `
syntax = "proto3";
package kata.scalars.v1;

message Scalars {
  double a_double = 1;
  float a_float = 2;
  int32 an_int32 = 3;
  int64 an_int64 = 4;
  uint32 a_uint32 = 5;
  uint64 a_uint64 = 6;
  sint32 a_sint32 = 7;
  sint64 a_sint64 = 8;
  fixed32 a_fixed32 = 9;
  fixed64 a_fixed64 = 10;
  sfixed32 a_sfixed32 = 11;
  sfixed64 a_sfixed64 = 12;
  bool a_bool = 13;
  string a_string = 14;
  bytes some_bytes = 15;
}
`,
  shop: `
syntax = "proto3";
package shop.v1;

enum Status {
  STATUS_UNSPECIFIED = 0;
  STATUS_PAID = 1;
  STATUS_SHIPPED = 2;
}

message Order {
  message Line {
    string sku = 1;
    uint32 qty = 2;
  }
  enum Kind {
    KIND_UNSPECIFIED = 0;
    KIND_GIFT = 5;
  }
  string id = 1;
  repeated Line lines = 2;
  Status status = 3;
  map<string, int64> counts = 4;
  Customer customer = 5;
  optional string note = 6;
  Kind kind = 7;
  repeated string tags = 8;
}

message Customer {
  string id = 1;
  string display_name = 2;
}

message GetOrderRequest { string id = 1; }
message WatchOrdersRequest { string customer_id = 1; }
message UploadSummary { uint32 lines = 1; }
message ChatMessage { string text = 1; }

service Shop {
  rpc GetOrder (GetOrderRequest) returns (Order);
  rpc WatchOrders (WatchOrdersRequest) returns (stream Order);
  rpc UploadLines (stream Order.Line) returns (UploadSummary);
  rpc Chat (stream ChatMessage) returns (stream ChatMessage);
}
`,
  billing: `
syntax = "proto3";
package acme.billing.v2;

message GetInvoiceRequest { string invoice_id = 1; }
message Invoice { string invoice_id = 1; int64 amount_cents = 2; }

service Invoices {
  rpc GetInvoice (GetInvoiceRequest) returns (Invoice);
}
`,
  nopackage: `
syntax = "proto3";

message PingRequest { string payload = 1; }
message PingReply { string payload = 1; uint32 hops = 2; }

service Pinger {
  rpc Ping (PingRequest) returns (PingReply);
}
`,
}
type ProtoName = keyof typeof PROTOS

// ---- what must and must not type-check against the generated code ------------------
interface Case {
  /** One line of TypeScript. */
  code: string
  /** What it shows, in the learner's terms. */
  what: string
  /** false: the line must be a type error (written under @ts-expect-error). */
  compiles: boolean
}
interface Usage {
  imports: string[]
  /** Lines the cases need first (declarations); must compile. */
  setup?: string[]
  cases: Case[]
}

const OK_SCALARS = `{ aDouble: 1.5, aFloat: 2.5, anInt32: -3, anInt64: '-9007199254740993', aUint32: 4, aUint64: '18446744073709551615', aSint32: -5, aSint64: '-6', aFixed32: 7, aFixed64: '8', aSfixed32: -9, aSfixed64: '-10', aBool: true, aString: 'x', someBytes: new Uint8Array([1]) }`
const OK_ORDER = `{ id: 'o1', lines: [{ sku: 'A', qty: 2 }], status: 'STATUS_PAID', counts: { a: '1' }, kind: 'KIND_GIFT', tags: ['x'] }`

const USAGE: Record<ProtoName, Record<string, Usage>> = {
  scalars: {
    types: {
      imports: ['Scalars'],
      setup: [`const ok: Scalars = ${OK_SCALARS}`],
      cases: [
        { code: `const c1: Scalars = ${OK_SCALARS}`, what: 'a Scalars with every field set (lowerCamelCase names, numbers, strings for 64-bit integers, a boolean, a Uint8Array)', compiles: true },
        { code: `const c2: Scalars = { ...ok, anInt32: '1' }`, what: 'an int32 field holding a string', compiles: false },
        { code: `const c3: Scalars = { ...ok, anInt64: 1 }`, what: 'an int64 field holding a number (64-bit integers are strings: a JS number loses precision past 2^53)', compiles: false },
        { code: `const c4: Scalars = { ...ok, aSfixed64: 1 }`, what: 'an sfixed64 field holding a number', compiles: false },
        { code: `const c5: Scalars = { ...ok, aBool: 'true' }`, what: 'a bool field holding a string', compiles: false },
        { code: `const c6: Scalars = { ...ok, someBytes: 'AQ==' }`, what: 'a bytes field holding a string', compiles: false },
        { code: `const c7: Scalars = { ...ok, a_double: 1 }`, what: 'a snake_case field name (a_double) instead of lowerCamelCase (aDouble)', compiles: false },
        { code: `const c8: Scalars = (({ aString: _, ...rest }) => rest)(ok)`, what: 'a Scalars without its string field (scalar fields are required)', compiles: false },
      ],
    },
  },
  shop: {
    messages: {
      imports: ['Order', 'Order_Line', 'Order_Kind', 'Status', 'Customer'],
      setup: [`const o: Order = ${OK_ORDER}`],
      cases: [
        { code: `const c1: Order = ${OK_ORDER}`, what: 'an Order without its message field customer and its optional note (both may be unset)', compiles: true },
        { code: `const c2: Order = { ...o, customer: { id: 'c1', displayName: 'Ada' }, note: 'gift wrap' }`, what: 'an Order with customer and note set', compiles: true },
        { code: `const c3: Order_Line = { sku: 'A', qty: 1 }`, what: 'the nested message Order.Line, named Order_Line', compiles: true },
        { code: `const c4: Order = { ...o, lines: [{ sku: 'A' }] }`, what: 'an Order whose line lacks qty (nested message fields are required too)', compiles: false },
        { code: `const c5: Order = { ...o, lines: { sku: 'A', qty: 1 } }`, what: 'a repeated field holding one object instead of an array', compiles: false },
        { code: `const c6: Order = { ...o, tags: 'x' }`, what: 'repeated string tags holding a string instead of an array', compiles: false },
        { code: `const c7: Order = { ...o, counts: { a: 1 } }`, what: 'map<string, int64> counts with a number value (int64 is a string)', compiles: false },
        { code: `const c8: Order = { ...o, customer: { id: 'c1' } }`, what: 'a customer without display_name (displayName is required in Customer)', compiles: false },
        { code: `const c9: Order = (({ lines: _, ...rest }) => rest)(o)`, what: 'an Order without its repeated field lines (repeated fields are required: an empty array, never undefined)', compiles: false },
        { code: `const c10: Order = (({ counts: _, ...rest }) => rest)(o)`, what: 'an Order without its map field counts (map fields are required: an empty record, never undefined)', compiles: false },
      ],
    },
    enums: {
      imports: ['Status', 'Order_Kind'],
      cases: [
        { code: `const c1: Status = 'STATUS_SHIPPED'`, what: 'an enum type is the union of its value names', compiles: true },
        { code: `const c2: Status = 'SHIPPED'`, what: 'a name that is not a value of Status', compiles: false },
        { code: `const c3: Order_Kind = 'KIND_GIFT'`, what: 'the nested enum Order.Kind, named Order_Kind', compiles: true },
        { code: `const c4: 2 = Status.STATUS_SHIPPED`, what: 'the Status object maps names to their numbers, as constants (as const)', compiles: true },
        { code: `const c5: Status = 'STATUS_PAID' as Order_Kind`, what: 'a value of another enum', compiles: false },
      ],
    },
    service: {
      imports: ['ShopClient', 'Order', 'Order_Line', 'UploadSummary', 'ChatMessage'],
      setup: ['declare const shop: ShopClient', 'declare const lines: AsyncIterable<Order_Line>', 'declare const messages: AsyncIterable<ChatMessage>'],
      cases: [
        { code: `const c1: Promise<Order> = shop.getOrder({ id: 'o1' })`, what: 'unary GetOrder: shop.getOrder(request) returns a Promise of the response', compiles: true },
        { code: `shop.getOrder({ id: 1 })`, what: 'shop.getOrder with an id that is a number', compiles: false },
        { code: `const c3: AsyncIterable<Order> = shop.watchOrders({ customerId: 'c1' })`, what: 'server-streaming WatchOrders returns an AsyncIterable of responses', compiles: true },
        { code: `const c4: Promise<Order> = shop.watchOrders({ customerId: 'c1' })`, what: 'a server stream typed as a Promise', compiles: false },
        { code: `const c5: Promise<UploadSummary> = shop.uploadLines(lines)`, what: 'client-streaming UploadLines takes an AsyncIterable of requests and returns a Promise', compiles: true },
        { code: `shop.uploadLines({ sku: 'A', qty: 1 })`, what: 'a client-streaming method called with one request instead of an AsyncIterable', compiles: false },
        { code: `const c7: AsyncIterable<ChatMessage> = shop.chat(messages)`, what: 'bidirectional Chat takes and returns AsyncIterables', compiles: true },
        { code: `const c8: Promise<ChatMessage> = shop.chat(messages)`, what: 'a bidirectional stream typed as a Promise', compiles: false },
      ],
    },
  },
  billing: {
    service: {
      imports: ['InvoicesClient', 'Invoice'],
      setup: ['declare const invoices: InvoicesClient'],
      cases: [
        { code: `const c1: Promise<Invoice> = invoices.getInvoice({ invoiceId: 'i1' })`, what: 'InvoicesClient.getInvoice({ invoiceId }) of another package', compiles: true },
        { code: `const c2: Promise<string> = invoices.getInvoice({ invoiceId: 'i1' }).then((i) => i.amountCents)`, what: 'Invoice.amountCents (int64) is a string', compiles: true },
      ],
    },
  },
  nopackage: {
    service: {
      imports: ['PingerClient', 'PingReply'],
      setup: ['declare const pinger: PingerClient'],
      cases: [{ code: `const c1: Promise<PingReply> = pinger.ping({ payload: 'x' })`, what: 'PingerClient.ping of a .proto without a package', compiles: true }],
    },
  },
}

// ---- generate everything once, type-check it all with one tsc run ------------------
interface Generated {
  source?: string
  error?: string
  module?: Record<string, unknown>
  moduleError?: string
}
const generated = new Map<ProtoName, Generated>()
/** Diagnostics per file: line (1-based) → messages. */
const diagnostics = new Map<string, Map<number, string[]>>()
/** Per usage file: line → the case on it (negative cases: the line of the directive). */
const caseAt = new Map<string, Map<number, { c: Case; kind: 'case' | 'import' | 'setup'; name?: string }>>()
let dir = ''
/** tsc's output, or why it did not run (a harness problem, reported in every type test). */
let tscRan = ''

function usageFile(proto: ProtoName, group: string, u: Usage): { name: string; text: string } {
  const name = `use_${proto}_${group}.ts`
  const lines: string[] = []
  const at = new Map<number, { c: Case; kind: 'case' | 'import' | 'setup'; name?: string }>()
  for (const imp of u.imports) {
    at.set(lines.length + 1, { c: { code: '', what: `the generated code exports ${imp}`, compiles: true }, kind: 'import', name: imp })
    lines.push(`import { ${imp} } from './gen_${proto}.ts'`)
  }
  for (const s of u.setup ?? []) {
    at.set(lines.length + 1, { c: { code: s, what: s, compiles: true }, kind: 'setup' })
    lines.push(s)
  }
  for (const c of u.cases) {
    if (!c.compiles) {
      at.set(lines.length + 1, { c, kind: 'case' })
      lines.push('// @ts-expect-error')
      lines.push(c.code)
    } else {
      at.set(lines.length + 1, { c, kind: 'case' })
      lines.push(c.code)
    }
  }
  lines.push('export {}')
  caseAt.set(name, at)
  return { name, text: `${lines.join('\n')}\n` }
}

function runTsc(project: string): Promise<string> {
  const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc')
  return new Promise((resolve) => {
    execFile(process.execPath, [tsc, '-p', project, '--pretty', 'false'], { cwd: dirname(project), timeout: 20_000 }, (_err, stdout, stderr) => resolve(`${stdout}${stderr}`))
  })
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'roadmap-codegen-'))
  const files: string[] = []
  for (const proto of Object.keys(PROTOS) as ProtoName[]) {
    const g: Generated = {}
    generated.set(proto, g)
    try {
      const out: unknown = kata.generate(PROTOS[proto])
      if (typeof out !== 'string') throw new Error(`generate() returned ${typeof out}, not a string of TypeScript`)
      g.source = out
    } catch (err) {
      g.error = (err as Error).message
      continue
    }
    writeFileSync(join(dir, `gen_${proto}.ts`), g.source)
    files.push(`gen_${proto}.ts`)
    try {
      const js = stripTypeScriptTypes(g.source, { mode: 'strip' })
      const file = join(dir, `gen_${proto}.mjs`)
      writeFileSync(file, js)
      g.module = (await import(/* @vite-ignore */ pathToFileURL(file).href)) as Record<string, unknown>
    } catch (err) {
      g.moduleError = (err as Error).message.split('\n')[0]
    }
    for (const [group, u] of Object.entries(USAGE[proto])) {
      const f = usageFile(proto, group, u)
      writeFileSync(join(dir, f.name), f.text)
      files.push(f.name)
    }
  }
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n')
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { strict: true, noEmit: true, target: 'ES2023', lib: ['ES2023'], module: 'NodeNext', moduleResolution: 'NodeNext', allowImportingTsExtensions: true, types: [], skipLibCheck: true, noUnusedLocals: false },
      files,
    }),
  )
  if (!files.length) return
  const out = await runTsc(join(dir, 'tsconfig.json'))
  tscRan = /error TS\d+|^\s*$/.test(out) ? out : `tsc did not run as expected: ${out.slice(0, 300)}`
  for (const m of out.matchAll(/^(\S+?\.ts)\((\d+),\d+\): error (TS\d+: .*)$/gm)) {
    const [, path, line, msg] = m
    const file = basename(path!)
    const perFile = diagnostics.get(file) ?? new Map<number, string[]>()
    diagnostics.set(file, perFile)
    perFile.set(Number(line), [...(perFile.get(Number(line)) ?? []), msg!])
  }
}, 55_000)

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true })
})

/** Problems with one usage group, each in plain words. */
function typeProblems(proto: ProtoName, group: string): string[] {
  const g = generated.get(proto)!
  if (g.error) return [`generate() threw for ${proto}.proto: ${g.error}`]
  const problems: string[] = []
  if (tscRan.startsWith('tsc did not run')) return [tscRan]
  const own = diagnostics.get(`gen_${proto}.ts`)
  if (own) problems.push(`the code generated for ${proto}.proto does not compile: ${[...own].map(([l, m]) => `line ${l}: ${m.join('; ')}`).join(' | ')}`)
  const file = `use_${proto}_${group}.ts`
  const diags = diagnostics.get(file) ?? new Map<number, string[]>()
  for (const [line, { c, kind, name }] of caseAt.get(file) ?? []) {
    if (kind === 'import') {
      if (diags.has(line)) problems.push(`the code generated for ${proto}.proto does not export ${name}`)
    } else if (kind === 'setup') {
      if (diags.has(line)) problems.push(`\`${c.code}\` does not type-check: ${diags.get(line)!.join('; ')}`)
    } else if (c.compiles) {
      if (diags.has(line)) problems.push(`should type-check but does not — ${c.what}: \`${c.code}\` → ${diags.get(line)!.join('; ')}`)
    } else if (diags.get(line)?.some((m) => m.startsWith('TS2578'))) {
      problems.push(`should be a type error but type-checks — ${c.what}: \`${c.code}\``)
    }
  }
  return problems
}

/** Fails with every problem listed, one per line. */
function noProblems(problems: string[], context: string) {
  if (problems.length) throw new Error(`${context}:\n- ${problems.join('\n- ')}`)
}

const runtime = (proto: ProtoName) => {
  const g = generated.get(proto)!
  if (g.error) throw new Error(`generate() threw for ${proto}.proto: ${g.error}`)
  if (g.moduleError) throw new Error(`the code generated for ${proto}.proto does not run once its types are stripped: ${g.moduleError}`)
  return g.module!
}

describe('generate(protoSource): messages', () => {
  it('maps every scalar type: numbers, strings for 64-bit integers, boolean, Uint8Array; lowerCamelCase names; all required', () => {
    noProblems(typeProblems('scalars', 'types'), 'type checks against the code generated for the scalars .proto')
  })

  it('maps repeated fields to arrays, maps to records, nested messages to Outer_Inner, message and optional fields to optional properties', () => {
    noProblems(typeProblems('shop', 'messages'), 'type checks against the code generated for shop.proto (messages)')
  })
})

describe('generate(protoSource): enums', () => {
  it('emits each enum as a union of its names plus a const object of its numbers', () => {
    noProblems(typeProblems('shop', 'enums'), 'type checks against the code generated for shop.proto (enums)')
  })

  it('gives the enum objects their numbers at run time', () => {
    const m = runtime('shop')
    expect(m.Status, 'Status, imported from the code generated for shop.proto').toEqual({ STATUS_UNSPECIFIED: 0, STATUS_PAID: 1, STATUS_SHIPPED: 2 })
    expect(m.Order_Kind, 'Order_Kind (the nested enum Order.Kind)').toEqual({ KIND_UNSPECIFIED: 0, KIND_GIFT: 5 })
  })
})

describe('generate(protoSource): services', () => {
  it('types a client interface: unary → Promise, server stream → AsyncIterable, client stream takes an AsyncIterable, bidi both', () => {
    noProblems(typeProblems('shop', 'service'), 'type checks against the code generated for shop.proto (service Shop)')
  })

  it('emits a definition per service: each method with its gRPC path and streaming flags', () => {
    expect(runtime('shop').ShopDefinition, 'ShopDefinition, imported from the code generated for shop.proto').toEqual({
      getOrder: { path: '/shop.v1.Shop/GetOrder', requestStream: false, responseStream: false },
      watchOrders: { path: '/shop.v1.Shop/WatchOrders', requestStream: false, responseStream: true },
      uploadLines: { path: '/shop.v1.Shop/UploadLines', requestStream: true, responseStream: false },
      chat: { path: '/shop.v1.Shop/Chat', requestStream: true, responseStream: true },
    })
  })

  it('works for any package, and for a .proto without one', () => {
    noProblems(typeProblems('billing', 'service'), 'type checks against the code generated for the acme.billing.v2 .proto')
    noProblems(typeProblems('nopackage', 'service'), 'type checks against the code generated for a .proto without a package')
    expect(runtime('billing').InvoicesDefinition, 'InvoicesDefinition (package acme.billing.v2)').toEqual({ getInvoice: { path: '/acme.billing.v2.Invoices/GetInvoice', requestStream: false, responseStream: false } })
    expect(runtime('nopackage').PingerDefinition, 'PingerDefinition (no package)').toEqual({ ping: { path: '/Pinger/Ping', requestStream: false, responseStream: false } })
  })
})

describe('generate(protoSource): the output', () => {
  it('is plain TypeScript that runs once its types are stripped (no enum or namespace keywords)', () => {
    for (const proto of Object.keys(PROTOS) as ProtoName[]) runtime(proto)
  })

  it('declares the top-level types in the order of the file', () => {
    const source = generated.get('shop')!.source ?? ''
    const TOP = ['Status', 'Order', 'Customer', 'GetOrderRequest', 'WatchOrdersRequest', 'UploadSummary', 'ChatMessage', 'ShopClient']
    const at = (name: string) => source.search(new RegExp(`^export (interface|type|const) ${name}\\b`, 'm'))
    const found = TOP.filter((n) => at(n) >= 0).sort((x, y) => at(x) - at(y))
    expect(found, 'top-level declarations of shop.proto in the order generate() wrote them (the .proto declares them in this order)').toEqual(TOP)
  })

  it('is the same text every time for the same input', () => {
    expect(kata.generate(PROTOS.shop), 'generate(shop.proto) called a second time').toBe(generated.get('shop')!.source)
  })

  it('throws on a .proto with a syntax error instead of generating something', () => {
    expect(generated.get('nopackage')!.error ?? 'generated', 'generate() of a valid .proto (without a package)').toBe('generated')
    expect(() => kata.generate('syntax = "proto3";\nmessage Broken { string id = ; }'), 'generate() of a message with a field without a number').toThrow()
  })
})
