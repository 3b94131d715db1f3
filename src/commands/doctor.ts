import { SERVICE_NAMES, type ServiceName } from '../catalog/schema.ts'
import type { Lang } from '../i18n/lang.ts'
import { messages } from '../i18n/messages.ts'
import { describeNote, ProgressStore } from '../progress/store.ts'
import { newEnough } from '../../scripts/node-runtime.mjs'
import { checkMark, paint } from '../report/style.ts'
import { SERVICES } from '../services/catalog.ts'
import { containerSettings } from '../services/container-settings.ts'
import { dockerEngine, imageAvailability, type ImageAvailability } from '../services/containers.ts'
import { embeddedPostgresAvailable } from '../services/embedded-postgres.ts'
import { Services } from '../services/services.ts'
import { redact, type ServiceStatus } from '../services/status.ts'
import { EXIT, type ExitCode } from '../errors.ts'
import { openContext, type GlobalOptions } from './context.ts'
import { goToolchainStatus } from '../runner/go/doctor-check.ts'
import { trackMessages } from '../i18n/track-messages.ts'
import { CONFIG_FILE } from '../services/config-file.ts'

const ok = checkMark

/**
 * A service's lines: where it answers; or, when nothing does, the fallback katas will
 * use (then it is not a problem); or what to start and which katas wait for it.
 */
export function serviceLines(s: ServiceStatus, fallback: string | undefined, blocked: string[], lang: Lang = 'en'): string[] {
  const d = messages(lang).doctor
  const label = SERVICES[s.name].label.padEnd(10)
  if (s.state === 'ready') return [`${ok(true)} ${label} ${redact(s.url)}  ${paint('dim', d.found(s.source, s.probeMs))}`]
  if (fallback) return [`${ok(true)} ${label} ${d.noServerFallback(s.tried.join('; '), fallback)}`, `    ${d.ownServerFaster} ${paint('bold', s.fix)}`]
  return [
    `${ok(false)} ${label} ${d.notFound(s.tried.join('; '))}`,
    `    ${d.startIt} ${paint('bold', s.fix)}`,
    ...(blocked.length ? [`    ${d.blocks(blocked.length, `${blocked.slice(0, 6).join(', ')}${blocked.length > 6 ? ', …' : ''}`)}`] : []),
  ]
}

/** The embedded PostgreSQL's line, saying the same as the PostgreSQL line above it. */
export function embeddedLine(installed: boolean, serverAnswers: boolean, explicitUrl: boolean, lang: Lang = 'en'): string {
  const d = messages(lang).doctor
  if (!installed) return `${paint('dim', '·')} embedded-postgres: ${d.embeddedMissing}`
  const use = serverAnswers ? d.embeddedNotNeeded : explicitUrl ? d.embeddedUrlWins : d.embeddedUsed
  return `${ok(true)} embedded-postgres: ${use}`
}

/** `roadmap doctor`: Node, each service (where, how fast, or how to get it), catalog and progress. */
export async function doctorCommand(opts: GlobalOptions & { json?: boolean }): Promise<ExitCode> {
  const ctx = openContext(opts)
  const [services, engine, embedded] = await Promise.all([
    Services.resolve(SERVICE_NAMES, { root: ctx.root, config: ctx.config, start: false }),
    dockerEngine(),
    embeddedPostgresAvailable(),
  ])
  const store = new ProgressStore(ctx.root, ctx.track)
  const blocked = (name: string) => ctx.catalog.katas.filter((k) => k.services.includes(name as never)).map((k) => k.id)
  const nodeOk = newEnough(process.version)
  // What a kata will use for each service: the server found, or the fallback that starts
  // on demand (only the embedded PostgreSQL is certain to start without a network).
  // An explicit URL that does not answer is reported, never replaced (services.ts), so no fallback then.
  const explicit = (name: ServiceName) => !!(process.env[SERVICES[name].envVar] || ctx.config.services?.[name])
  const fallback = (name: ServiceName) => (name === 'postgres' && embedded && !explicit(name) ? 'embedded-postgres' : undefined)
  const usable = services.all.every((s) => s.state === 'ready' || fallback(s.name))
  // For each service nothing answers for, whether Docker could start it: its image must be here or pullable.
  const images = containerSettings(process.env, ctx.config).images
  const pulls: { service: ServiceName; image: string; found: ImageAvailability }[] = engine.ok
    ? await Promise.all(services.all.filter((s) => s.state !== 'ready').map(async (s) => ({ service: s.name, image: images[s.name], found: await imageAvailability(images[s.name]) })))
    : []
  const go = goToolchainStatus(ctx.catalog)
  // Go is a problem only for the Go track's learner; in the TypeScript track it is a note.
  const code = usable && nodeOk && (go.ok || ctx.track !== 'go') ? EXIT.ok : EXIT.verdict
  if (opts.json) {
    const list = services.all.map((s) => (s.state === 'missing' && fallback(s.name) ? { ...s, fallback: fallback(s.name) } : s))
    ctx.out.json({ node: process.version, nodeOk, dockerEngine: engine, images: pulls, embeddedPostgres: embedded, services: list, catalogProblems: ctx.problems, progress: store.note, track: ctx.track, go })
    return code
  }
  const out = ctx.out.line
  const d = messages(ctx.lang).doctor
  out(`${ok(nodeOk)} Node.js ${process.version}${nodeOk ? '' : d.nodeTooOld}`)
  const t = trackMessages(ctx.lang)
  const goMark = go.ok ? ok(true) : ctx.track === 'go' ? ok(false) : paint('dim', '·')
  const goAside = ctx.track === 'go' ? '' : paint('dim', ` (${t.goOnlyForGo})`)
  if (!go.path) out(`${goMark} ${t.goMissing(go.needed)}${goAside}`)
  else out(`${goMark} ${t.goFound(go.version ?? '?', go.path)}${go.version ? (go.ok ? '' : t.goTooOld(go.needed)) : `: ${t.goNotAnswering}`}${go.ok ? '' : goAside}`)
  out(`${ok(true)} ${t.trackLine(ctx.track, ctx.config.track ? CONFIG_FILE : undefined)}`)
  for (const name of SERVICE_NAMES) for (const line of serviceLines(services.status(name)!, fallback(name), blocked(name), ctx.lang)) out(line)
  out(`${engine.ok ? ok(true) : paint('dim', '·')} ${d.dockerEngine}: ${engine.ok ? d.dockerAnswers : d.dockerMissing(engine.reason === 'no Docker engine answers' ? d.noEngine : engine.reason)}`)
  for (const p of pulls) if (p.found.state === 'unavailable') out(`    ${ok(false)} ${d.cannotPull(p.image, p.found.why, p.service)}`)
  out(embeddedLine(embedded, services.status('postgres')?.state === 'ready', explicit('postgres'), ctx.lang))
  out(`${ok(ctx.problems.length === 0)} ${d.catalog(ctx.catalog.katas.length, ctx.problems.length)}`)
  const pn = store.note
  const said = describeNote(pn, ctx.lang)
  out(`${ok(!said)} ${d.progress}: ${store.file}${pn.kind === 'new' ? d.noneYet : ''}${said ? `\n    ${said}` : ''}`)
  return code
}
