import type { Kata } from '../catalog/types.ts'
import { EXIT, type ExitCode } from '../errors.ts'
import { ProgressStore } from '../progress/store.ts'
import { resultDetails } from '../report/text.ts'
import { runGoTrack } from '../runner/go/track-run.ts'
import { WireSuites } from '../runner/go/wire-suites.ts'
import type { Target } from '../runner/target.ts'
import { Services } from '../services/services.ts'
import type { Context } from './context.ts'

/** `roadmap run <kata> --track go`: `go test -race` over the kata's Go package, the same verdict and exit code. */
export async function runGoCommand(ctx: Context, kata: Kata, target: Target, opts: { json?: boolean }): Promise<ExitCode> {
  // The same resolution as the TypeScript track's (explicit URL → local port → container → embedded).
  const services = await Services.resolve(kata.services, { root: ctx.root, config: ctx.config })
  const wire = new WireSuites(ctx.catalog, services.access())
  let result
  try {
    result = await runGoTrack(ctx.root, kata, target, { services: services.access(), wire: wire.run })
  } finally {
    await wire.close()
    await services.close()
  }
  if (target.kind === 'exercises') new ProgressStore(ctx.root, ctx.track).record(result)
  if (opts.json) ctx.out.json(result)
  else ctx.out.line(resultDetails(result, kata, ctx.lang))
  return result.verdict === 'pass' ? EXIT.ok : EXIT.verdict
}
