import { text } from '../i18n/lang.ts'
import { messages } from '../i18n/messages.ts'
import { kataState } from '../progress/record.ts'
import { keepStarters } from '../progress/starters.ts'
import { ProgressStore } from '../progress/store.ts'
import { paint, stateMark } from '../report/style.ts'
import { EXIT, type ExitCode } from '../errors.ts'
import { openContext, type GlobalOptions } from './context.ts'


/** `roadmap list`: chapters in roadmap order, each kata with its state. */
export async function listCommand(opts: GlobalOptions & { json?: boolean }): Promise<ExitCode> {
  const ctx = openContext(opts)
  const store = new ProgressStore(ctx.root, ctx.track)
  // Before the learner's first save: the copy `reset` restores when there is no git history.
  keepStarters(ctx.root, ctx.catalog, store)
  const m = messages(ctx.lang)
  if (opts.json) {
    const rows = ctx.catalog.katas.map((k) => ({ id: k.id, chapter: k.chapter, title: k.title, services: k.services, points: k.points, state: kataState(store, k.id) }))
    ctx.out.json(rows)
    return EXIT.ok
  }
  for (const ch of ctx.catalog.chapters) {
    const passed = ch.katas.filter((k) => kataState(store, k.id) === 'passed').length
    ctx.out.line(`\n${paint('bold', text(ch.title, ctx.lang))}  ${paint('dim', `${passed}/${ch.katas.length}`)}`)
    for (const k of ch.katas) {
      const state = kataState(store, k.id)
      const { mark: sign, color } = stateMark[state]
      const mark = color ? paint(color, sign) : sign
      const svc = k.services.length ? paint('dim', `  [${k.services.join(', ')}]`) : ''
      const label = state === 'regressed' ? paint('yellow', ` (${m.regressed})`) : ''
      ctx.out.line(`  ${mark} ${k.id.padEnd(32)} ${text(k.title, ctx.lang)}${label}${svc}`)
    }
  }
  return EXIT.ok
}
