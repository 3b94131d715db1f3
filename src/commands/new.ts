import { ScaffoldError, scaffoldKata } from '../authoring/scaffold.ts'
import { messages } from '../i18n/messages.ts'
import { EXIT, type ExitCode } from '../errors.ts'
import { openContext, UserError, type GlobalOptions } from './context.ts'

/** `roadmap new <chapter>/<slug>`: a kata from the template, placed in roadmap order. */
export async function newCommand(id: string, opts: GlobalOptions & { after?: string }): Promise<ExitCode> {
  const ctx = openContext(opts)
  let made
  try {
    made = scaffoldKata(ctx.catalog, id, opts.after)
  } catch (err) {
    if (err instanceof ScaffoldError) throw new UserError(err.message)
    throw err
  }
  const out = ctx.out.line
  const n = messages(ctx.lang).newKata
  out(n.created(made.id))
  for (const f of made.files) out(`  ${f}`)
  out('')
  out(n.nextSteps)
  for (const step of [n.step1(made.id), n.step2, n.step3, n.step4, n.step5(made.id)]) out(step)
  return EXIT.ok
}
