import { text } from '../i18n/lang.ts'
import { messages } from '../i18n/messages.ts'
import { kataState, nextKata } from '../progress/record.ts'
import { describeNote, ProgressStore } from '../progress/store.ts'
import { bar, paint } from '../report/style.ts'
import { EXIT, type ExitCode } from '../errors.ts'
import { openContext, type GlobalOptions } from './context.ts'


/** `roadmap progress`: chapters with their bars, the current kata, and where the file lives. */
export async function progressCommand(opts: GlobalOptions & { json?: boolean }): Promise<ExitCode> {
  const ctx = openContext(opts)
  const store = new ProgressStore(ctx.root, ctx.track)
  const said = describeNote(store.note, ctx.lang)
  if (said) ctx.out.note(said)
  const m = messages(ctx.lang)
  const passed = ctx.catalog.katas.filter((k) => kataState(store, k.id) === 'passed').length
  const current = nextKata(ctx.catalog, store)
  if (opts.json) {
    ctx.out.json({ passed, total: ctx.catalog.katas.length, current: current?.id ?? null, chapters: ctx.catalog.chapters.map((c) => ({ id: c.id, passed: c.katas.filter((k) => kataState(store, k.id) === 'passed').length, total: c.katas.length })), katas: store.snapshot.katas })
    return EXIT.ok
  }
  for (const ch of ctx.catalog.chapters) {
    const done = ch.katas.filter((k) => kataState(store, k.id) === 'passed').length
    const title = text(ch.title, ctx.lang).padEnd(22)
    ctx.out.line(`${title} ${paint(done === ch.katas.length ? 'green' : 'cyan', bar(done, ch.katas.length, 20))} ${done}/${ch.katas.length}`)
  }
  ctx.out.line(`\n${m.progress(passed, ctx.catalog.katas.length)}`)
  ctx.out.line(current ? `${m.current}: ${current.id} — ${text(current.title, ctx.lang)}` : m.allDone)
  ctx.out.line(paint('dim', store.file))
  return EXIT.ok
}
