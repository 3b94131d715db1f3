import { describe, expect, it } from 'vitest'
import { durationSeconds, parsePromQL, PromQLError, walkPromQL, type PromExpr } from '#support/observability'
import dashboard from '@kata/observability/dashboard'

interface Target {
  refId?: unknown
  expr?: unknown
  datasource?: unknown
}
interface Panel {
  id?: unknown
  type?: unknown
  title?: unknown
  datasource?: unknown
  gridPos?: { x?: unknown; y?: unknown; w?: unknown; h?: unknown }
  fieldConfig?: { defaults?: { unit?: unknown } }
  targets?: Target[]
  panels?: Panel[]
}
interface Query {
  panel: Panel
  target: Target
  expr: string
  /** The parsed query, or the parse error. */
  ast: PromExpr | Error
}

const d = dashboard as Record<string, unknown> & { panels?: Panel[]; templating?: { list?: Record<string, unknown>[] } }
const panels: Panel[] = (Array.isArray(d.panels) ? d.panels : []).flatMap((p) => [p, ...(Array.isArray(p.panels) ? p.panels : [])])
const queries: Query[] = panels.flatMap((panel) =>
  (Array.isArray(panel.targets) ? panel.targets : []).map((target) => {
    const expr = typeof target.expr === 'string' ? target.expr : ''
    let ast: PromExpr | Error
    try {
      ast = parsePromQL(expr)
    } catch (err) {
      ast = err instanceof Error ? err : new Error(String(err))
    }
    return { panel, target, expr, ast }
  }),
)
const parsed = queries.filter((q): q is Query & { ast: PromExpr } => !(q.ast instanceof Error))
const where = (q: Query) => `panel "${String(q.panel.title)}", query ${String(q.target.refId)}: ${q.expr}`
const unitOf = (p: Panel) => p.fieldConfig?.defaults?.unit

const REQUESTS = 'http_requests_total'
const BUCKETS = 'http_request_duration_seconds_bucket'

/**
 * `sum(rate(metric{…}[w]))`-shaped expression → its parts, or undefined. irate and increase
 * are recognised too, so the hygiene tests can name them instead of "nothing found".
 */
function sumOfRate(e: PromExpr) {
  if (e.kind !== 'aggregate' || e.op !== 'sum' || e.args.length !== 1) return undefined
  const call = e.args[0]!
  if (call.kind !== 'call' || !['rate', 'irate', 'increase'].includes(call.fn) || call.args[0]?.kind !== 'matrix') return undefined
  const m = call.args[0]
  return { by: [...(e.by ?? [])].sort(), without: e.without, metric: m.vector.metric, matchers: m.vector.matchers, range: m.range }
}

const throughputQueries = () =>
  parsed.filter((q) => {
    const s = sumOfRate(q.ast)
    return s?.metric === REQUESTS && !s.matchers.some((m) => m.label === 'status')
  })

const ratioQueries = () =>
  parsed.filter((q) => q.ast.kind === 'binary' && q.ast.op === '/' && sumOfRate(q.ast.lhs)?.metric === REQUESTS)

const quantileQueries = () =>
  parsed.flatMap((q) => [...walkPromQL(q.ast)].filter(({ node }) => node.kind === 'call' && node.fn === 'histogram_quantile').map(({ node }) => ({ q, call: node as Extract<PromExpr, { kind: 'call' }> })))

/** Prometheus anchors label regexes at both ends. */
const promRegex = (re: string) => new RegExp(`^(?:${re})$`)

describe('the dashboard JSON', () => {
  it('has what Grafana needs to import it: a title, a uid, schemaVersion ≥ 36 and a time range', () => {
    expect(typeof d.title === 'string' && d.title.trim() !== '' && !d.title.startsWith('TODO'), `"title" (${JSON.stringify(d.title)}) is a real title`).toBe(true)
    expect(typeof d.uid === 'string' && /^[A-Za-z0-9_-]{1,40}$/.test(d.uid), `"uid" (${JSON.stringify(d.uid)}) is 1–40 letters, digits, "-" or "_"`).toBe(true)
    expect(typeof d.schemaVersion === 'number' && d.schemaVersion >= 36, `"schemaVersion" (${JSON.stringify(d.schemaVersion)}) is a number ≥ 36`).toBe(true)
    const time = d.time as { from?: unknown; to?: unknown } | undefined
    expect(typeof time?.from === 'string' && /^now-\d+[smhdwy]$/.test(time.from), `"time.from" (${JSON.stringify(time?.from)}) looks like "now-6h"`).toBe(true)
    expect(time?.to, '"time.to"').toBe('now')
  })

  it('declares a Prometheus data-source variable, and every panel and query uses it', () => {
    const vars = Array.isArray(d.templating?.list) ? d.templating.list : []
    const ds = vars.find((v) => v.type === 'datasource' && v.query === 'prometheus')
    expect(ds, 'a templating variable { "type": "datasource", "query": "prometheus" }').toBeDefined()
    expect(panels.length, 'number of panels').toBeGreaterThan(0)
    const refs = [`\${${String(ds!.name)}}`, `$${String(ds!.name)}`]
    for (const p of panels.filter((p) => p.type !== 'row')) {
      const pds = p.datasource as { type?: unknown; uid?: unknown } | undefined
      expect(pds?.type, `panel "${String(p.title)}": datasource.type`).toBe('prometheus')
      expect(refs, `panel "${String(p.title)}": datasource.uid must be the variable ${refs[0]}`).toContain(pds?.uid)
      for (const t of p.targets ?? []) {
        if (t.datasource === undefined) continue
        expect((t.datasource as { uid?: unknown }).uid, `panel "${String(p.title)}", query ${String(t.refId)}: datasource.uid`).toBe(pds?.uid)
      }
    }
  })

  it('gives each panel a unique id, a title and a place on the 24-column grid, with no two panels overlapping', () => {
    expect(panels.length, 'number of panels').toBeGreaterThanOrEqual(3)
    const ids = panels.map((p) => p.id)
    expect(new Set(ids).size, `panel ids ${JSON.stringify(ids)} are unique`).toBe(ids.length)
    const boxes = panels.map((p) => {
      const g = p.gridPos ?? {}
      const [x, y, w, h] = [g.x, g.y, g.w, g.h].map((v) => (Number.isInteger(v) ? (v as number) : NaN)) as [number, number, number, number]
      expect(typeof p.title === 'string' && p.title.trim() !== '', `panel ${String(p.id)} has a title`).toBe(true)
      expect(x >= 0 && y >= 0 && w >= 1 && h >= 1 && x + w <= 24, `panel "${String(p.title)}": gridPos ${JSON.stringify(p.gridPos)} has integer x, y ≥ 0, w, h ≥ 1 and x + w ≤ 24`).toBe(true)
      return { title: String(p.title), x, y, w, h }
    })
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i]!
        const b = boxes[j]!
        const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h
        expect(overlap, `panels "${a.title}" and "${b.title}" overlap on the grid`).toBe(false)
      }
    }
  })

  it('has only PromQL that Prometheus parses', () => {
    expect(queries.length, 'number of queries (panel targets with an "expr")').toBeGreaterThanOrEqual(3)
    for (const q of queries) {
      expect(q.expr.trim(), `panel "${String(q.panel.title)}", query ${String(q.target.refId)}: "expr"`).not.toBe('')
      expect(q.ast instanceof PromQLError || q.ast instanceof Error ? q.ast.message : 'parses', where(q)).toBe('parses')
    }
  })
})

describe('throughput (R)', () => {
  it('has a req/s panel: sum by (route) of rate(http_requests_total[…])', () => {
    const found = throughputQueries()
    expect(found.length, `queries of the form sum(rate(${REQUESTS}[window])) without a status filter`).toBeGreaterThan(0)
    const byRoute = found.filter((q) => sumOfRate(q.ast)!.by.includes('route'))
    expect(byRoute.map(where), 'of those, the ones grouped by (route)').not.toEqual([])
    for (const q of byRoute) expect(unitOf(q.panel), `${where(q)}: fieldConfig.defaults.unit`).toBe('reqps')
  })
})

describe('error ratio (E)', () => {
  it('divides the rate of 5xx responses by the rate of all responses, unit percentunit', () => {
    const found = ratioQueries()
    expect(found.length, `queries of the form sum(rate(${REQUESTS}{status=~…}[w])) / sum(rate(${REQUESTS}[w]))`).toBeGreaterThan(0)
    for (const q of found) {
      const ast = q.ast as Extract<PromExpr, { kind: 'binary' }>
      const lhs = sumOfRate(ast.lhs)!
      const rhs = sumOfRate(ast.rhs)
      expect(rhs?.metric, `${where(q)}: the denominator is sum(rate(${REQUESTS}[w]))`).toBe(REQUESTS)
      expect(lhs.matchers.filter((m) => m.label === 'status').map((m) => m.op), `${where(q)}: the numerator selects status with a regex (=~)`).toEqual(['=~'])
      expect(rhs!.matchers.filter((m) => m.label === 'status'), `${where(q)}: the denominator counts every status, so it has no status filter`).toEqual([])
      expect(rhs!.range, `${where(q)}: the denominator's window is the numerator's`).toBe(lhs.range)
      expect(rhs!.by, `${where(q)}: both sides are grouped by the same labels`).toEqual(lhs.by)
      expect(unitOf(q.panel), `${where(q)}: fieldConfig.defaults.unit of a 0…1 ratio`).toBe('percentunit')
    }
  })

  it('selects the 5xx codes exactly: 500, 502, 503, 599 match; 200, 201, 404, 429, 499 and the non-codes 5, 50, 5000 do not', () => {
    const found = ratioQueries()
    expect(found.length, 'error-ratio queries').toBeGreaterThan(0)
    for (const q of found) {
      const m = sumOfRate((q.ast as Extract<PromExpr, { kind: 'binary' }>).lhs)!.matchers.find((x) => x.label === 'status' && x.op === '=~')
      expect(m, `${where(q)}: a status=~"…" matcher`).toBeDefined()
      const re = promRegex(m!.value)
      for (const code of ['500', '502', '503', '599']) expect(re.test(code), `${where(q)}: status=~${JSON.stringify(m!.value)} matches "${code}"`).toBe(true)
      for (const code of ['200', '201', '404', '429', '499', '5', '50', '5000']) expect(re.test(code), `${where(q)}: status=~${JSON.stringify(m!.value)} matches "${code}"`).toBe(false)
    }
  })
})

describe('latency (D)', () => {
  it('shows p95 with histogram_quantile(0.95, …) over the duration histogram\'s buckets, unit s', () => {
    const found = quantileQueries()
    expect(found.length, 'histogram_quantile(…) queries').toBeGreaterThan(0)
    const p95 = found.filter(({ call }) => call.args[0]?.kind === 'number' && call.args[0].value === 0.95)
    expect(p95.map(({ q }) => where(q)), 'queries with histogram_quantile(0.95, …)').not.toEqual([])
    for (const { q, call } of found) {
      const phi = call.args[0]
      expect(phi?.kind === 'number' && phi.value > 0 && phi.value < 1, `${where(q)}: the first argument of histogram_quantile is a quantile between 0 and 1`).toBe(true)
      const inner = call.args[1] ? sumOfRate(call.args[1]) : undefined
      expect(inner?.metric, `${where(q)}: the second argument is sum(rate(…_bucket[w])) of the duration histogram`).toBe(BUCKETS)
      expect(unitOf(q.panel), `${where(q)}: fieldConfig.defaults.unit of a duration in seconds`).toBe('s')
    }
  })

  it('keeps le in the grouping under every histogram_quantile (without le there are no buckets left to interpolate)', () => {
    const found = quantileQueries()
    expect(found.length, 'histogram_quantile(…) queries').toBeGreaterThan(0)
    for (const { q, call } of found) {
      const inner = call.args[1] ? sumOfRate(call.args[1]) : undefined
      expect(inner?.without, `${where(q)}: use sum by (le, …), not sum without (…)`).toBeUndefined()
      expect(inner?.by, `${where(q)}: labels in the sum by (…) under histogram_quantile`).toContain('le')
    }
  })
})

describe('PromQL hygiene in every query', () => {
  it('never shows a raw counter: every _total and _bucket series sits inside rate()', () => {
    expect(parsed.length, 'queries that parse').toBeGreaterThanOrEqual(3)
    for (const q of parsed) {
      for (const { node, ancestors } of walkPromQL(q.ast)) {
        if (node.kind !== 'vector' || !/_(total|bucket|count|sum)$/.test(node.metric)) continue
        const parent = ancestors.at(-1)
        const grand = ancestors.at(-2)
        const inRate = parent?.kind === 'matrix' && grand?.kind === 'call' && ['rate', 'irate', 'increase'].includes(grand.fn)
        expect(inRate, `${where(q)}: counter ${node.text} is wrapped in rate(…[window])`).toBe(true)
      }
    }
  })

  it('uses rate(), not irate(), over windows of at least 1m (4 scrapes at 15 s) and at most 1h, or $__rate_interval', () => {
    const rates = parsed.flatMap((q) => [...walkPromQL(q.ast)].filter(({ node }) => node.kind === 'call' && ['rate', 'irate', 'increase'].includes(node.fn)).map(({ node }) => ({ q, call: node as Extract<PromExpr, { kind: 'call' }> })))
    expect(rates.length, 'rate(…) calls in the dashboard').toBeGreaterThan(0)
    for (const { q, call } of rates) {
      expect(call.fn, `${where(q)}: ${call.text} should be rate(…) (irate looks at the last two samples only)`).not.toBe('irate')
      const m = call.args[0]
      expect(m?.kind, `${where(q)}: the argument of ${call.fn}() is a range selector like x[5m]`).toBe('matrix')
      const secs = m?.kind === 'matrix' ? durationSeconds(m.range) : NaN
      expect(secs >= 60 && secs <= 3600, `${where(q)}: window of ${call.text} is between 1m and 1h`).toBe(true)
    }
  })
})
