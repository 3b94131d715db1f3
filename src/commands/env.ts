import { SERVICE_NAMES } from '../catalog/schema.ts'
import { SERVICES } from '../services/catalog.ts'
import { Services } from '../services/services.ts'
import { openContext, type GlobalOptions } from './context.ts'

/** `roadmap env`: service URLs as shell exports, so `eval "$(roadmap env)"` then `psql "$DATABASE_URL"` works. */
export async function envCommand(opts: GlobalOptions & { json?: boolean }): Promise<number> {
  const ctx = openContext(opts)
  const services = await Services.resolve(SERVICE_NAMES, { root: ctx.root, config: ctx.config, start: false })
  const urls = services.access().urls
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(Object.fromEntries(SERVICE_NAMES.map((n) => [SERVICES[n].envVar, urls[n] ?? null])), null, 2)}\n`)
    return 0
  }
  for (const name of SERVICE_NAMES) {
    const url = urls[name]
    if (url) process.stdout.write(`export ${SERVICES[name].envVar}='${url}'\n`)
    else process.stdout.write(`# ${SERVICES[name].envVar}: ${services.problem(name)}\n`)
  }
  process.stdout.write(`# Each suite works in its own database (rm_<time>_<id>) and Redis key prefix, removed after the run.\n# psql "$DATABASE_URL" -c '\\l'   ·   redis-cli -u "$REDIS_URL"\n`)
  return 0
}
