import { text } from '../i18n/lang.ts'
import { messages } from '../i18n/messages.ts'
import { nextKata } from '../progress/record.ts'
import { ProgressStore } from '../progress/store.ts'
import { paint } from '../report/style.ts'
import { EXIT, type ExitCode } from '../errors.ts'
import { openContext, requireKata, UserError, type GlobalOptions } from './context.ts'

/** `roadmap hint [kata]`: the next hint each call (the current kata when none is named). */
export async function hintCommand(query: string | undefined, opts: GlobalOptions & { all?: boolean }): Promise<ExitCode> {
  const ctx = openContext(opts)
  const store = new ProgressStore(ctx.root, ctx.track)
  const kata = query ? requireKata(ctx, query) : nextKata(ctx.catalog, store)
  if (!kata) throw new UserError(messages(ctx.lang).allDone, EXIT.ok)
  const m = messages(ctx.lang)
  const seen = store.kata(kata.id).hintsSeen
  const upTo = opts.all ? kata.hints.length : Math.min(seen + 1, kata.hints.length)
  ctx.out.line(paint('bold', `${kata.id}: ${text(kata.title, ctx.lang)}`))
  for (let i = 0; i < upTo; i++) ctx.out.line(`\n${paint('cyan', m.hintOf(i + 1, kata.hints.length))}\n${text(kata.hints[i]!, ctx.lang)}`)
  if (seen >= kata.hints.length && !opts.all) ctx.out.line(`\n${paint('dim', m.noMoreHints)}`)
  store.seeHint(kata.id, upTo)
  return EXIT.ok
}
