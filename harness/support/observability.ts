// Helpers for the observability chapter's suites: a strict parser of the Prometheus text
// exposition format (what a real Prometheus scrapes) and a TCP proxy that can take a
// service away from the app under test and give it back.
import net from 'node:net'

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
  if (raw === '+Inf' || raw === 'Inf') return Infinity
  if (raw === '-Inf') return -Infinity
  if (raw === 'NaN') return NaN
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
 * (a service that stopped responding); `up()` forwards again, on the same port.
 */
export interface TcpProxy {
  readonly port: number
  up(): Promise<void>
  down(): Promise<void>
  hang(): Promise<void>
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
  const server = net.createServer((client) => {
    accepted++
    track(client)
    if (mode === 'hang') return // accept, read nothing, answer nothing
    const upstream = net.connect(targetPort, targetHost)
    track(upstream)
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
    async close() {
      const closed = stopListening()
      cutAll()
      await closed
    },
  }
}
