import { keepStarters } from '../progress/starters.ts'
import { messages } from '../i18n/messages.ts'
import { describeNote, ProgressStore } from '../progress/store.ts'
import { attachPlain } from '../ui/plain.ts'
import { WatchEngine } from '../watch/engine.ts'
import { EXIT } from '../errors.ts'
import { openContext, type GlobalOptions } from './context.ts'

export interface WatchOptions extends GlobalOptions {
  poll?: boolean
  plain?: boolean
}

/** Ink needs a TTY on both ends and no CI; anything else gets plain lines. */
export const wantsInk = (opts: WatchOptions) => !opts.plain && !process.env.CI && !!process.stdout.isTTY && !!process.stdin.isTTY

/** Is this an error of watching files (fs.watch / chokidar), rather than of roadmap itself? */
export function isWatcherError(err: unknown): boolean {
  const e = err as NodeJS.ErrnoException | undefined
  if (!e || typeof e !== 'object') return false
  return e.syscall === 'watch' || /^(ENOSPC|EMFILE|ENFILE)$/.test(e.code ?? '') || /\bwatch(er)?\b/i.test(e.message ?? '')
}

/** `roadmap watch` (the default): follows the learner's saves until Ctrl+C. */
export async function watchCommand(opts: WatchOptions): Promise<number> {
  const ctx = openContext(opts)
  const store = new ProgressStore(ctx.root, ctx.track)
  // Before the learner's first save: the copy `reset` restores when there is no git history.
  keepStarters(ctx.root, ctx.catalog, store)
  const said = describeNote(store.note, ctx.lang)
  if (said) ctx.out.note(said)
  const ink = wantsInk(opts)
  const engine = new WatchEngine({ catalog: ctx.catalog, store, config: ctx.config, poll: opts.poll, autoAdvance: !ink })
  // The file watcher's own errors (too many files for inotify, a mount without events)
  // surface as an unhandled 'error' event: end with advice, not a stack trace.
  process.on('uncaughtException', (err) => {
    if (!isWatcherError(err)) {
      ctx.out.note(err.stack ?? err.message)
      process.exit(EXIT.verdict)
    }
    ctx.out.note(`\n${messages(ctx.lang).watcherFailed(`${(err as NodeJS.ErrnoException).code ?? ''} ${err.message}`.trim())}`)
    void engine.close().finally(() => process.exit(EXIT.verdict))
  })
  if (ink) {
    // The screen is .tsx, which only tsx can load.
    await (await import('../tsx-loader.mjs')).useTsx()
    const { runInk } = await import('../ui/run-ink.tsx')
    return runInk(engine, ctx.lang)
  }
  attachPlain(engine, ctx.lang)
  const stop = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve)
    process.once('SIGTERM', resolve)
  })
  await engine.start()
  await stop
  await engine.close()
  return EXIT.ok
}
