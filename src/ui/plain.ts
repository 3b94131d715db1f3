import { chapterSummaryLines } from './view/chapter-summary.ts'
import { text, type Lang } from '../i18n/lang.ts'
import { messages } from '../i18n/messages.ts'
import { trackMessages } from '../i18n/track-messages.ts'
import { paint } from '../report/style.ts'
import { resultDetails } from '../report/text.ts'
import { SERVICES } from '../services/catalog.ts'
import type { WatchEngine } from '../watch/engine.ts'

/**
 * The watch surface for pipes, CI and dumb terminals: the same information as the
 * Ink UI, as plain lines, with no raw-mode input.
 */
export function attachPlain(engine: WatchEngine, lang: Lang, out: NodeJS.WritableStream = process.stdout) {
  const m = messages(lang)
  const write = (s: string) => out.write(`${s}\n`)
  return engine.on((e) => {
    switch (e.type) {
      case 'starting':
        write(paint('dim', e.what === 'runner' ? m.ui.startingRunner : m.ui.startingServices))
        break
      case 'services':
        for (const s of e.services) {
          if (s.state === 'missing') {
            const blocked = engine.catalog.katas.filter((k) => k.services.includes(s.name)).map((k) => k.id)
            write(paint('yellow', `⚠ ${m.watch.notFound(SERVICES[s.name].label, s.fix, blocked)}`))
          }
        }
        break
      case 'focus': {
        const k = e.id ? engine.catalog.byId.get(e.id) : undefined
        // The file to edit, in the session's track: the Go track's is in the kata's go/ folder.
        const file = engine.track === 'go' && k?.go ? `go/${k.go.files[0]}` : k?.files[0]
        if (k) write(`\n${paint('bold', `▶ ${k.id} — ${text(k.title, lang)}`)}  ${paint('dim', `exercises/${k.dir}/${file}`)}  ${paint('dim', `[${trackMessages(lang).header(engine.track)}]`)}`)
        else write(paint('green', m.allDone))
        break
      }
      case 'result':
        write(resultDetails(e.result, engine.catalog.byId.get(e.result.id), lang))
        if (e.state === 'regressed') write(paint('yellow', `  (${m.regressed})`))
        break
      case 'check-progress':
        write(paint('dim', m.ui.checking(e.done, e.total, e.failed)))
        break
      case 'check-done':
        write(m.ui.checked(e.passed, e.total))
        write(m.ui.chapterSummary)
        for (const { line } of chapterSummaryLines(engine.catalog, e.chapters, lang)) write(`  ${line}`)
        break
      case 'ready':
        write(paint('dim', m.watch.watching(e.startupMs)))
        break
      case 'error':
        write(paint('red', e.message))
        break
      case 'watcher-error':
        write(paint('red', m.watcherFailed(e.reason)))
        break
      case 'run-start':
        break
    }
  })
}
