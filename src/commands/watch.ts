import { ProgressStore } from '../progress/store.ts'
import { attachPlain } from '../ui/plain.ts'
import { WatchEngine } from '../watch/engine.ts'
import { openContext, type GlobalOptions } from './context.ts'

export interface WatchOptions extends GlobalOptions {
  poll?: boolean
  plain?: boolean
}

/** Ink needs a TTY on both ends and no CI; anything else gets plain lines. */
export const wantsInk = (opts: WatchOptions) => !opts.plain && !process.env.CI && !!process.stdout.isTTY && !!process.stdin.isTTY

/** `roadmap watch` (the default): follows the learner's saves until Ctrl+C. */
export async function watchCommand(opts: WatchOptions): Promise<number> {
  const ctx = openContext(opts)
  const store = new ProgressStore(ctx.root)
  if (store.note.kind === 'damaged') process.stderr.write(`The progress file was damaged (${store.note.reason}); it was kept as ${store.note.movedTo} and a new one started.\n`)
  const ink = wantsInk(opts)
  const engine = new WatchEngine({ catalog: ctx.catalog, store, config: ctx.config, poll: opts.poll, autoAdvance: !ink })
  if (ink) {
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
  return 0
}
