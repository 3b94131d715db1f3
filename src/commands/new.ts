import { ScaffoldError, scaffoldKata } from '../authoring/scaffold.ts'
import { openContext, UserError, type GlobalOptions } from './context.ts'

/** `roadmap new <chapter>/<slug>`: a kata from the template, placed in roadmap order. */
export async function newCommand(id: string, opts: GlobalOptions & { after?: string }): Promise<number> {
  const ctx = openContext(opts)
  let made
  try {
    made = scaffoldKata(ctx.catalog, id, opts.after)
  } catch (err) {
    if (err instanceof ScaffoldError) throw new UserError(err.message)
    throw err
  }
  const out = (s: string) => process.stdout.write(`${s}\n`)
  out(`Created ${made.id}:`)
  for (const f of made.files) out(`  ${f}`)
  out('')
  out('Next steps:')
  out(`  1. npx roadmap verify --kata ${made.id}     # green already: the template is sound`)
  out('  2. write the suite (kata.test.ts), then the solution, until the solution passes')
  out('  3. cut the solution down to a starter that compiles and fails with a TODO message')
  out('  4. fill kata.yaml (titles, topics, services, hints) and both READMEs')
  out(`  5. npx roadmap verify --kata ${made.id} && npx roadmap run ${made.id}   # what a learner sees`)
  return 0
}
