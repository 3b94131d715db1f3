import type { Kata } from '../catalog/types.ts'
import { ProgressStore } from '../progress/store.ts'
import { resultDetails } from '../report/text.ts'
import { exercisesTarget, solutionsTarget, submissionTarget, type Target } from '../runner/target.ts'
import { EXIT, type ExitCode } from '../errors.ts'
import { openContext, requireKata, type GlobalOptions } from './context.ts'
import { openRunners } from './session.ts'
import { runGoCommand } from './run-go.ts'

export interface RunOptions extends GlobalOptions {
  solution?: boolean
  target?: string
  json?: boolean
}

/** `roadmap run <kata>`: one verdict, the failing assertions, exit 0 only on a pass. */
export async function runCommand(query: string, opts: RunOptions): Promise<ExitCode> {
  const ctx = openContext(opts)
  const kata: Kata = requireKata(ctx, query)
  const target: Target = opts.target ? submissionTarget(opts.target) : opts.solution ? solutionsTarget(ctx.catalog) : exercisesTarget(ctx.catalog)
  if (ctx.track === 'go') return runGoCommand(ctx, kata, target, opts)
  const runners = await openRunners(ctx, [kata], 1)
  try {
    const result = await runners.pool.run(kata, target)
    if (target.kind === 'exercises') new ProgressStore(ctx.root, ctx.track).record(result)
    if (opts.json) ctx.out.json(result)
    else ctx.out.line(resultDetails(result, kata, ctx.lang))
    return result.verdict === 'pass' ? EXIT.ok : EXIT.verdict
  } finally {
    await runners.close()
  }
}
