import { SERVICE_NAMES, type ServiceName } from '../catalog/schema.ts'
import { describeNote, ProgressStore } from '../progress/store.ts'
import { paint } from '../report/style.ts'
import { SERVICES } from '../services/catalog.ts'
import { dockerEngine } from '../services/containers.ts'
import { embeddedPostgresAvailable } from '../services/embedded-postgres.ts'
import { Services } from '../services/services.ts'
import { redact } from '../services/status.ts'
import { openContext, type GlobalOptions } from './context.ts'

/** `roadmap doctor`: Node, each service (where, how fast, or how to get it), catalog and progress. */
export async function doctorCommand(opts: GlobalOptions & { json?: boolean }): Promise<number> {
  const ctx = openContext(opts)
  const [services, engine, embedded] = await Promise.all([
    Services.resolve(SERVICE_NAMES, { root: ctx.root, config: ctx.config, start: false }),
    dockerEngine(),
    embeddedPostgresAvailable(),
  ])
  const store = new ProgressStore(ctx.root)
  const blocked = (name: string) => ctx.catalog.katas.filter((k) => k.services.includes(name as never)).map((k) => k.id)
  const [major, minor] = process.versions.node.split('.').map(Number) as [number, number]
  const nodeOk = major > 22 || (major === 22 && minor >= 12)
  // What a kata will use for each service: the server found, or the fallback that starts
  // on demand (only the embedded PostgreSQL is certain to start without a network).
  // An explicit URL that does not answer is reported, never replaced (services.ts), so no fallback then.
  const explicit = (name: ServiceName) => !!(process.env[SERVICES[name].envVar] || ctx.config.services?.[name])
  const fallback = (name: ServiceName) => (name === 'postgres' && embedded && !explicit(name) ? 'embedded-postgres' : undefined)
  const usable = services.all.every((s) => s.state === 'ready' || fallback(s.name))
  const code = usable && nodeOk ? 0 : 1
  if (opts.json) {
    const list = services.all.map((s) => (s.state === 'missing' && fallback(s.name) ? { ...s, fallback: fallback(s.name) } : s))
    process.stdout.write(`${JSON.stringify({ node: process.version, nodeOk, dockerEngine: engine, embeddedPostgres: embedded, services: list, catalogProblems: ctx.problems, progress: store.note }, null, 2)}\n`)
    return code
  }
  const ok = (b: boolean) => (b ? paint('green', '✓') : paint('red', '✗'))
  const out = (s: string) => process.stdout.write(`${s}\n`)
  out(`${ok(nodeOk)} Node.js ${process.version}${nodeOk ? '' : ' — roadmap needs 22.12 or newer (24 preferred)'}`)
  for (const name of SERVICE_NAMES) {
    const s = services.status(name)!
    const label = SERVICES[name].label.padEnd(10)
    if (s.state === 'ready') out(`${ok(true)} ${label} ${redact(s.url)}  ${paint('dim', `(${s.source}, ${s.probeMs} ms)`)}`)
    else if (fallback(name)) {
      out(`${ok(true)} ${label} no server answers (${s.tried.join('; ')}): katas start ${fallback(name)} (installed) when they need it`)
      out(`    a server of your own is faster to start: ${paint('bold', s.fix)}`)
    } else {
      const katas = blocked(name)
      out(`${ok(false)} ${label} not found: ${s.tried.join('; ')}`)
      out(`    start it: ${paint('bold', s.fix)}`)
      if (katas.length) out(`    blocks ${katas.length} kata(s): ${katas.slice(0, 6).join(', ')}${katas.length > 6 ? ', …' : ''}`)
    }
  }
  out(`${engine.ok ? ok(true) : paint('dim', '·')} Docker engine: ${engine.ok ? 'answers (Testcontainers can start missing services)' : `${engine.reason} (Testcontainers not used)`}`)
  const pgServer = services.status('postgres')?.state === 'ready'
  out(`${embedded ? ok(true) : paint('dim', '·')} embedded-postgres: ${embedded ? (pgServer ? 'installed (not needed: a PostgreSQL server answers)' : 'installed, and used: no PostgreSQL server answers') : 'not installed'}`)
  out(`${ok(ctx.problems.length === 0)} catalog: ${ctx.catalog.katas.length} katas${ctx.problems.length ? `, ${ctx.problems.length} problem(s) (see above)` : ''}`)
  const pn = store.note
  const said = describeNote(pn, ctx.lang)
  out(`${ok(!said)} progress: ${store.file}${pn.kind === 'new' ? ' (none yet)' : ''}${said ? `\n    ${said}` : ''}`)
  return code
}
