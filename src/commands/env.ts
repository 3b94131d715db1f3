import { SERVICE_NAMES } from '../catalog/schema.ts'
import { SERVICES } from '../services/catalog.ts'
import { Services } from '../services/services.ts'
import { EXIT, type ExitCode } from '../errors.ts'
import { openContext, type GlobalOptions } from './context.ts'

/** `roadmap env`: service URLs as shell exports, so `eval "$(roadmap env)"` then `psql "$DATABASE_URL"` works. */
export async function envCommand(opts: GlobalOptions & { json?: boolean }): Promise<ExitCode> {
  const ctx = openContext(opts)
  const services = await Services.resolve(SERVICE_NAMES, { root: ctx.root, config: ctx.config, start: false })
  const urls = services.access().urls
  if (opts.json) {
    ctx.out.json(Object.fromEntries(SERVICE_NAMES.map((n) => [SERVICES[n].envVar, urls[n] ?? null])))
    return EXIT.ok
  }
  for (const name of SERVICE_NAMES) {
    const url = urls[name]
    if (url) ctx.out.line(`export ${SERVICES[name].envVar}='${url}'`)
    else ctx.out.line(`# ${SERVICES[name].envVar}: ${services.problem(name)}`)
  }
  ctx.out.line(`# Each suite works in its own database (rm_<time>_<id>) and Redis key prefix, removed after the run.\n# psql "$DATABASE_URL" -c '\\l'   ·   redis-cli -u "$REDIS_URL"`)
  return EXIT.ok
}
