// Helpers for the observability chapter's suites: a strict parser of the Prometheus text
// exposition format (what a real Prometheus scrapes), a PromQL parser on Prometheus's own
// grammar, and a TCP proxy that can take a service away from the app and give it back.
import net from 'node:net'
import type { SyntaxNode } from '@lezer/common'
import { parser as promqlParser } from '@prometheus-io/lezer-promql'

export interface Sample {
  /** The sample's own name: `x_bucket`, `x_sum`, `x_count` for a histogram `x`. */
  name: string
  labels: Record<string, string>
  value: number
}

export interface MetricFamily {
  name: string
  type: string
  help: string
  samples: Sample[]
}

export class ExpositionError extends Error {
  override name = 'ExpositionError'
}

const NAME = /[a-zA-Z_:][a-zA-Z0-9_:]*/y
const LABEL = /[a-zA-Z_][a-zA-Z0-9_]*/y
const SUFFIXES: Record<string, string[]> = {
  histogram: ['_bucket', '_sum', '_count', '_created'],
  summary: ['_sum', '_count', '_created'],
  counter: ['_total', '_created'],
}

function parseValue(raw: string, line: number): number {
  // As Go's strconv.ParseFloat (what Prometheus uses): Inf and NaN in any case.
  const lower = raw.toLowerCase()
  if (lower === '+inf' || lower === 'inf') return Infinity
  if (lower === '-inf') return -Infinity
  if (lower === 'nan') return NaN
  const n = Number(raw)
  if (raw === '' || Number.isNaN(n)) throw new ExpositionError(`line ${line}: "${raw}" is not a sample value`)
  return n
}

function unescape(s: string, quotes: boolean): string {
  return s.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === '\\' ? '\\' : quotes && c === '"' ? '"' : `\\${c}`))
}

/** Reads one sample line: name, optional {labels}, value, optional timestamp. */
function parseSample(text: string, lineNo: number): Sample {
  let i = 0
  const expect = (re: RegExp, what: string) => {
    re.lastIndex = i
    const m = re.exec(text)
    if (!m) throw new ExpositionError(`line ${lineNo}: expected ${what} at column ${i + 1}: ${text}`)
    i = re.lastIndex
    return m[0]
  }
  const skipSpace = () => {
    while (text[i] === ' ' || text[i] === '\t') i++
  }
  const name = expect(NAME, 'a metric name')
  const labels: Record<string, string> = {}
  skipSpace()
  if (text[i] === '{') {
    i++
    skipSpace()
    while (text[i] !== '}') {
      const label = expect(LABEL, 'a label name')
      skipSpace()
      if (text[i++] !== '=') throw new ExpositionError(`line ${lineNo}: expected "=" after label ${label}: ${text}`)
      skipSpace()
      if (text[i++] !== '"') throw new ExpositionError(`line ${lineNo}: the value of label ${label} is not quoted: ${text}`)
      let raw = ''
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\') raw += text[i++]
        raw += text[i++]
      }
      if (text[i++] !== '"') throw new ExpositionError(`line ${lineNo}: unterminated value of label ${label}: ${text}`)
      if (label in labels) throw new ExpositionError(`line ${lineNo}: label ${label} appears twice: ${text}`)
      labels[label] = unescape(raw, true)
      skipSpace()
      if (text[i] === ',') {
        i++
        skipSpace()
      } else if (text[i] !== '}') throw new ExpositionError(`line ${lineNo}: expected "," or "}" at column ${i + 1}: ${text}`)
    }
    i++
  }
  const rest = text.slice(i).trim().split(/[ \t]+/)
  if (rest.length < 1 || rest.length > 2) throw new ExpositionError(`line ${lineNo}: expected a value (and an optional timestamp): ${text}`)
  return { name, labels, value: parseValue(rest[0]!, lineNo) }
}

/**
 * Parses the text format (version 0.0.4) into metric families. Strict: a malformed line,
 * a duplicate series or a TYPE after the family's samples throws an ExpositionError,
 * as a Prometheus scrape would fail.
 */
export function parseExposition(text: string): Map<string, MetricFamily> {
  const families = new Map<string, MetricFamily>()
  const seen = new Set<string>()
  const family = (name: string) => {
    let f = families.get(name)
    if (!f) families.set(name, (f = { name, type: 'untyped', help: '', samples: [] }))
    return f
  }
  const familyOf = (sampleName: string): MetricFamily => {
    const direct = families.get(sampleName)
    if (direct && direct.type !== 'counter') return direct
    for (const [type, suffixes] of Object.entries(SUFFIXES)) {
      for (const s of suffixes) {
        if (!sampleName.endsWith(s)) continue
        const f = families.get(sampleName.slice(0, -s.length))
        if (f?.type === type) return f
      }
    }
    return direct ?? family(sampleName)
  }
  text.split('\n').forEach((raw, idx) => {
    const line = raw.trim()
    const lineNo = idx + 1
    if (!line) return
    if (line.startsWith('#')) {
      const m = /^#\s*(HELP|TYPE)\s+([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\s+(.*))?$/.exec(line)
      if (!m) return // an ordinary comment
      const f = family(m[2]!)
      if (m[1] === 'HELP') f.help = unescape(m[3] ?? '', false)
      else {
        const type = (m[3] ?? '').trim()
        if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(type)) throw new ExpositionError(`line ${lineNo}: unknown metric type "${type}"`)
        if (f.samples.length) throw new ExpositionError(`line ${lineNo}: TYPE of ${f.name} comes after its samples`)
        f.type = type
      }
      return
    }
    const sample = parseSample(line, lineNo)
    const key = `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort())}`
    if (seen.has(key)) throw new ExpositionError(`line ${lineNo}: series ${sample.name}${JSON.stringify(sample.labels)} appears twice`)
    seen.add(key)
    familyOf(sample.name).samples.push(sample)
  })
  return families
}

const matches = (labels: Record<string, string>, want: Record<string, string>) => Object.entries(want).every(([k, v]) => labels[k] === v)

/** Samples called `name` whose labels include `want`. */
export function samplesOf(families: Map<string, MetricFamily>, name: string, want: Record<string, string> = {}): Sample[] {
  const out: Sample[] = []
  for (const f of families.values()) for (const s of f.samples) if (s.name === name && matches(s.labels, want)) out.push(s)
  return out
}

/** The value of the one sample called `name` with exactly these labels, or undefined. */
export function valueOf(families: Map<string, MetricFamily>, name: string, labels: Record<string, string> = {}): number | undefined {
  const want = JSON.stringify(Object.entries(labels).sort())
  return samplesOf(families, name).find((s) => JSON.stringify(Object.entries(s.labels).sort()) === want)?.value
}

/**
 * A TCP proxy on 127.0.0.1 in front of a real service. `down()` closes the port and cuts
 * every connection (the service is gone); `hang()` keeps accepting but never answers
 * (a service that stopped responding); `stall()` also stops forwarding on the connections
 * already open, so a query in flight never gets its answer; `up()` forwards again, on the
 * same port.
 */
export interface TcpProxy {
  readonly port: number
  up(): Promise<void>
  down(): Promise<void>
  hang(): Promise<void>
  stall(): Promise<void>
  close(): Promise<void>
  /** Connections the proxy accepted so far. */
  readonly accepted: number
}

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  let mode: 'up' | 'hang' | 'down' = 'up'
  let accepted = 0
  const sockets = new Set<net.Socket>()
  const track = (s: net.Socket) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
    s.on('error', () => undefined)
  }
  const cutAll = () => {
    for (const s of sockets) s.destroy()
    sockets.clear()
  }
  const pairs = new Set<[net.Socket, net.Socket]>()
  const server = net.createServer((client) => {
    accepted++
    track(client)
    if (mode === 'hang') return // accept, read nothing, answer nothing
    const upstream = net.connect(targetPort, targetHost)
    track(upstream)
    const pair: [net.Socket, net.Socket] = [client, upstream]
    pairs.add(pair)
    client.on('close', () => pairs.delete(pair))
    client.pipe(upstream)
    upstream.pipe(client)
    upstream.on('close', () => client.destroy())
    client.on('close', () => upstream.destroy())
  })
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject)
        resolve()
      })
    })
  await listen(0)
  const port = (server.address() as net.AddressInfo).port
  const stopListening = () => new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()))
  return {
    port,
    get accepted() {
      return accepted
    },
    async up() {
      cutAll()
      mode = 'up'
      if (!server.listening) await listen(port)
    },
    async down() {
      mode = 'down'
      const closed = stopListening()
      cutAll()
      await closed
    },
    async hang() {
      cutAll()
      mode = 'hang'
      if (!server.listening) await listen(port)
    },
    async stall() {
      mode = 'hang'
      // Open connections stay open but nothing crosses them any more, in either direction.
      for (const [client, upstream] of pairs) {
        client.unpipe(upstream)
        upstream.unpipe(client)
        client.pause()
        upstream.pause()
      }
      if (!server.listening) await listen(port)
    },
    async close() {
      const closed = stopListening()
      cutAll()
      await closed
    },
  }
}

// ---------------------------------------------------------------------------------------
// PromQL: parsed with Prometheus's own Lezer grammar, then turned into a small AST that
// suites can reason about (which metric, which function, which window, which grouping).

export interface LabelMatcher {
  label: string
  op: '=' | '!=' | '=~' | '!~'
  value: string
}

export type PromExpr =
  | { kind: 'aggregate'; op: string; by?: string[]; without?: string[]; args: PromExpr[]; text: string }
  | { kind: 'call'; fn: string; args: PromExpr[]; text: string }
  | { kind: 'binary'; op: string; lhs: PromExpr; rhs: PromExpr; text: string }
  | { kind: 'vector'; metric: string; matchers: LabelMatcher[]; text: string }
  | { kind: 'matrix'; vector: Extract<PromExpr, { kind: 'vector' }>; range: string; text: string }
  | { kind: 'number'; value: number; text: string }
  | { kind: 'string'; value: string; text: string }
  | { kind: 'other'; node: string; children: PromExpr[]; text: string }

export class PromQLError extends Error {
  override name = 'PromQLError'
}

/** Grafana's interval variables, replaced by a plausible value before parsing. */
export const GRAFANA_INTERVALS: Record<string, string> = {
  __rate_interval: '1m',
  __interval: '30s',
  __range: '1h',
}

function unquote(raw: string): string {
  if (raw.startsWith('`')) return raw.slice(1, -1)
  const body = raw.slice(1, -1)
  const q = raw[0]
  try {
    return JSON.parse(`"${q === "'" ? body.replace(/\\'/g, "'").replace(/"/g, '\\"') : body}"`) as string
  } catch {
    throw new PromQLError(`${raw} is not a valid string literal`)
  }
}

/**
 * Parses PromQL (with Grafana's `$__rate_interval`-style variables substituted) and throws
 * a PromQLError that points at the first syntax error.
 */
export function parsePromQL(query: string): PromExpr {
  const q = query.replace(/\$\{?(__rate_interval|__interval|__range)(?:_ms)?\}?/g, (_, v: string) => GRAFANA_INTERVALS[v]!)
  const tree = promqlParser.parse(q)
  tree.iterate({
    enter(n) {
      if (n.type.isError) throw new PromQLError(`syntax error at column ${n.from + 1} of ${JSON.stringify(query)}`)
    },
  })
  const text = (n: SyntaxNode) => q.slice(n.from, n.to)
  const kids = (n: SyntaxNode): SyntaxNode[] => {
    const out: SyntaxNode[] = []
    for (let c = n.firstChild; c; c = c.nextSibling) out.push(c)
    return out
  }
  const exprKids = (n: SyntaxNode) => kids(n).map(conv)
  const conv = (n: SyntaxNode): PromExpr => {
    switch (n.name) {
      case 'PromQL':
      case 'ParenExpr': {
        const [only] = kids(n)
        if (!only) throw new PromQLError(`empty expression: ${JSON.stringify(query)}`)
        return conv(only)
      }
      case 'AggregateExpr': {
        const op = text(n.getChild('AggregateOp')!)
        const mod = n.getChild('AggregateModifier')
        const labels = mod ? (mod.getChild('GroupingLabels')?.getChildren('LabelName') ?? []).map(text) : undefined
        const body = n.getChild('FunctionCallBody')
        const args = body ? exprKids(body) : []
        return mod?.getChild('Without') ? { kind: 'aggregate', op, without: labels, args, text: text(n) } : { kind: 'aggregate', op, by: labels, args, text: text(n) }
      }
      case 'FunctionCall': {
        const body = n.getChild('FunctionCallBody')
        return { kind: 'call', fn: text(n.getChild('FunctionIdentifier')!), args: body ? exprKids(body) : [], text: text(n) }
      }
      case 'BinaryExpr': {
        const parts = kids(n)
        const exprs = parts.filter((p) => !['BoolModifier', 'MatchingModifierClause'].includes(p.name))
        return { kind: 'binary', op: text(exprs[1]!), lhs: conv(exprs[0]!), rhs: conv(exprs[2]!), text: text(n) }
      }
      case 'VectorSelector': {
        const matchers: LabelMatcher[] = []
        let metric = text(n.getChild('Identifier') ?? n).split('{')[0]!.trim()
        for (const m of n.getChild('LabelMatchers')?.getChildren('UnquotedLabelMatcher') ?? []) {
          matchers.push({ label: text(m.getChild('LabelName')!), op: text(m.getChild('MatchOp')!) as LabelMatcher['op'], value: unquote(text(m.getChild('StringLiteral')!)) })
        }
        for (const m of n.getChild('LabelMatchers')?.getChildren('QuotedLabelMatcher') ?? []) {
          const name = unquote(text(m.getChild('QuotedLabelName')!.getChild('StringLiteral')!))
          matchers.push({ label: name, op: text(m.getChild('MatchOp')!) as LabelMatcher['op'], value: unquote(text(m.getChild('StringLiteral')!)) })
        }
        for (const m of n.getChild('LabelMatchers')?.getChildren('QuotedLabelName') ?? []) metric = unquote(text(m.getChild('StringLiteral')!))
        const named = matchers.find((m) => m.label === '__name__' && m.op === '=')
        if (!metric && named) metric = named.value
        return { kind: 'vector', metric, matchers: matchers.filter((m) => m.label !== '__name__'), text: text(n) }
      }
      case 'MatrixSelector': {
        const vector = conv(n.getChild('VectorSelector')!)
        if (vector.kind !== 'vector') throw new PromQLError(`not a range selector: ${text(n)}`)
        return { kind: 'matrix', vector, range: text(n.getChild('DurationExpr') ?? n).trim(), text: text(n) }
      }
      case 'NumberDurationLiteral':
        return { kind: 'number', value: Number(text(n)), text: text(n) }
      case 'StringLiteral':
        return { kind: 'string', value: unquote(text(n)), text: text(n) }
      default:
        return { kind: 'other', node: n.name, children: exprKids(n), text: text(n) }
    }
  }
  return conv(tree.topNode)
}

/** Every node of an expression, depth first, each with its chain of ancestors. */
export function* walkPromQL(e: PromExpr, ancestors: PromExpr[] = []): Generator<{ node: PromExpr; ancestors: PromExpr[] }> {
  yield { node: e, ancestors }
  const next = [...ancestors, e]
  switch (e.kind) {
    case 'aggregate':
    case 'call':
      for (const a of e.args) yield* walkPromQL(a, next)
      break
    case 'binary':
      yield* walkPromQL(e.lhs, next)
      yield* walkPromQL(e.rhs, next)
      break
    case 'matrix':
      yield* walkPromQL(e.vector, next)
      break
    case 'other':
      for (const c of e.children) yield* walkPromQL(c, next)
      break
  }
}

/** A Prometheus duration ("1m30s", "5m", "2h") in seconds, or NaN. */
export function durationSeconds(d: string): number {
  const units: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 }
  const parts = [...d.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d|w|y)/g)]
  if (!parts.length || parts.map((p) => p[0]).join('') !== d) return NaN
  return parts.reduce((s, p) => s + Number(p[1]) * units[p[2]!]!, 0)
}
