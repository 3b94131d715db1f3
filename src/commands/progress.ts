import { text } from '../i18n/lang.ts'
import { messages } from '../i18n/messages.ts'
import { kataState, nextKata } from '../progress/record.ts'
import { describeNote, ProgressStore } from '../progress/store.ts'
import { bar, paint } from '../report/style.ts'
import { openContext, type GlobalOptions } from './context.ts'


/** `roadmap progress`: chapters with their bars, the current kata, and where the file lives. */
export async function progressCommand(opts: GlobalOptions & { json?: boolean }): Promise<number> {
  const ctx = openContext(opts)
  const store = new ProgressStore(ctx.root)
  const said = describeNote(store.note, ctx.lang)
  if (said) process.stderr.write(`${said}\n`)
  const m = messages(ctx.lang)
  const passed = ctx.catalog.katas.filter((k) => kataState(store, k.id) === 'passed').length
  const current = nextKata(ctx.catalog, store)
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ passed, total: ctx.catalog.katas.length, current: current?.id ?? null, chapters: ctx.catalog.chapters.map((c) => ({ id: c.id, passed: c.katas.filter((k) => kataState(store, k.id) === 'passed').length, total: c.katas.length })), katas: store.snapshot.katas }, null, 2)}\n`)
    return 0
  }
  for (const ch of ctx.catalog.chapters) {
    const done = ch.katas.filter((k) => kataState(store, k.id) === 'passed').length
    const title = text(ch.title, ctx.lang).padEnd(22)
    process.stdout.write(`${title} ${paint(done === ch.katas.length ? 'green' : 'cyan', bar(done, ch.katas.length, 20))} ${done}/${ch.katas.length}\n`)
  }
  process.stdout.write(`\n${m.progress(passed, ctx.catalog.katas.length)}\n`)
  process.stdout.write(current ? `${m.current}: ${current.id} — ${text(current.title, ctx.lang)}\n` : `${m.allDone}\n`)
  process.stdout.write(paint('dim', `${store.file}\n`))
  return 0
}
